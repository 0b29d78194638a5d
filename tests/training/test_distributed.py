"""Distributed search with keras-tuner's chief and workers: every trial runs once, even when a worker dies mid-trial;
a second chief, a held port and a node without its settings are refused with a clear error."""

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from concurrent import futures
from pathlib import Path

import grpc
import keras
import pytest

from training.distributed import (
    LOCK_FILE,
    SETTINGS_FILE,
    VARIABLES,
    check_no_chief,
    chief_lock,
    distributed_search,
    free_port,
    run_node,
)
from zoo.cli import build_parser
from zoo.families import get_family

REPOSITORY = Path(__file__).resolve().parents[2]
BUDGET = {"name": "test", "max_trials": 3, "search_epochs": 2, "search_train_size": 2000, "train_size": 256,
          "epochs": 2, "patience": 1}
PROJECT = "deepsets_trained_identity_sum"
TIMEOUT_S = 300

# `zoo train NAME --distributed 2` below the registry: search with a chief and two workers, then the final fit.
LAUNCHER = """
import json, sys
from training.train import train_model
from zoo.families import get_family
budget, work_dir, result = json.loads(sys.argv[1]), sys.argv[2], sys.argv[3]
model, hyperparameters, training = train_model(get_family("identity_sum"), "deepsets_trained", budget, work_dir,
                                               distributed=2, verbose=0)
with open(result, "w") as handle:
    json.dump({"hyperparameters": hyperparameters, "search": training["search"], "fit": training["fit"]}, handle)
"""


def _read_json(path):
    try:
        return json.loads(path.read_text())
    except (FileNotFoundError, json.JSONDecodeError):  # not written yet, or being written
        return None


def _pid(tuner_id, session):
    """The pid of the process of `session` started with `KERASTUNER_TUNER_ID=tuner_id`, or None."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            variables = (entry / "environ").read_bytes().split(b"\0")
            if os.getsid(int(entry.name)) == session and f"KERASTUNER_TUNER_ID={tuner_id}".encode() in variables:
                return int(entry.name)
    return None


def _kill_a_worker_mid_trial(project, session):
    """SIGKILL a worker whose trial the oracle records as running; returns `(tuner_id, trial_id)` or None."""
    oracle = _read_json(project / "oracle.json")
    for tuner_id, trial_id in (oracle or {}).get("ongoing_trials", {}).items():
        trial = _read_json(project / f"trial_{trial_id}" / "trial.json")
        pid = _pid(tuner_id, session) if trial and trial["status"] == "RUNNING" else None
        if pid is not None:
            os.kill(pid, signal.SIGKILL)
            return tuner_id, trial_id
    return None


@pytest.mark.slow  # about 65 s on 2 cores: three processes start TensorFlow, and the chief polls every 20 s
@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="finds the workers' pids in /proc")
def test_a_chief_and_two_workers_run_every_trial_once_though_a_worker_dies_mid_trial(tmp_path):
    search, result, log = tmp_path / "runs" / "search", tmp_path / "result.json", tmp_path / "launcher.log"
    project = search / PROJECT
    environment = {**{k: v for k, v in os.environ.items() if k not in VARIABLES},
                   "KERAS_BACKEND": keras.config.backend(), "TF_CPP_MIN_LOG_LEVEL": "2", "CUDA_VISIBLE_DEVICES": ""}
    with open(log, "w") as output:
        launcher = subprocess.Popen([sys.executable, "-c", LAUNCHER, json.dumps(BUDGET), str(tmp_path / "runs"),
                                     str(result)], cwd=REPOSITORY, env=environment, stdout=output,
                                    stderr=subprocess.STDOUT, start_new_session=True)
    killed, deadline = None, time.monotonic() + TIMEOUT_S
    try:
        while launcher.poll() is None and time.monotonic() < deadline:
            killed = killed or _kill_a_worker_mid_trial(project, session=launcher.pid)
            time.sleep(0.05)
    finally:  # the launcher leads its own process group: this stops the chief and the workers too
        with contextlib.suppress(ProcessLookupError):
            os.killpg(launcher.pid, signal.SIGKILL)
        launcher.wait()
    output = log.read_text()[-5000:]
    assert launcher.returncode == 0, f"the search did not finish within {TIMEOUT_S} s, or failed:\n{output}"
    assert killed is not None, f"no worker was seen running a trial:\n{output}"

    trained = json.loads(result.read_text())
    assert trained["search"]["distributed"] == {"workers": 2, "restarts": {killed[0]: 1}}
    oracle = json.loads((project / "oracle.json").read_text())
    trials = {path.parent.name: json.loads(path.read_text()) for path in project.glob("trial_*/trial.json")}
    assert sorted(trials) == ["trial_0", "trial_1", "trial_2"]
    assert {trial["status"] for trial in trials.values()} == {"COMPLETED"}
    assert sorted(oracle["end_order"]) == ["0", "1", "2"]  # every trial ended once, the killed one too
    assert oracle["run_times"] == {"0": 1, "1": 1, "2": 1} and oracle["ongoing_trials"] == {}
    best = min(trials.values(), key=lambda trial: trial["score"])
    assert trained["hyperparameters"]["learning_rate"] == best["hyperparameters"]["values"]["learning_rate"]
    assert sorted(trial["score"] for trial in trials.values()) == [t["score"] for t in trained["search"]["trials"]]
    assert trained["fit"]["epochs_run"] >= 1  # the launching process carried on with the final fit
    assert not (search / LOCK_FILE).exists()


def test_a_second_chief_is_refused_before_anything_is_cleaned(tmp_path):
    (tmp_path / "trial_0").mkdir()
    with chief_lock(tmp_path, 8470):
        with pytest.raises(RuntimeError, match=rf"chief \(pid {os.getpid()}, port 8470\) already serves"):
            distributed_search(get_family("identity_sum"), "deepsets_trained", BUDGET, tmp_path, workers=2,
                               fresh=True)
        assert (tmp_path / "trial_0").is_dir() and not (tmp_path / SETTINGS_FILE).exists()
    assert not (tmp_path / LOCK_FILE).exists()  # released on leaving


def test_a_lock_left_by_a_dead_chief_is_replaced_and_one_from_another_machine_is_not(tmp_path):
    dead = subprocess.Popen(["true"])
    dead.wait()
    lock = tmp_path / LOCK_FILE
    lock.write_text(json.dumps({"pid": dead.pid, "host": socket.gethostname(), "port": 8470}))
    check_no_chief(tmp_path)
    with chief_lock(tmp_path, 8471):
        assert json.loads(lock.read_text())["pid"] == os.getpid()
    lock.write_text(json.dumps({"pid": os.getpid(), "host": "elsewhere", "port": 8470}))
    with pytest.raises(RuntimeError, match="chief on elsewhere .* if it is gone, delete"):
        check_no_chief(tmp_path)


def test_a_port_a_grpc_server_holds_is_refused(tmp_path, monkeypatch):
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=1))  # binds with SO_REUSEPORT, as the chief does
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    try:
        monkeypatch.setenv("KERASTUNER_ORACLE_PORT", str(port))
        with pytest.raises(RuntimeError, match=f"127.0.0.1:{port} .* holds it"):
            distributed_search(get_family("identity_sum"), "deepsets_trained", BUDGET, tmp_path, workers=1)
        assert not (tmp_path / SETTINGS_FILE).exists()
    finally:
        server.stop(None).wait()
    assert free_port("127.0.0.1", port) == port


def test_a_node_says_what_it_misses(tmp_path, monkeypatch):
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(ValueError, match="missing: KERASTUNER_TUNER_ID, KERASTUNER_ORACLE_IP"):
        run_node(tmp_path)
    monkeypatch.setenv("KERASTUNER_TUNER_ID", "tuner3")
    monkeypatch.setenv("KERASTUNER_ORACLE_IP", "127.0.0.1")
    monkeypatch.setenv("KERASTUNER_ORACLE_PORT", "8470")
    with pytest.raises(FileNotFoundError, match=f"No {SETTINGS_FILE} in .*zoo train NAME --distributed N"):
        run_node(tmp_path)
    with pytest.raises(ValueError, match="at least one worker"):
        distributed_search(get_family("identity_sum"), "deepsets_trained", BUDGET, tmp_path, workers=0)


def test_zoo_train_takes_the_number_of_workers():
    assert build_parser().parse_args(["train", "dss_sum_signals", "--distributed", "2"]).distributed == 2
    assert build_parser().parse_args(["train", "dss_sum_signals"]).distributed is None
