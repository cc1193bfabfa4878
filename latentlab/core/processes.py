"""Whether a process has ended: what the sweeps of half-built caches and of run scratch folders ask."""

from __future__ import annotations

import os


def process_gone(pid: int) -> bool:
    """True only when no process `pid` exists. False when it is alive, runs under another user, the pid is not
    a valid one, or the system cannot tell: on Windows os.kill(pid, 0) would end the process, not ask after it."""
    if os.name != "posix" or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except (OSError, OverflowError):
        return False
    return False
