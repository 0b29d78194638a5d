import pandas as pd

from evaluation import benchmark


def test_benchmark_writes_the_three_csvs(tmp_path):
    benchmark.main(["--width", "0.02", "--batch-size", "4", "--repeats", "1", "--architectures", "dss_sum", "mlp",
                    "--set-sizes", "8", "16", "--output-dir", str(tmp_path)])
    device = benchmark.device_name()
    train = pd.read_csv(tmp_path / f"benchmark-train-{device}.csv")
    infer = pd.read_csv(tmp_path / f"benchmark-infer-{device}.csv")
    sizes = pd.read_csv(tmp_path / f"benchmark-setsize-{device}.csv")
    assert train[["model", "jit_compile"]].values.tolist() == [["dss_sum_signals", False], ["dss_sum_signals", True],
                                                               ["mlp_signals", False], ["mlp_signals", True]]
    assert (train["train_step_ms"] > 0).all() and (infer["infer_samples_per_sec"] > 0).all()
    assert sizes["set_size"].tolist() == [8, 16] and (sizes["infer_ms"] > 0).all()
    assert {"backend", "keras_version", "device", "param_count"} <= set(train.columns)
    assert (tmp_path / f"benchmark-setsize-{device}.png").stat().st_size > 1000


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
