import pandas as pd

from evaluation import benchmark_devices
from evaluation.benchmark import device_name


def test_device_benchmark_writes_a_row_per_device_count(tmp_path):
    path = benchmark_devices.main(["--devices", "1", "2", "--backends", "jax", "--width", "0.02", "--batch-size", "4",
                                   "--steps", "1", "--output-dir", str(tmp_path)])
    rows = pd.read_csv(path)
    assert path.name == f"benchmark-devices-{device_name()}.csv"
    assert {"model", "backend", "devices", "global_batch", "ms_per_step", "sets_per_second", "keras_version",
            "device", "date"} <= set(rows.columns)
    assert rows[["model", "backend", "devices", "global_batch"]].values.tolist() == [
        ["dss_sum_signals", "jax", 1, 4], ["dss_sum_signals", "jax", 2, 4]]
    assert (rows["ms_per_step"] > 0).all() and (rows["sets_per_second"] > 0).all()
