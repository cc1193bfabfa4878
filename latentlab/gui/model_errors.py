"""A plug-in's own code failing while a panel draws (core.models.plugin.PluginError: a batch size it was not
probed with, a decode of the wrong size): the panel shows none of the last model's pictures, and the window
says why in one line, instead of a traceback, stale pictures, or (when it happens while a panel is first
built) a half-built widget that crashes at its next paint."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from latentlab.core.models.plugin import plugin_error_in

Method = TypeVar("Method", bound=Callable[..., Any])


def shows_model_errors(method: Method) -> Method:
    """For a panel method that calls the model: a PluginError (also one wrapped by a signal on its way) goes to
    the panel's show_model_error(text) and the session's message; anything else is raised as it was."""

    @functools.wraps(method)
    def guarded(panel, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(panel, *args, **kwargs)
        except Exception as e:
            failed = plugin_error_in(e)
            if failed is None:
                raise
        # outside the except block: a bug in what follows is not taken for the plug-in's error (its context)
        panel.show_model_error(str(failed))
        panel.session.message.emit("warning", str(failed))
        return None

    return guarded  # type: ignore[return-value]
