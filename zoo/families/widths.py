"""Channel-width multipliers, which several families use to train smaller copies of a paper's networks."""


def scaled(widths, width):
    """Channel widths scaled by the multiplier `width`, at least 1."""
    return tuple(max(1, round(w * width)) for w in widths)


def width_note(hyperparameters):
    """The card sentence for an entry trained below the paper's channel widths (none at full width)."""
    width = hyperparameters.get("width", 1.0)
    if width == 1.0:
        return []
    return [f"Trained at {width:g}× the paper's channel widths, to keep the weights small and training short; "
            "`zoo train NAME --budget gpu` trains the paper's widths."]
