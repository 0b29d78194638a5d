import json
import os

from zoo.cli import main


def test_list_and_info(tiny_zoo, capsys):
    assert main(["list"]) == 0
    assert "tiny_dss_signals" in capsys.readouterr().out
    assert main(["info", "tiny_dss_signals"]) == 0
    assert json.loads(capsys.readouterr().out)["architecture"] == "dss_sum"


def test_unknown_name_exits_2_with_a_suggestion(tiny_zoo, capsys):
    assert main(["info", "tiny_dss_signal"]) == 2
    assert "Did you mean 'tiny_dss_signals'" in capsys.readouterr().err


def test_predict_prints_predictions_and_the_symmetry_check(tiny_zoo, capsys):
    assert main(["predict", "tiny_dss_signals", "-n", "3"]) == 0
    out = capsys.readouterr().out
    assert out.count("predicted") == 3 and "symmetry check: passed=True" in out


def test_predict_shows_as_many_sets_as_asked_for_an_image_to_image_entry(capsys):
    assert main(["predict", "dss_aittala_colour_matching", "-n", "2"]) == 0
    out = capsys.readouterr().out
    assert out.count("prediction (6, 64, 64, 3), mean absolute error") == 2 and "passed=True" in out


def test_eval_prints_harness_metrics(tiny_zoo, capsys):
    assert main(["eval", "tiny_dss_signals", "--seeds", "1"]) == 0
    assert json.loads(capsys.readouterr().out)["seeds"] == [1]


def test_push_dry_run(tiny_zoo, capsys):
    assert main(["push", "tiny_dss_signals", "--dry-run"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["dry_run"] and result["repo_id"] == "symmetry-zoo/tiny_dss_signals"


def _run(*code_or_args, env=None):
    import subprocess
    import sys

    return subprocess.run([sys.executable, *code_or_args], capture_output=True, text=True, timeout=300,
                          env={**os.environ, **(env or {})})


def test_help_and_argument_errors_never_start_a_backend():
    for argv in (["--help"], ["train", "--help"], ["train"]):  # the last: an argument error (no name)
        result = _run("-X", "importtime", "-m", "zoo.cli", *argv)
        imported = {line.split("|")[-1].strip() for line in result.stderr.splitlines() if "|" in line}
        assert result.returncode == 2 if argv == ["train"] else result.returncode == 0
        assert "zoo" in imported and not imported & {"keras", "tensorflow", "jax", "torch"}, argv


def test_importing_zoo_registers_its_layers_with_keras(tmp_path):
    code = ("import zoo, keras\n"
            "model = zoo.load('deepsets_identity_sum', compile=False)\n"
            f"model.save({str(tmp_path / 'm.keras')!r})\n")
    assert _run("-c", code).returncode == 0
    path = str(tmp_path / "m.keras")
    loaded = _run("-c", f"import zoo, keras; print(type(keras.saving.load_model({path!r})).__name__)")
    assert loaded.stdout.strip() == "SetModel", loaded.stderr


def test_commands_keep_the_backend_start_up_lines_off_the_terminal():
    result = _run("-m", "zoo.cli", "predict", "deepsets_identity_sum", "-n", "1")
    assert result.returncode == 0, result.stderr
    assert "predicted" in result.stdout
    for noise in ("oneDNN", "cuInit", "cuda", "absl"):
        assert noise not in result.stderr
    shown = _run("-c", "import zoo; zoo.load('deepsets_identity_sum')", env={"ZOO_VERBOSE": "1"})
    assert shown.returncode == 0
    if os.environ.get("KERAS_BACKEND", "tensorflow") == "tensorflow":
        assert any(noise in shown.stderr for noise in ("oneDNN", "cuInit", "absl"))  # still there when asked for
