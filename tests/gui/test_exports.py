"""Exports from the window: any plot as PNG or SVG, latent codes for the Projector, sample grids."""

import csv

import pytest
from PIL import Image

from latentlab.state.model_settings import ModelSettings


def test_every_plot_in_the_window_exports_as_png_and_svg(window, tmp_path):
    for dock in window.docks.values():
        dock.raise_()
    names = window.plots()
    assert {"Latent space", "Loss curves", "MMD: MMD² against bandwidth",
            "Walkback chain: MMD² to held-out data"} <= set(names)
    for i, name in enumerate(names):
        png, svg = tmp_path / f"{i}.png", tmp_path / f"{i}.svg"
        assert window.export_figure(png, name), window.banner.text
        assert window.export_figure(svg, name), window.banner.text
        assert Image.open(png).width >= 800 and "<svg" in svg.read_text()


def test_the_export_dialog_asks_which_plot_and_where(window, tmp_path):
    out = tmp_path / "curve.svg"
    window.ask_plot = lambda names: next(n for n in names if n.startswith("MMD: MMD²"))
    window.ask_export_path = lambda default: str(out)
    assert window.export_figure_dialog()
    assert "<svg" in out.read_text()
    window.ask_plot = lambda names: None  # cancelled
    assert not window.export_figure_dialog()


@pytest.mark.parametrize("name,message", [("report.pdf", "choose a .png or .svg"),
                                          ("missing/x.png", "cannot write")])
def test_a_bad_file_name_is_a_message(window, tmp_path, name, message):
    assert not window.export_figure(tmp_path / name, "scatter")
    assert message in window.banner.text


def test_latent_codes_go_to_csv_and_projector_files(window, tmp_path):
    window.model_data.choose_dataset("digits")
    window.ask_codes_folder = lambda: str(tmp_path / "codes")
    assert window.export_codes()
    d = window.session.dataset
    rows = list(csv.DictReader(open(tmp_path / "codes" / "codes.csv")))
    assert len(rows) == len(d.train_x) + len(d.test_x)
    assert {"z0", "z1", "class"} <= set(rows[0])
    assert float(rows[0]["z0"]) == pytest.approx(float(window.session.codes().train[0, 0]), rel=1e-4, abs=1e-6)
    assert (tmp_path / "codes" / "sprite.png").exists()
    assert "projector.tensorflow.org" in window.banner.text


def test_a_model_without_an_encoder_has_no_codes_to_export(window, tmp_path):
    window.session.configure_model(ModelSettings(family="mmdnet"))
    window.ask_codes_folder = lambda: str(tmp_path)
    assert not window.export_codes() and "no latent codes" in window.banner.text


def test_samples_save_as_a_full_resolution_grid(window, tmp_path):
    window.model_data.choose_dataset("digits")
    panel = window.samples
    panel.ask_png_path = lambda: str(tmp_path / "grid.png")
    panel.save_button.click()
    assert Image.open(tmp_path / "grid.png").size == (4 * 82, 4 * 82)  # 64 digits of 8 px, drawn x4
    window.model_data.choose_dataset("ring8")
    assert panel.save_samples(str(tmp_path / "points.png"))
    assert Image.open(tmp_path / "points.png").size == (512, 512)
