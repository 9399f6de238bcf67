"""Why a training run stopped on purpose. The CLI reports a ``TrainingError``
in one or two lines with exit code 2, without a traceback."""

from autograd_nlp.errors import UserError


class TrainingError(UserError):
    """A training run cannot go on; the message says why and what to do."""


class NonFiniteLossError(TrainingError):
    """The loss (or a parameter) became nan or inf. Raised before anything
    non-finite is written, so the last checkpoint on disk stays good."""


class CheckpointMismatchError(TrainingError):
    """``--resume`` named a checkpoint of another run: another model kind,
    dataset, vocabulary or a setting that cannot change mid-run."""


class TooLittleDataError(TrainingError, ValueError):
    """The data cannot fill one batch (or one batch x time chunk)."""
