"""gui/model_errors.py: a plug-in failing in a panel's drawing is shown there and said once; bugs still raise."""

from types import SimpleNamespace

import pytest
from psygnal import Signal

from latentlab.core.models.plugin import PluginError
from latentlab.gui.model_errors import shows_model_errors


class Panel:
    changed = Signal()

    def __init__(self, error):
        self.error, self.shown, self.said = error, [], []
        self.session = SimpleNamespace(message=SimpleNamespace(emit=lambda *a: self.said.append(a)))
        self.changed.connect(self._raise)

    def _raise(self):
        raise self.error

    @shows_model_errors
    def redraw(self):
        self.changed.emit()  # the failure arrives wrapped by psygnal, as from a panel hearing of a change
        return "drawn"

    def show_model_error(self, text):
        self.shown.append(text)


def test_a_plugin_error_clears_the_panel_and_is_said_once():
    panel = Panel(PluginError("m.py, line 3: M.decode failed: RuntimeError: no"))
    assert panel.redraw() is None
    assert panel.shown == ["m.py, line 3: M.decode failed: RuntimeError: no"]
    assert panel.said == [("warning", "m.py, line 3: M.decode failed: RuntimeError: no")]


def test_any_other_error_is_raised_as_it_was():
    panel = Panel(RuntimeError("a bug"))
    with pytest.raises(Exception, match="a bug"):
        panel.redraw()
    assert panel.shown == [] and panel.said == []


def test_a_bug_in_showing_the_error_is_raised_as_itself_not_taken_for_the_plugins():
    from latentlab.core.models.plugin import plugin_error_in

    panel = Panel(PluginError("m.py, line 3: M.decode failed: RuntimeError: no"))
    panel.show_model_error = lambda text: {}["missing"]
    with pytest.raises(KeyError) as e:
        panel.redraw()
    assert plugin_error_in(e.value) is None and panel.said == []
