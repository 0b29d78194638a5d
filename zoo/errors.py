"""Errors the zoo raises for bad input: each says what was wrong and what to do."""


class UnknownModelError(KeyError):
    """A model name that is not in the registry (the message suggests close names)."""

    def __str__(self):
        return str(self.args[0]) if self.args else ""


class IntegrityError(ValueError):
    """A file of a zoo entry is missing or its sha256 does not match the one recorded for it."""


class SetSizeWarning(UserWarning):
    """Sets far larger or smaller than those a model was trained on: its outputs may not be reliable there."""


class HubUnavailableError(RuntimeError):
    """The Hugging Face Hub cannot be reached (offline mode or no network) and nothing usable is cached."""
