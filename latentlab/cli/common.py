"""What every subcommand shares: the one-line user error, and loading a checkpoint or failing with one."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

EXIT_USER_ERROR = 2


class UserError(Exception):
    """A mistake the user can fix: printed as one line, exit status 2."""


def load_or_fail(path: str):
    from latentlab.core.checkpoints import CheckpointError, load_checkpoint

    try:
        return load_checkpoint(path)
    except CheckpointError as e:
        raise UserError(str(e)) from None


@contextmanager
def as_user_errors() -> Iterator[None]:
    """ValueError (and its CheckpointError, DataError and SettingError) as one line."""
    try:
        yield
    except ValueError as e:
        raise UserError(str(e)) from None
