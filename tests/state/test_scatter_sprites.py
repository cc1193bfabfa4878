"""The scatter's thumbnail settings, headless: declared in the schema, set by name, checked."""

import pytest

from latentlab.core.settings import SettingError
from latentlab.state.schema import lookup


def test_thumbnails_are_off_by_default_and_set_by_name(app):
    assert app.scatter.sprites is False and app.scatter.sprite_size == 28 and app.scatter.sprite_opacity == 1.0
    seen = []
    app.scatter.events.sprites.connect(seen.append)
    app.set_text("scatter.sprites", "true")
    app.set_text("scatter.sprite_size", "48")
    app.set_text("scatter.sprite_opacity", "0.4")
    assert seen == [True] and app.scatter.sprite_size == 48 and app.scatter.sprite_opacity == 0.4
    with pytest.raises(SettingError, match="sprite_size"):
        app.set_text("scatter.sprite_size", "500")
    with pytest.raises(SettingError, match="sprite_opacity"):
        app.set_text("scatter.sprite_opacity", "0")
    assert lookup("scatter.sprites").flag == "--sprites" and "pixels" in lookup("scatter.sprite_size").tooltip()
