"""One checkpointed training run: resumable, early-stopped on the validation loss, the best epoch kept (by the
validation loss, or a regularised model's validation objective)."""

import csv
import time
from pathlib import Path

import keras

from training.invariance import INVARIANCE_OBJECTIVE, ValidationOrderSensitivity
from training.search import fit_inputs


def _logged(history_csv, monitor):
    """Values of `monitor` logged by earlier (possibly killed) runs in `history_csv`."""
    if not history_csv.exists():
        return []
    with open(history_csv) as handle:
        return [float(row[monitor]) for row in csv.DictReader(handle) if row.get(monitor)]


class EpochSeconds(keras.callbacks.Callback):
    """Logs each epoch's wall-clock seconds (`epoch_seconds`, validation included), so that the history of a run
    resumed after a kill still sums to its whole training time."""

    def on_epoch_begin(self, epoch, logs=None):
        self._start = time.time()

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None:
            logs["epoch_seconds"] = time.time() - self._start


def fit_model(model, family, train, val, epochs, patience, seed, checkpoint_dir, verbose=2, callbacks=(),
              monitor="val_loss"):
    """Fit a compiled model and return it with the weights of its best epoch restored.

    The learning rate halves when the validation loss stalls for `patience // 3` epochs; training stops after
    `patience` epochs without improvement. The epoch kept is the one of lowest `monitor`: the validation loss, or
    for a model regularised towards invariance `INVARIANCE_OBJECTIVE` (the validation loss plus the validation
    order sensitivity, logged each epoch by `ValidationOrderSensitivity`), so that the noisier sensitivity chooses
    among the epochs without steering the schedule. A run killed half-way resumes from `checkpoint_dir`
    (BackupAndRestore keeps the last epoch; the best weights so far are kept in `best.weights.h5`), and a finished
    run (marked by `finished`) is not trained again. The history is appended to `history.csv`.

    Args:
        model: a compiled zoo model.
        family: its family (for the batch size and the monitored metric).
        train: an `(x, y)` pair or a Keras dataset (e.g. a `PyDataset` of random sets); val: an `(x, y)` pair.
        epochs: maximum number of epochs.
        patience: epochs without improvement of the validation loss before stopping.
        seed: seed of Keras's random state (initialisation was done at build; this seeds shuffling/dropout).
        checkpoint_dir: folder for the checkpoints and the history.
        callbacks: extra Keras callbacks (e.g. TensorBoard), run after the zoo's.
        monitor: `"val_loss"` or `INVARIANCE_OBJECTIVE`.

    Returns:
        `(model, summary)` with summary = epochs run, best epoch, its validation loss and metric (and the
        monitored value, when it is not the loss), seconds.
    """
    if monitor not in ("val_loss", INVARIANCE_OBJECTIVE):
        raise ValueError(f"Unknown monitor {monitor!r}; expected 'val_loss' or {INVARIANCE_OBJECTIVE!r}.")
    checkpoint_dir = Path(checkpoint_dir)
    checkpoint_dir.mkdir(parents=True, exist_ok=True)
    # The validation loss is a far smoother criterion than accuracy on a few hundred validation sets.
    mode, pick = "min", min
    best, history_csv = checkpoint_dir / "best.weights.h5", checkpoint_dir / "history.csv"
    earlier = _logged(history_csv, monitor) if best.exists() else []
    callbacks = [
        *([ValidationOrderSensitivity(family, val[0])] if monitor == INVARIANCE_OBJECTIVE else []),
        keras.callbacks.BackupAndRestore(str(checkpoint_dir / "backup")),
        keras.callbacks.ModelCheckpoint(str(best), monitor=monitor, mode=mode, save_best_only=True,
                                        save_weights_only=True,
                                        initial_value_threshold=pick(earlier) if earlier else None),
        keras.callbacks.ReduceLROnPlateau(monitor="val_loss", mode=mode, factor=0.5, patience=max(1, patience // 3)),
        keras.callbacks.EarlyStopping(monitor="val_loss", mode=mode, patience=patience),
        EpochSeconds(),
        keras.callbacks.CSVLogger(str(history_csv), append=True),
        *callbacks,
    ]
    keras.utils.set_random_seed(seed)
    start = time.time()
    batch_size = family.training.batch_size
    finished, logged = checkpoint_dir / "finished", {}
    if not finished.exists():  # a finished run is not trained again: its best weights and history are reused
        logged = model.fit(**fit_inputs(train, batch_size), validation_data=val, epochs=epochs,
                           callbacks=callbacks, verbose=verbose).history
        finished.touch()
    elif not model.optimizer.built:  # so that the checkpoint's optimizer state loads without a warning
        model.optimizer.build(model.trainable_variables)
    if best.exists():
        model.load_weights(str(best))
    scores = _logged(history_csv, monitor) or logged.get(monitor, [])
    losses = _logged(history_csv, "val_loss") or logged.get("val_loss", [])
    monitored = f"val_{family.task.monitored}"
    metrics = _logged(history_csv, monitored) or logged.get(monitored, [])
    best_epoch = scores.index(pick(scores)) if scores else None
    summary = {
        "epochs_run": len(losses),
        "max_epochs": epochs,
        "patience": patience,
        "batch_size": batch_size if isinstance(train, tuple) else getattr(train, "batch_size", None),
        "best_epoch": None if best_epoch is None else best_epoch + 1,
        "best_val_loss": round(losses[best_epoch], 4) if losses else None,
        f"best_epoch_{monitored}": round(metrics[best_epoch], 4) if metrics else None,
        **({f"best_{monitor}": round(scores[best_epoch], 4)} if monitor != "val_loss" and scores else {}),
        "seconds": round(sum(_logged(history_csv, "epoch_seconds")) or time.time() - start, 1),
    }
    return model, summary
