"""The fine-tuning check (`python -m evaluation.fine_tuning`): rows measured by the harness, CSV rows replaced per
family, the CSV and plot where `--output` says."""

import pandas as pd
import pytest

from evaluation import fine_tuning


def test_rows_of_the_families_measured_replace_their_earlier_rows(tmp_path):
    csv = tmp_path / "fine_tuning.csv"
    pd.DataFrame([{"entry": "old_identity_sum", "family": "identity_sum", "loaded": 0.0},
                  {"entry": "gru_parity", "family": "parity", "loaded": 1.0}]).to_csv(csv, index=False)
    fine_tuning.main(["identity_sum", "--examples", "16", "--epochs", "1", "--output", str(csv)])
    table = pd.read_csv(csv)
    assert sorted(table["entry"]) == ["deepsets_identity_sum", "deepsets_trained_identity_sum", "gru_parity"]
    row = table.set_index("entry").loc["deepsets_identity_sum"]
    assert (row["metric"], row["examples"], row["epochs"], row["test_seed"]) == ("accuracy", 16, 1, 1)
    assert row["loaded"] == 1.0  # the analytic identity sum: exact before and after
    assert 0.0 <= row["fine_tuned"] <= 1.0 and 0.0 <= row["fine_tuned_at_training_rate"] <= 1.0
    assert (tmp_path / "fine_tuning.png").stat().st_size > 0


def test_a_family_that_streams_its_training_data_gives_its_first_batches():
    from zoo.families import get_family

    x, y = fine_tuning.training_examples(get_family("population_entropy"), 40)
    assert len(y) == 40 and len(x) == 40


def test_a_family_that_fails_keeps_the_rows_of_the_families_measured_before_it(tmp_path, monkeypatch):
    csv = tmp_path / "fine_tuning_20_epochs.csv"

    def measure(name, examples, epochs):
        if name.endswith("_parity"):
            raise FileNotFoundError("no data for parity")
        return {"entry": name, "family": "identity_sum", "metric": "accuracy", "loaded": 1.0, "fine_tuned": 1.0,
                "fine_tuned_at_training_rate": 0.5, "examples": examples, "epochs": epochs}

    monkeypatch.setattr(fine_tuning, "measure_entry", measure)
    with pytest.raises(FileNotFoundError):
        fine_tuning.main(["identity_sum", "parity", "--output", str(csv)])
    assert csv.with_suffix(".png").exists()
    assert sorted(pd.read_csv(csv)["entry"]) == ["deepsets_identity_sum", "deepsets_trained_identity_sum"]
