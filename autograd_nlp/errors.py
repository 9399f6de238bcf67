"""Errors that are the user's to fix (a bad file, a wrong option, the wrong
checkpoint): the ``autograd-nlp`` command prints their message as
``autograd-nlp: <message>`` and exits with code 2, without a traceback.

Raise a :class:`UserError` subclass where the message can say what came and
what to do; keep ``ValueError`` / ``TypeError`` for programming mistakes. The
subclasses below are also ``ValueError`` so library callers that catch
``ValueError`` keep working.
"""


class UserError(Exception):
    """A mistake the user can fix; the message says what came and what to do."""


class BadFileError(UserError, ValueError):
    """A file that cannot be read as what it should be: missing, a directory,
    empty, truncated, corrupt, or not an ``.npz`` at all."""


class CheckpointError(UserError, ValueError):
    """A readable checkpoint that does not fit the command: another model
    kind, or entries the command needs are missing."""


class BadSettingError(UserError, ValueError):
    """An environment variable of ours with a value it cannot take (e.g.
    ``AUTOGRAD_NLP_THREADS=two``)."""
