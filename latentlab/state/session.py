"""The one shared state of the application, Qt-free: data and codes, model and run, what the user
points at, and a followed run. Each concern is a mixin in its own module; panels read the session,
call its methods and listen to its signals (psygnal, emitted in the thread that changed it).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from latentlab.core.run_dir import RunDir
from latentlab.state.data import DataMixin
from latentlab.state.following import FollowMixin
from latentlab.state.model import ModelMixin
from latentlab.state.run import InlineRun, RunMixin, Runner
from latentlab.state.view import ViewMixin


class Session(DataMixin, ModelMixin, RunMixin, ViewMixin, FollowMixin):

    def __init__(self, runner: Runner = InlineRun,
                 follower_factory: Callable[[Any, RunDir], Any] | None = None,
                 post: Callable[[Callable[[], None]], None] | None = None):
        """`runner` carries out training runs (the window's runs in another thread or process);
        `follower_factory` makes the poller of a followed run directory; `post` runs a function in the
        session's own thread (the GUI thread) when another thread has news (a save during a run)."""
        self.runner = runner
        self.post = post or (lambda fn: fn())
        self.follower_factory = follower_factory
        self._init_run()
        self._init_data()
        self._init_model()
        self._init_view()
        self._init_following()
