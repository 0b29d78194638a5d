"""One checkpointed training run: resumable, early-stopped on the validation metric, best weights kept."""

import csv
import time
from pathlib import Path

import keras


def _logged(history_csv, monitor):
    """Values of `monitor` logged by earlier (possibly killed) runs in `history_csv`."""
    if not history_csv.exists():
        return []
    with open(history_csv) as handle:
        return [float(row[monitor]) for row in csv.DictReader(handle) if row.get(monitor)]


def fit_model(model, family, train, val, epochs, patience, seed, checkpoint_dir, batch_size=64, verbose=2):
    """Fit a compiled model and return it with the best validation weights restored.

    A run killed half-way resumes from `checkpoint_dir` (BackupAndRestore keeps the last epoch; the best weights
    so far are kept in `best.weights.h5`). The history is appended to `history.csv`.

    Args:
        model: a compiled zoo model.
        family: its family (for the monitored metric).
        train, val: `(x, y)` pairs.
        epochs: maximum number of epochs.
        patience: epochs without improvement of the validation metric before stopping.
        seed: seed of Keras's random state (initialisation was done at build; this seeds shuffling/dropout).
        checkpoint_dir: folder for the checkpoints and the history.

    Returns:
        `(model, summary)` with summary = epochs run, best epoch, best validation metric, seconds.
    """
    checkpoint_dir = Path(checkpoint_dir)
    checkpoint_dir.mkdir(parents=True, exist_ok=True)
    monitor = f"val_{family.metric}"
    mode = "max" if family.higher_is_better else "min"
    best, history_csv = checkpoint_dir / "best.weights.h5", checkpoint_dir / "history.csv"
    pick = max if mode == "max" else min
    earlier = _logged(history_csv, monitor) if best.exists() else []
    callbacks = [
        keras.callbacks.BackupAndRestore(str(checkpoint_dir / "backup")),
        keras.callbacks.ModelCheckpoint(str(best), monitor=monitor, mode=mode, save_best_only=True,
                                        save_weights_only=True,
                                        initial_value_threshold=pick(earlier) if earlier else None),
        keras.callbacks.EarlyStopping(monitor=monitor, mode=mode, patience=patience),
        keras.callbacks.CSVLogger(str(history_csv), append=True),
    ]
    keras.utils.set_random_seed(seed)
    start = time.time()
    history = model.fit(*train, validation_data=val, epochs=epochs, batch_size=batch_size, callbacks=callbacks,
                        verbose=verbose)
    if best.exists():
        model.load_weights(str(best))
    values = _logged(history_csv, monitor) or history.history.get(monitor, [])
    summary = {
        "epochs_run": len(values),
        "max_epochs": epochs,
        "patience": patience,
        "batch_size": batch_size,
        "best_val_metric": round(pick(values), 4) if values else None,
        "seconds": round(time.time() - start, 1),
    }
    return model, summary
