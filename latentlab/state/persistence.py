"""Settings kept between sessions: every setting the schema marks `remember`, as text by its name.

The window stores these in QSettings (gui/main_window.py); the text is the schema's own format, so
a value that no longer fits (an edited file, a renamed choice) is skipped, never a crash.
"""

from __future__ import annotations

from collections.abc import Mapping

from latentlab.core.settings import SettingError
from latentlab.state.app import AppState
from latentlab.state.schema import schema

SKIPPED_SECTIONS = ("data", "run")  # the data is remembered with its folder; run.* belongs to the train command


def remembered(app: AppState) -> dict[str, str]:
    return {s.name: s.format(app.get(s.name)) for s in schema().values()
            if s.remember and s.section not in SKIPPED_SECTIONS}


def restore(app: AppState, values: Mapping[str, object]) -> list[str]:
    """Apply remembered values; the ones that no longer fit, each as a line (they are left at their default)."""
    problems = []
    settings = schema()
    for name, text in values.items():
        setting = settings.get(name)
        if setting is None or not setting.remember or setting.section in SKIPPED_SECTIONS:
            continue
        try:
            app.set_text(name, str(text))
        except SettingError as e:
            problems.append(str(e))
    return problems
