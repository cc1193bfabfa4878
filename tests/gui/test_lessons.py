"""Walk every lesson step in order, as a class would with Next, and check what each step set up."""

import numpy as np
import pytest
import torch

from latentlab.gui.panels.lessons import formula_html
from latentlab.gui.widgets.visibility import on_screen


def front(window, name):
    dock = window.docks[name]
    return dock.isVisible() if dock.isFloating() else on_screen(dock.widget())


def overlays_on(window):
    return {k for k, box in window.scatter.overlay.items() if box.isChecked()}


def opened(window, name):
    return window.session.checkpoint_path is not None and window.session.checkpoint_path.stem == name


def check_ae(w, seen):
    assert opened(w, "ae-mnist5k-2d") and w.session.dataset.name == "mnist5k"
    assert front(w, "decoder") and overlays_on(w) == set()


def check_gap(w, seen):
    assert torch.allclose(w.session.focus, torch.tensor([7.58, -2.22]))
    codes = w.session.codes().train
    assert np.sqrt(((codes - [7.58, -2.22]) ** 2).sum(1)).min() > 0.5  # the point really is in a gap


def check_interpolation(w, seen):
    assert [a.index for a in w.interpolation.anchors] == [17, 0] and front(w, "interpolation")
    assert w.session.path is not None


def check_prior_samples(w, seen):
    assert front(w, "samples") and overlays_on(w) == {"prior"}


def check_dae_ring(w, seen):
    assert opened(w, "dae-ring8") and w.session.dataset.name == "ring8" and front(w, "walkback")
    assert [run.t for run in w.walkback.runs] == [1]


def walkback_lower(w, t):
    assert [name.split(" (")[0] for name in w.walkback.names] == ["without walkback", "with walkback"]
    assert [run.t for run in w.walkback.runs] == [t, t]
    without, with_ = (values[-1] for _, values in w.walkback.mmd)
    assert with_ < without  # the lesson's claim, on the shipped pair


def check_digit_chains(w, seen):
    assert opened(w, "dae-walkback-mnist5k") and w.walkback.runs[0].t == 30
    assert w.walkback.stack.currentIndex() == 1  # the filmstrip


def check_gaussian(w, seen):
    assert opened(w, "ae-mnist5k-2d") and overlays_on(w) == {"gaussian"}
    seen["gaussian"] = w.scatter.fit_comparison.gaussian
    assert "Gaussian fit" in w.scatter.message.text()


def check_kde(w, seen):
    c = w.scatter.fit_comparison
    assert overlays_on(w) == {"gaussian", "density"} and w.scatter.kde_scale.value() == 1
    assert c.kde > c.gaussian == pytest.approx(seen["gaussian"])  # the KDE explains held-out codes better
    seen["kde"] = c.kde


def check_narrow(w, seen):
    assert w.scatter.kde_scale.value() == pytest.approx(0.1) and w.scatter.fit_comparison.kde < seen["kde"]


def check_wide(w, seen):
    assert w.scatter.kde_scale.value() == 5 and w.scatter.fit_comparison.kde < seen["kde"]


def check_mle_map(w, seen):
    p = w.state.parametric
    assert w.docks["parametric"].isFloating() and (p.model, p.n, p.strength) == ("gaussian", 10, 5)
    assert abs(p.result.map[0] - p.result.mle[0]) > 0.5  # the prior pulls the MAP at n = 10


def check_poisson_counts(w, seen):
    p = w.state.parametric
    assert w.docks["parametric"].isFloating() and (p.model, p.source) == ("poisson", "mnist")


def check_distances(w, seen):
    m = w.mmd
    assert w.session.dataset.name == "ring8" and front(w, "mmd") and w.state.window.layout == "compare"
    assert [b.currentData() for b in m.sources] == ["class:0", "class:4"] and m.distance_metric.currentText() == "euclidean"
    assert m.a.shape == (150, 2) and m.kernel_image.image.shape == (300, 300)


def metric_is(name):
    def check(w, seen):
        assert w.mmd.distance_metric.currentText() == name
    return check


def check_kernel(w, seen):
    assert w.mmd.kernel.currentText() == "gaussian"
    assert w.mmd.sigma() == pytest.approx(w.mmd.pooled.median_sigma(), rel=0.02)


def check_narrow_kernel(w, seen):
    assert w.mmd.sigma() == pytest.approx(0.1 * w.mmd.pooled.median_sigma(), rel=0.02)


def check_same(w, seen):
    assert [b.currentData() for b in w.mmd.sources] == ["test", "train"] and w.mmd.result["p_value"] > 0.05


def check_different(w, seen):
    assert w.mmd.result["p_value"] < 0.01


def check_mmd_net(w, seen):
    assert opened(w, "mmdnet-ring8") and w.mmd.sources[1].currentData() == "model:current model (mmdnet)"
    assert w.mmd.result["p_value"] > 0.05
    seen["net_mmd"] = w.mmd.result["biased"]


def check_small_bandwidth(w, seen):
    assert w.mmd.result["biased"] > 5 * seen["net_mmd"]


def check_gmmn(w, seen):
    assert opened(w, "gmmn-ae-mnist5k") and front(w, "samples")
    assert not w.docks["mmd"].isFloating() and w.state.window.layout == "lesson"  # the lesson layout again


def check_posteriors(w, seen):
    s = w.session
    assert opened(w, "vae-mnist5k-2d") and overlays_on(w) == {"ellipses", "prior"}
    assert len(s.selection) == 30 and (s.dataset.train_y[s.selection] == 7).all()
    seen["ellipse_size"] = np.nanstd(w.scatter.ellipse_item.getData()[0])


def check_sampling(w, seen):
    assert front(w, "samples") and len(w.session.selection) == 0


def check_recon_only(w, seen):
    assert opened(w, "vae-beta0-mnist5k-2d") and len(w.session.selection) == 30
    x, _ = w.scatter.ellipse_item.getData()
    assert x is not None and np.isfinite(x).any()


def check_kl_only(w, seen):
    assert opened(w, "vae-klonly-mnist5k-2d")
    codes = w.session.codes().train
    assert np.abs(codes).max() < 0.5  # every posterior mean at the prior's: the codes say nothing


def check_live(w, seen):
    s = w.session
    assert s.model_settings.family == "vae" and s.model_settings.beta == 1 and front(w, "curves")
    assert s.checkpoint_path is None  # a new model, training


def check_kl_penalty(w, seen):
    assert opened(w, "vae-mnist5k-2d") and overlays_on(w) == {"prior"}


def check_mmd_penalty(w, seen):
    assert opened(w, "mmdvae-mnist5k-2d")


def check_sw_penalty(w, seen):
    assert opened(w, "swae-mnist5k-2d") and w.session.model.family == "swae"


def check_three_distances(w, seen):
    m = w.mmd
    assert [b.currentData() for b in m.sources] == ["test", "class:0"] and m.others["method"] == "exact"
    assert m.result["p_value"] < 0.01 and m.others["wasserstein_p"] < 0.01 and m.others["energy_p"] < 0.01


def check_sw_mmd_net(w, seen):
    s = w.session
    assert s.model_settings.family == "mmdnet" and s.model.loss_names == ("sw", "total") and front(w, "curves")


CHECKS = [
    [check_ae, check_gap, check_interpolation, check_prior_samples],
    [check_dae_ring, lambda w, s: walkback_lower(w, 100), lambda w, s: walkback_lower(w, 200), check_digit_chains],
    [check_gaussian, check_kde, check_narrow, check_wide, check_mle_map, check_poisson_counts],
    [check_distances, metric_is("mahalanobis"), metric_is("cosine"), check_kernel, check_narrow_kernel],
    [check_same, check_different, check_mmd_net, check_small_bandwidth, check_gmmn],
    [check_posteriors, check_sampling, check_recon_only, check_kl_only, check_live],
    [check_kl_penalty, check_mmd_penalty, check_sw_penalty, check_three_distances, check_sw_mmd_net],
]


def test_every_lesson_step_sets_up_what_it_says(window, qtbot):
    window.resize(1400, 860)
    panel, seen = window.lessons, {}
    assert [len(lesson.steps) for lesson in panel.lessons] == [len(c) for c in CHECKS]
    for lesson_index, checks in enumerate(CHECKS):
        panel.choice.setCurrentIndex(lesson_index)
        panel.start_button.click()
        for step_index, check in enumerate(checks):
            if step_index:
                assert panel.next_button.isEnabled()
                panel.next_button.click()
            qtbot.wait(20)
            assert (panel.lesson_index, panel.step_index) == (lesson_index, step_index)
            assert panel.problems == [], panel.problems
            assert panel.step.title in panel.text.toPlainText()
            check(window, seen)
        assert not panel.next_button.isEnabled()
        if lesson_index == 5:
            session = window.session  # lesson 6's last step trains 3 epochs live
            qtbot.waitUntil(lambda: session.state == "idle", timeout=120_000)  # noqa: B023 (called in this pass)
            assert session.trainer.epoch == 3 and {"recon", "kl"} <= set(session.history.train)


def test_back_and_set_up_again_repeat_a_step(window, qtbot):
    panel = window.lessons
    panel.go(0, 1)
    window.session.set_focus(torch.tensor([0.0, 0.0]))
    panel.again_button.click()
    assert torch.allclose(window.session.focus, torch.tensor([7.58, -2.22]))
    panel.back_button.click()
    assert panel.step_index == 0 and not panel.back_button.isEnabled()
    assert not panel.go(0, 99) and panel.step_index == 0


def test_a_broken_step_shows_its_file_and_line_and_the_rest_still_runs(window, qtbot, tmp_path, monkeypatch):
    (tmp_path / "01-test.md").write_text("# Test lesson\n## One\n```setup\npanel: nowhere\nwobble: 3\n"
                                         "overlays: prior\n```\nText.\n```formula\nx_{i}^2\n```\n")
    monkeypatch.setenv("LATENTLAB_LESSONS", str(tmp_path))
    panel = window.lessons
    panel.reload()
    assert panel.go(0, 0)
    assert panel.problems[0].startswith("line 5: no setup key 'wobble'")
    assert panel.problems[1].startswith("line 4 (panel): window.panel: unknown panel 'nowhere'; known: model, ")
    assert "01-test.md, line 5" in panel.issues.text()
    assert window.scatter.overlay["prior"].isChecked()  # the good line after the bad ones still ran


def test_formulas_get_sub_and_superscripts_and_stay_escaped():
    assert formula_html("x_{i}^2 < y_j") == (
        "<p align='center' style='font-family: serif; font-size: 15pt; margin: 10px;'>"
        "x<sub>i</sub><sup>2</sup> &lt; y<sub>j</sub></p>")


def test_a_missing_lessons_folder_says_so_in_the_dock(window, tmp_path, monkeypatch):
    monkeypatch.setenv("LATENTLAB_LESSONS", str(tmp_path / "gone"))
    window.lessons.reload()
    assert "cannot be read" in window.lessons.text.toPlainText()
    assert not window.lessons.start_button.isEnabled() and not window.lessons.go(0, 0)


def test_going_back_during_the_live_step_stops_its_training_and_opens_the_checkpoint(window, qtbot):
    panel = window.lessons
    panel.go(5, 4)
    assert window.session.state == "running"
    panel.back_button.click()
    assert window.session.state == "idle" and opened(window, "vae-klonly-mnist5k-2d") and panel.problems == []


def test_a_step_reached_directly_sets_up_the_model_an_earlier_step_opened(window):
    """--lesson 1 --step 3 (or Back) shows step 3 on the autoencoder step 1 opens, not on whatever was open."""
    assert window.lessons.go(0, 2)
    assert opened(window, "ae-mnist5k-2d") and window.state.interpolation.path == "linear"
    assert [a.index for a in window.interpolation.anchors] == [17, 0] and window.session.path is not None


def test_the_mmd_lesson_shows_the_two_set_comparison_not_the_leaderboard(window):
    window.mmd.show_tab("leaderboard")  # where an earlier visit left it
    assert window.lessons.go(4, 0)
    assert window.mmd.tabs.currentIndex() == 0 and window.mmd.null_hist.getData()[0] is not None


HOSTILE_LINES = ["train: 99999999999999999999 epochs", "mmd.n: 1e12", "mmd_n: 1e400", "select: 99999999999999999999 "
                 "of class 99999999999999999999", "focus: 1e400, nan", "scatter.kde_width: inf", "train.lr: -0",
                 "model: vae latent_dim=99999999999999999999", "walkback.t: 1e30", "checkpoint: /etc/passwd"]


def test_hostile_setup_values_are_each_listed_and_nothing_escapes(window, tmp_path, monkeypatch):
    body = "\n".join(HOSTILE_LINES)
    (tmp_path / "01-test.md").write_text(f"# Hostile\n## One\n```setup\n{body}\noverlays: prior\n```\nText.\n")
    monkeypatch.setenv("LATENTLAB_LESSONS", str(tmp_path))
    panel = window.lessons
    panel.reload()
    panel.go(0, 0)
    assert len(panel.problems) == len(HOSTILE_LINES), panel.problems
    for problem, line in zip(panel.problems, range(4, 4 + len(HOSTILE_LINES))):
        assert problem.startswith(f"line {line} ")
    assert window.scatter.overlay["prior"].isChecked() and window.session.state == "idle"
