import pandas as pd
import pytest

from evaluation import benchmark
from zoo.families import get_family


def test_benchmark_writes_the_three_csvs(tmp_path):
    benchmark.main(["--width", "0.02", "--batch-size", "4", "--repeats", "1", "--architectures", "dss_sum", "mlp",
                    "--families", "--set-sizes", "8", "16", "--output-dir", str(tmp_path)])
    device = benchmark.device_name()
    train = pd.read_csv(tmp_path / f"benchmark-train-{device}.csv")
    infer = pd.read_csv(tmp_path / f"benchmark-infer-{device}.csv")
    sizes = pd.read_csv(tmp_path / f"benchmark-setsize-{device}.csv")
    assert train[["model", "jit_compile"]].values.tolist() == [["mlp_signals", False], ["mlp_signals", True],
                                                               ["dss_sum_signals", False], ["dss_sum_signals", True]]
    assert (train["train_step_ms"] > 0).all() and (infer["infer_samples_per_sec"] > 0).all()
    assert sizes["set_size"].tolist() == [8, 16] and (sizes["infer_ms"] > 0).all()
    assert {"backend", "keras_version", "device", "param_count"} <= set(train.columns)
    assert (tmp_path / f"benchmark-setsize-{device}.png").stat().st_size > 1000


def test_other_families_are_timed_at_their_shipped_hyperparameters():
    import zoo

    train, infer = benchmark.benchmark_models("sum", width=None, batch_size=4, repeats=1, jit_modes=(False,),
                                              architectures=["gru", "sire_gru"])
    assert train["model"].tolist() == ["gru_sum", "sire_gru_sum"] and infer["model"].tolist() == train["model"].tolist()
    assert train["param_count"].iloc[0] == zoo.load("gru_sum", compile=False).count_params()
    assert (train["train_step_ms"] > 0).all() and train["width"].isna().all()


def test_frame_benchmark_times_every_stage_of_the_ucf101_path(tmp_path):
    from evaluation import benchmark_frames

    path = benchmark_frames.main(["--clips", "6", "--frames", "40", "--width", "0.05", "--steps", "2",
                                  "--output-dir", str(tmp_path)])
    rows = pd.read_csv(path)
    assert path.name == f"benchmark-frames-{benchmark.device_name()}.csv"
    assert rows["stage"].tolist() == ["decode", "cache_read", "pipeline", "train_step", "fit_workers_1",
                                      "fit_workers_4"]
    assert (rows["per_sec"] > 0).all() and (rows["clips"] == 6).all()
    assert rows.set_index("stage")["unit"].to_dict()["decode"] == "clips"


def test_synthetic_clips_follow_the_official_layout(tmp_path):
    from evaluation.benchmark_frames import synthetic_ucf101
    from zoo.data.ucf101 import find_clips, split_clips

    clips = find_clips(synthetic_ucf101(tmp_path, clips=130, frames=2))
    assert len(clips) == 130 and len({c.label for c in clips}) == 5 and len({c.group for c in clips}) == 25
    assert all(split for split in split_clips(clips, tmp_path).values())  # groups 1–7 test, 24–25 validation


STAND_IN_MODELS = '''
import torch
from torch import nn


class DeepSymmetricNet(nn.Module):  # stands in for the authors' class: same input, output and loss
    def __init__(self, args):
        super().__init__()
        self.fc = nn.Linear(100, 3)

    def forward(self, x):
        return torch.log_softmax(self.fc(x).sum(dim=1), dim=1)
'''


def test_reference_benchmark_alternates_the_two_steps_and_writes_their_ratio(tmp_path):
    checkout = tmp_path / "checkout"
    (checkout / "synthetic_exp").mkdir(parents=True)
    (checkout / "synthetic_exp" / "models.py").write_text(STAND_IN_MODELS)
    benchmark.main(["--reference", str(checkout), "--architectures", "dss_sum", "--rounds", "2", "--repeats", "1",
                    "--width", "0.02", "--output-dir", str(tmp_path)])
    rows = pd.read_csv(tmp_path / f"benchmark-reference-{benchmark.device_name()}.csv")
    assert rows["round"].tolist() == [1, 2] and rows["first"].tolist() == ["reference", "tensorflow"]
    assert (rows["model"] == "dss_sum_signals").all() and (rows["reference_model"] == "DeepSymmetricNet").all()
    assert (rows["reference_param_count"] == 303).all() and (rows["reference_device"] == "cpu").all()
    assert (rows["zoo_ms"] > 0).all() and (rows["reference_ms"] > 0).all()
    assert ((rows["ratio"] - rows["zoo_ms"] / rows["reference_ms"]).abs() < 1e-3).all()


def test_reference_benchmark_needs_the_authors_checkout_and_their_model(tmp_path):
    signals = get_family("signals")
    assert signals.reference.script.is_file() and set(signals.reference.classes) <= set(signals.architectures)
    with pytest.raises(FileNotFoundError, match="synthetic_exp/models.py"):
        benchmark.reference_step(signals, tmp_path, "dss_sum", 1)
    with pytest.raises(ValueError, match=r"no model for \['set_transformer'\]"):
        benchmark.benchmark_reference(tmp_path, "signals", ["set_transformer"])
    with pytest.raises(ValueError, match="names no authors' code"):
        benchmark.benchmark_reference(tmp_path, "sum")
