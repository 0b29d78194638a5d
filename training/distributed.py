"""Distributed hyper-parameter search with keras-tuner's own chief and workers.

keras-tuner splits a search over processes that share its directory, each told its role by three variables:
`KERASTUNER_TUNER_ID` (`chief`, `tuner0`, `tuner1`, …), `KERASTUNER_ORACLE_IP` and `KERASTUNER_ORACLE_PORT`. The
chief serves the oracle over gRPC and runs no trial; each worker asks it for a trial, runs it, reports the result and
asks again, until the chief says the search is over.

- `distributed_search` (behind `zoo train NAME --distributed N`) writes the search's settings into its directory,
  starts a chief and N workers on this machine (`python -m training.distributed DIRECTORY`), restarts a worker that
  dies, and reads the best hyper-parameters back from the directory once the chief is done;
- `python -m training.distributed DIRECTORY` is one node of such a search, its role set by the variables: workers on
  other machines join with it (README, "Distributed search").

Pitfalls handled here:

- gRPC binds with SO_REUSEPORT, so a leftover chief on the same port silently takes workers: a chief holds
  `DIRECTORY/chief.lock` (pid, host, port) while it serves, and the launcher refuses a directory whose lock names a
  live process, and a port that some process holds.
- A worker that dies mid-trial leaves the chief waiting for that trial forever. The oracle gives a tuner ID its
  ongoing trial again (`Oracle.create_trial`), so the launcher restarts the worker with the same ID and it re-runs
  the trial.
- `overwrite=True` on a late worker would delete the others' trials: tuners never overwrite
  (`training.search.make_tuner`); `fresh=True` cleans the directory before anyone starts.
- Workers' checkpoints land in the directory's `trial_N/` folders: the launcher reads the best hyper-parameters (not
  a worker's model) from the directory, as the chief left it.
"""

import argparse
import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import keras

from training.search import make_tuner, run_trials, search_results

SETTINGS_FILE = "distributed.json"
LOCK_FILE = "chief.lock"
VARIABLES = ("KERASTUNER_TUNER_ID", "KERASTUNER_ORACLE_IP", "KERASTUNER_ORACLE_PORT")


def distributed_search(family, architecture, budget, directory, workers, seed=0, fixed=None, verbose=2, fresh=False,
                       max_restarts=2, grace_s=10):
    """`training.search.search` run by a keras-tuner chief and `workers` worker processes started on this machine;
    returns `(best hyper-parameters, search summary)`, the summary recording the workers and their restarts.

    The chief serves on `KERASTUNER_ORACLE_IP`:`KERASTUNER_ORACLE_PORT` when this process has them (so that workers
    on other machines can join: README, "Distributed search"), else on 127.0.0.1 at a free port. A worker that dies
    is restarted with the same ID, at most `max_restarts` times each, and re-runs the trial it died in. Once the chief
    is done, workers still running `grace_s` seconds later (ones that never reached it) are stopped.

    Args:
        family: the family; the processes find it again by name (`zoo.families.get_family`).
        architecture: one of `family.architectures`.
        budget: a resolved budget dict (`training.search.resolve_budget`).
        directory: the tuner directory, shared by every process; an earlier search there resumes.
        workers: number of worker processes started here, `tuner0` … `tuner{workers - 1}`.
        seed: seed of the search and of each worker's initialisation.
        fixed: hyper-parameters fixed on top of the search space.
        fresh: delete `directory` first (once sure that no chief serves it).

    Raises:
        RuntimeError: a chief already serves `directory`, the port is taken, the chief failed, or a worker died more
            than `max_restarts` times (the search resumes from `directory` when run again).

    Example:
    >>> from zoo.families import get_family
    >>> budget = {"max_trials": 3, "search_epochs": 2, "search_train_size": 1000}
    >>> best, summary = distributed_search(get_family("identity_sum"), "deepsets_trained", budget,
    ...                                    "runs/deepsets_trained_identity_sum/search", workers=2)  # doctest: +SKIP
    >>> summary["distributed"]  # doctest: +SKIP
    {'workers': 2, 'restarts': {}}
    """
    if workers < 1:
        raise ValueError(f"A distributed search needs at least one worker here; got workers={workers}.")
    directory = Path(directory)
    check_no_chief(directory)
    host = os.environ.get("KERASTUNER_ORACLE_IP", "127.0.0.1")
    port = free_port(host, int(os.environ.get("KERASTUNER_ORACLE_PORT", 0)))
    if fresh:
        shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True, exist_ok=True)
    settings = {"family": family.name, "architecture": architecture, "budget": budget, "seed": seed,
                "fixed": fixed or {}, "verbose": verbose}
    (directory / SETTINGS_FILE).write_text(json.dumps(settings, indent=2))
    environment = {**os.environ, "KERASTUNER_ORACLE_IP": host, "KERASTUNER_ORACLE_PORT": str(port),
                   "KERAS_BACKEND": keras.config.backend(),
                   "TF_CPP_MIN_LOG_LEVEL": os.environ.get("TF_CPP_MIN_LOG_LEVEL", "2")}

    def start(tuner_id):
        # The chief builds a model only to learn the search space: it keeps off the accelerators the workers use.
        devices = {"CUDA_VISIBLE_DEVICES": ""} if tuner_id == "chief" else {}
        return subprocess.Popen([sys.executable, "-m", "training.distributed", str(directory)],
                                env={**environment, **devices, "KERASTUNER_TUNER_ID": tuner_id})

    nodes = {tuner_id: start(tuner_id) for tuner_id in ["chief", *(f"tuner{i}" for i in range(workers))]}
    try:
        restarts = _watch(nodes, start, max_restarts, grace_s)
    finally:
        for process in nodes.values():
            if process.poll() is None:
                process.kill()
                process.wait()
        _release(directory, nodes["chief"].pid)
    with _reading_as_chief():
        tuner = make_tuner(family, architecture, budget, directory, seed=seed, fixed=fixed)
    best, summary = search_results(tuner, budget)
    return best, {**summary, "distributed": {"workers": workers, "restarts": restarts}}


def _watch(nodes, start, max_restarts, grace_s):
    """Wait for the chief to finish, restarting dead workers in `nodes` (`{tuner_id: process}`, updated); returns
    `{tuner_id: restarts}` of the workers restarted."""
    restarts = {}
    while nodes["chief"].poll() is None:
        for tuner_id, process in list(nodes.items()):
            if tuner_id == "chief" or process.poll() in (None, 0):
                continue
            if restarts.get(tuner_id, 0) == max_restarts:
                raise RuntimeError(f"Worker {tuner_id} died {max_restarts + 1} times (last exit status "
                                   f"{process.returncode}), so the search stops; its output above says why.")
            restarts[tuner_id] = restarts.get(tuner_id, 0) + 1
            print(f"Worker {tuner_id} died (exit status {process.returncode}); restarted with the same ID "
                  f"({restarts[tuner_id]}/{max_restarts}), it re-runs the trial it was running.", file=sys.stderr)
            nodes[tuner_id] = start(tuner_id)
        time.sleep(0.5)
    if nodes["chief"].returncode != 0:
        raise RuntimeError(f"The keras-tuner chief exited with status {nodes['chief'].returncode}; its output above "
                           "says why.")
    deadline = time.monotonic() + grace_s
    while time.monotonic() < deadline and any(process.poll() is None for process in nodes.values()):
        time.sleep(0.5)
    return restarts


@contextlib.contextmanager
def _reading_as_chief():
    """keras-tuner's variables for reading the search as the chief left it without joining it: the chief's ID (its
    tuner file is the one sure to exist, and the tuner reloads the oracle only when its own file exists), no address."""
    saved = {name: os.environ.pop(name, None) for name in VARIABLES}
    os.environ["KERASTUNER_TUNER_ID"] = "chief"
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def free_port(host, port=0):
    """`port` on `host` (0: a free one the system picks), once sure that no process holds it.

    gRPC binds with SO_REUSEPORT, so a chief would share a held port with, say, a leftover chief, which then silently
    takes workers: refuse instead.

    Example:
    >>> free_port("127.0.0.1") > 0
    True
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # connections closing on it are no obstacle
        try:
            probe.bind((host, port))
        except OSError as error:
            raise RuntimeError(f"Cannot serve the search's oracle on {host}:{port} ({error.strerror}): a process, "
                               "perhaps a leftover keras-tuner chief, holds it; gRPC would share it silently. Stop "
                               "that process or choose another KERASTUNER_ORACLE_PORT.") from error
        return probe.getsockname()[1]


def check_no_chief(directory):
    """Raise `RuntimeError` if a chief serves the search in `directory`: its `chief.lock` names a live process on
    this machine, or any process on another machine. A lock left by a chief that died here is ignored.

    Example:
    >>> import tempfile
    >>> check_no_chief(tempfile.mkdtemp())  # nothing serves a new folder
    """
    lock = _read_lock(directory)
    if lock is None:
        return
    if lock["host"] != socket.gethostname():
        raise RuntimeError(f"A keras-tuner chief on {lock['host']} (pid {lock['pid']}, port {lock['port']}) serves "
                           f"the search in {directory}; if it is gone, delete {Path(directory) / LOCK_FILE}.")
    if _alive(lock["pid"]):
        raise RuntimeError(f"A keras-tuner chief (pid {lock['pid']}, port {lock['port']}) already serves the search "
                           f"in {directory}: wait for it to finish or stop it (kill {lock['pid']}). A second chief "
                           "would split the workers between two oracles.")


@contextlib.contextmanager
def chief_lock(directory, port):
    """Hold `directory/chief.lock` (pid, host, port) while this process serves the oracle of the search there.

    Raises `RuntimeError` (`check_no_chief`) when another live chief holds it; a lock left by a dead one is replaced.

    Example:
    >>> import tempfile
    >>> directory = tempfile.mkdtemp()
    >>> with chief_lock(directory, 8470):  # doctest: +ELLIPSIS
    ...     check_no_chief(directory)
    Traceback (most recent call last):
    RuntimeError: A keras-tuner chief (pid ..., port 8470) already serves the search in ...
    """
    path = Path(directory) / LOCK_FILE
    staged = path.with_name(f"{LOCK_FILE}.{os.getpid()}")
    staged.write_text(json.dumps({"pid": os.getpid(), "host": socket.gethostname(), "port": int(port)}))
    try:
        while True:
            try:
                os.link(staged, path)  # atomic, written in full, and refused while a lock exists
                break
            except FileExistsError:
                check_no_chief(directory)
                path.unlink(missing_ok=True)  # its chief died
    finally:
        staged.unlink()
    try:
        yield
    finally:
        _release(directory, os.getpid())


def _read_lock(directory):
    try:
        return json.loads((Path(directory) / LOCK_FILE).read_text())
    except FileNotFoundError:
        return None


def _release(directory, pid):
    """Remove `chief.lock` if it is the lock of process `pid` of this machine."""
    lock = _read_lock(directory)
    if lock is not None and (lock["pid"], lock["host"]) == (pid, socket.gethostname()):
        (Path(directory) / LOCK_FILE).unlink(missing_ok=True)


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, another user's
        return True
    return True


def run_node(directory):
    """Run this process's part of the search whose settings `distributed_search` wrote in `directory`: serve its
    oracle until every trial has ended (`KERASTUNER_TUNER_ID=chief`) or run the trials the chief hands out
    (`tuner0`, `tuner1`, …).

    Example, a worker joining from another machine that shares the directory:

        KERASTUNER_TUNER_ID=tuner4 KERASTUNER_ORACLE_IP=10.0.0.1 KERASTUNER_ORACLE_PORT=8470 \\
            python -m training.distributed runs/dss_sum_signals/search
    """
    from zoo.families import get_family

    missing = [name for name in VARIABLES if not os.environ.get(name)]
    if missing:
        raise ValueError(f"A node of a distributed search needs {', '.join(VARIABLES)}; missing: "
                         f"{', '.join(missing)}.")
    path = Path(directory) / SETTINGS_FILE
    if not path.is_file():
        raise FileNotFoundError(f"No {SETTINGS_FILE} in {directory}: start the search with `zoo train NAME "
                                "--distributed N` first (it writes the settings every node reads), then the workers "
                                "of other machines.")
    settings = json.loads(path.read_text())
    family = get_family(settings["family"])
    tuner_arguments = (family, settings["architecture"], settings["budget"], directory, settings["seed"],
                       settings["fixed"])
    if "chief" not in os.environ["KERASTUNER_TUNER_ID"]:  # keras-tuner's own test for the chief
        run_trials(make_tuner(*tuner_arguments), family, settings["budget"], settings["seed"], settings["verbose"])
        return
    with chief_lock(directory, os.environ["KERASTUNER_ORACLE_PORT"]):
        tuner = make_tuner(*tuner_arguments)
        tuner.search(verbose=settings["verbose"])  # serves the oracle until every trial has ended
        tuner.save()  # keras-tuner's last save comes before its last trial leaves the ongoing ones: record the end


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m training.distributed",
        description="One node (chief or worker, from KERASTUNER_TUNER_ID) of a distributed hyper-parameter search.")
    parser.add_argument("directory", help="the search's tuner directory, shared by every node (runs/NAME/search)")
    run_node(parser.parse_args(argv).directory)


if __name__ == "__main__":
    main()
