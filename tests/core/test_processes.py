"""core/processes.py: a process is gone only when the system says there is no such process."""

import os
import subprocess
import sys

from latentlab.core.processes import process_gone


def test_a_live_process_is_not_gone_and_an_ended_one_is():
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()  # reaped: its pid names no process now
    assert process_gone(child.pid)
    assert not process_gone(os.getpid())


def test_pids_that_cannot_be_judged_are_never_taken_for_gone():
    assert not process_gone(0) and not process_gone(-1) and not process_gone(2**80)
