"""The window's flags, checked before any window opens: --lesson by name, and the aliases' --help."""

import pytest

from latentlab.cli import build_parser, gui, main
from latentlab.state.schema import lookup, parse_assignment


@pytest.fixture
def no_window(monkeypatch):
    """run_app must not be reached: a mistake on the command line opens no window."""
    import latentlab.gui.app

    def opened(args):
        raise AssertionError("a window was opened")

    monkeypatch.setattr(latentlab.gui.app, "run_app", opened)


def settings(*argv):
    return dict(gui.settings_of(build_parser().parse_args(list(argv))))


def test_lesson_takes_a_name_as_its_number(capsys):
    assert settings("--lesson", "VAE", "--step", "2") == {"window.lesson": 6, "window.step": 2}
    assert settings("--set", "window.lesson=Variational autoencoders")["window.lesson"] == 6
    assert settings("--lesson", "3")["window.lesson"] == 3
    assert "--lesson is now --set window.lesson=VAE" in capsys.readouterr().err
    assert parse_assignment("window.lesson=3")[1] == 3  # a number in a saved view still loads as before


@pytest.mark.parametrize("argv, message", [
    (["--lesson", "zzz"], "--lesson: 'zzz' is not a lesson; the lessons: 1 plain-autoencoders"),
    (["--lesson", "d"], "--lesson: 'd' names 3 lessons (2, 3, 4)"),
    (["--set", "window.lesson=de"], "window.lesson: 'de' names 2 lessons"),
    (["--lesson", "42"], "'42' is not a lesson"),
    (["--lesson", "vaes", "--step", "99"], "window.step: lesson 6 has 5 steps, not 99"),
])
def test_an_unknown_or_ambiguous_lesson_is_one_line_and_no_window(no_window, capsys, argv, message):
    assert main(argv + ["--screenshot", "unused.png"]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1 and "Traceback" not in err


def test_an_alias_says_its_settings_help_and_the_set_it_stands_for():
    text = " ".join(build_parser().format_help().split())
    assert f"--latent-dim INT {lookup('model.latent_dim').help} (--set model.latent_dim)" in text
    assert f"--lesson N|NAME {' '.join(lookup('window.lesson').help.split())} (--set window.lesson)" in text
    assert "(--set mmd.test=on)" in text and "--set model.family=..." not in text


def test_a_screenshot_into_a_missing_folder_is_one_line_before_the_window(no_window, tmp_path, capsys):
    assert main(["--screenshot", str(tmp_path / "missing" / "x.png")]) == 2
    err = capsys.readouterr().err
    assert "folder" in err and "does not exist" in err and err.count("\n") == 1
