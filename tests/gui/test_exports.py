"""Exports from the window: any plot as PNG or SVG, latent codes for the Projector, sample grids."""

import csv
import re

import pytest
from PIL import Image

from latentlab.state.model_settings import ModelSettings


def test_every_plot_in_the_window_exports_as_png_and_svg(window, tmp_path):
    for dock in window.docks.values():
        dock.raise_()
    names = window.plots()
    assert {"Latent space", "Loss curves", "MMD: MMD² against bandwidth",
            "Walkback chain: MMD² to held-out data"} <= set(names)
    assert not [n for n in names if re.search(r"view \d+$", n)]  # each listed by what it shows, not "view 6"
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


def test_the_image_export_scale_is_a_choice_of_the_file_menu(window, tmp_path):
    window.model_data.choose_dataset("digits")
    panel = window.samples
    window.scale_actions[2].trigger()
    assert window.state.window.export_scale == 2 and window.scale_actions[2].isChecked()
    assert panel.save_samples(str(tmp_path / "grid.png"))
    assert Image.open(tmp_path / "grid.png").size == (2 * 82, 2 * 82)
    window.session.set_focus(window.session.codes().train[0])  # the decoder view, its pixels at the scale
    assert window.export_figure(tmp_path / "decoded.png", "Decoder view: decoded point")
    assert Image.open(tmp_path / "decoded.png").size == (2 * 12, 2 * 12)  # an 8 px digit in its 2 px frame
    window.scale_actions[0].trigger()  # automatic: 4 for small images
    assert panel.save_samples(str(tmp_path / "grid.png"))
    assert Image.open(tmp_path / "grid.png").size == (4 * 82, 4 * 82)


def test_plots_export_at_the_chosen_resolution_and_copy_to_the_clipboard(window, tmp_path):
    from PySide6.QtWidgets import QApplication

    window.dpi_actions[300].trigger()
    assert window.export_figure(tmp_path / "loss.png", "curves")
    image = Image.open(tmp_path / "loss.png")
    assert image.width >= round(window.curves.plot.width() * 300 / 96) - 1
    assert round(image.info["dpi"][0]) == 300
    QApplication.clipboard().clear()
    assert window.copy_plot("Loss curves")
    assert not QApplication.clipboard().pixmap().isNull()
    window.ask_plot = lambda names: None
    assert not window.copy_plot()


def _scatter_svg(window, tmp_path, name="latent.svg"):
    window.state.scatter.show("prior", True)
    window.scatter.redraw()
    out = tmp_path / name
    assert window.export_figure(out, "scatter"), window.banner.text
    return out.read_text()


def test_the_scatter_svg_draws_points_as_marks_and_prior_circles_in_pixels(window, tmp_path):
    import re

    n = len(window.scatter.train_item.positions) + len(window.scatter.test_item.positions)
    svg = _scatter_svg(window, tmp_path)
    assert "<image" not in svg and svg.count("<rect") + svg.count("<path") >= n
    # The prior's dashed circles are written in pixels, under no scaling transform (librsvg ignores
    # non-scaling-stroke and drew their 1 px dashes tens of px wide).
    rings = re.findall(r"<g ([^>]*stroke-dasharray[^>]*)>\s*<path[^>]* d=\"([^\"]*)\"", svg)
    assert len(rings) == 3
    for attributes, d in rings:
        assert "matrix(" not in attributes
        xs = [float(v) for v in re.findall(r"-?[\d.]+(?:e-?\d+)?", d)[0::2]]
        assert max(xs) - min(xs) > 20  # pixels, not data units


def test_many_points_go_into_the_svg_as_one_image_that_librsvg_renders(window, tmp_path, monkeypatch):
    import shutil
    import subprocess

    from latentlab.gui import exports

    monkeypatch.setattr(exports, "VECTOR_POINTS_MAX", 10)
    svg = _scatter_svg(window, tmp_path, "many.svg")
    assert svg.count("<image") == 2  # the training and the test points
    if shutil.which("rsvg-convert"):  # scripts/setup.sh installs it
        subprocess.run(["rsvg-convert", str(tmp_path / "many.svg"), "-o", str(tmp_path / "many.png")], check=True)
        assert Image.open(tmp_path / "many.png").width > 100
