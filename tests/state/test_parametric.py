"""The parametric-fits state, headless: its settings are in the schema, a fit follows n and the prior."""

import pytest

from latentlab.core.parametric import mle
from latentlab.core.settings import SettingError
from latentlab.state.app import AppState
from latentlab.state.parametric import ParametricState


def test_fits_follow_n_and_the_prior_strength():
    st = ParametricState()
    fit = st.update()
    assert fit is not None and fit.n == 10 and len(fit.curves) == 2 and st.message == ""
    small_gap = abs(fit.map[0] - fit.mle[0])
    st.n = 400
    big = st.update()
    assert abs(big.map[0] - big.mle[0]) < small_gap
    assert list(big.curves[0].grid) == list(fit.curves[0].grid)  # fixed axes: the estimates move, not the axes
    st.strength = 0.0
    assert st.update().map == pytest.approx(st.update().mle)
    st.model, st.strength, st.prior_mean = "poisson", 4.0, 10.0
    fit = st.update()
    assert fit.prior.mean == 10.0 and len(fit.curves) == 1 and fit.mle == mle("poisson", st.data())
    st.prior_mean = -3.0  # no Poisson has a negative rate: a message, no fit
    assert st.update() is None and "at least 0" in st.message


def test_settings_by_name_and_refusals():
    app = AppState()
    app.set("parametric.n", 50)
    app.set_text("parametric.model", "poisson")
    assert app.get("parametric.n") == 50 and app.parametric.model == "poisson"
    with pytest.raises(SettingError):
        app.set("parametric.n", 1)
    with pytest.raises(SettingError):
        app.set("parametric.source", "cifar")
    with pytest.raises(SettingError):
        app.set("parametric.strength", -1)
