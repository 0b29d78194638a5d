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
