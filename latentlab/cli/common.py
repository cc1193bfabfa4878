"""What every subcommand shares: the one-line user error, and loading a checkpoint or failing with one."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

EXIT_USER_ERROR = 2


class UserError(Exception):
    """A mistake the user can fix: printed as one line, exit status 2."""


def load_or_fail(path: str):
    """A checkpoint file, or `pretrained:NAME` for a shipped one; one line if it cannot be loaded."""
    from latentlab.core.checkpoints import load_checkpoint
    from latentlab.core.pretrained import resolve

    try:
        return load_checkpoint(resolve(path))
    except ValueError as e:  # CheckpointError, or an unknown pretrained name
        raise UserError(str(e)) from None


@contextmanager
def as_user_errors() -> Iterator[None]:
    """ValueError (and its CheckpointError, DataError and SettingError) as one line."""
    try:
        yield
    except ValueError as e:
        raise UserError(str(e)) from None
