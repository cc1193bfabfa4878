"""The MMD dock: the statistic shown is mmd2 on the drawn sets, the matrices' blocks, the test, the leaderboard."""

import csv

import pytest

from latentlab.core.mmd import mmd2


def choose(panel, a, b):
    for box, key in zip(panel.sources, (a, b)):
        box.setCurrentIndex(box.findData(key))


@pytest.fixture
def panel(window):
    window.docks["mmd"].raise_()
    p = window.mmd
    p.n.setValue(120)
    choose(p, "test", "train")
    return p


def test_the_displayed_statistic_is_mmd2_of_the_drawn_sets(panel, window):
    d = window.session.dataset
    assert panel.a.shape == panel.b.shape == (120, 2)
    # set A is a seeded draw from the held-out data, set B from the training data
    assert {tuple(r) for r in panel.a.tolist()} <= {tuple(r) for r in d.test_x.tolist()}
    again = panel.draw_set("test", 0)
    assert {tuple(r) for r in again.tolist()} == {tuple(r) for r in panel.a.tolist()}
    sigma = panel.sigmas()
    for estimator in ("biased", "unbiased"):
        want = mmd2(panel.a, panel.b, "gaussian", sigma, estimator).item()
        assert panel.result[estimator] == pytest.approx(want, rel=1e-4, abs=1e-7)
        assert f"{panel.result[estimator]:.6g}" in panel.stat_label.text()


def test_the_kernel_matrix_has_the_blocks_of_the_formula(panel):
    panel.n.setValue(50)
    k = panel.kernel_image.image
    assert k.shape == (100, 100)
    assert all(line.value() == 50 for line in panel.block_lines)
    assert panel.distance_image.image.shape == (100, 100)
    assert k[:50, :50].diagonal() == pytest.approx(1.0)  # k(x, x) = 1 for the Gaussian kernel


def test_the_bandwidth_slider_reuses_the_cached_distances(panel):
    pooled, before = panel.pooled, dict(panel.result)
    panel.slider.setValue(100)
    assert panel.pooled is pooled and panel.sigma() < pooled.median_sigma()
    assert panel.result["biased"] != before["biased"]
    assert panel.result["biased"] == pytest.approx(mmd2(panel.a, panel.b, sigma=panel.sigma()).item(), rel=1e-4)
    panel.multi.setChecked(True)
    assert len(panel.sigmas()) == 3
    panel.median_button.click()
    assert panel.slider.value() == 500 and panel.sigma() == pytest.approx(pooled.median_sigma())


def test_permutation_test_same_distribution_passes_another_fails(panel, qtbot):
    panel.n_permutations.setValue(200)
    assert panel.run_permutation_test()
    qtbot.waitUntil(lambda: panel.job is None, timeout=20_000)
    assert panel.result["p_value"] > 0.05
    x, counts = panel.null_hist.getData()
    assert counts.sum() == 200
    choose(panel, "test", "class:0")
    panel.run_permutation_test()
    qtbot.waitUntil(lambda: panel.job is None, timeout=20_000)
    assert panel.result["p_value"] < 0.05 and "p = " in panel.null_plot.plotItem.titleLabel.text


def test_latent_space_sets_are_encoded_by_the_current_model(panel, window):
    panel.space.setCurrentIndex(panel.space.findData("latent"))
    assert panel.a.shape == (120, window.session.snapshot.latent_dim)


def test_model_samples_and_the_leaderboard(panel, window, qtbot, tmp_path):
    choose(panel, "test", "model:current model (vae)")
    assert panel.b.shape == (120, 2)
    board = panel.leaderboard
    board.n.setValue(100)
    assert board.score_all()
    qtbot.waitUntil(lambda: board.job is None, timeout=30_000)
    assert board.table.rowCount() == 1 and board.table.item(0, 0).text() == "current model (vae)"
    assert 0 < board.scores[0].p_value <= 1
    assert board.export_csv(str(tmp_path / "board.csv"))
    rows = list(csv.DictReader(open(tmp_path / "board.csv")))
    assert rows[0]["model"] == "current model (vae)" and float(rows[0]["mmd2"]) == pytest.approx(board.scores[0].mmd2)


def test_a_hidden_panel_computes_nothing_until_shown(panel, window):
    window.docks["decoder"].raise_()
    pooled = panel.pooled
    panel.n.setValue(30)
    assert panel.pooled is pooled
    window.docks["mmd"].raise_()
    assert panel.a.shape == (30, 2)


def test_a_bad_checkpoint_is_refused_with_a_message(panel, tmp_path):
    bad = tmp_path / "bad.safetensors"
    bad.write_bytes(b"not a checkpoint")
    assert not panel.add_model(str(bad))
    assert "bad.safetensors" in panel.message.text() and panel.loaded == {}


def test_wasserstein_and_energy_rows_beside_mmd2_with_their_tests(panel):
    from latentlab.core.two_sample import energy_distance, wasserstein2_exact

    panel.n.setValue(40)
    a, b = panel.a.double(), panel.b.double()
    assert panel.others["method"] == "exact"
    assert panel.others["wasserstein"] == pytest.approx(wasserstein2_exact(a, b))
    assert panel.others["energy"] == pytest.approx(energy_distance(a, b), rel=1e-4)
    text = panel.others_label.text()
    assert "W₂" in text and "energy distance" in text and "p = " not in text
    panel.n_permutations.setValue(100)
    panel.run_permutation_test_now()
    assert 0 < panel.others["wasserstein_p"] <= 1 and 0 < panel.others["energy_p"] <= 1
    assert panel.others_label.text().count("p = ") == 2
