"""`latentlab` with no subcommand: the application window (or, with --screenshot, a picture of it)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from latentlab.cli.common import UserError, add_trust_flag, check_writable

# Flags of earlier versions, each the setting it stands for now (and how its value reads there).
ALIASES = {
    "model": "model.family", "latent_dim": "model.latent_dim", "beta": "model.beta", "theme": "window.theme",
    "focus": "scatter.focus", "overlays": "scatter.overlays", "panel": "window.panel",
    "interpolate": "interpolation.examples", "compare": "interpolation.compare", "mmd_test": "mmd.test",
    "walkback_pair": "walkback.pair", "chain_steps": "walkback.t", "lesson": "window.lesson", "step": "window.step",
}
SWITCHES = {"mmd_test": "on", "walkback_pair": "train"}  # aliases without a value
LESSON = "window.lesson"  # a number, or a lesson's name (lesson_number)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--checkpoint", help="open the application on this checkpoint")
    parser.add_argument("--data", help="open the application on this dataset: a name, or the path of a .npy/.npz "
                                       "array, a .csv/.tsv table, a folder of images or a folder of IDX files")
    parser.add_argument("--no-model", action="store_true",
                        help="with --data: build no model; the data's vectors (an embedding) are explored as they are, "
                             "through PCA, UMAP or t-SNE (--set scatter.projection=umap)")
    parser.add_argument("--data-dir", help="folder holding a standard dataset's files (mnist, cifar10, ...)")
    parser.add_argument("--download", action="store_true",
                        help="with --data NAME: fetch a standard dataset (mnist, cifar10, ...) that is not on this "
                             "computer before the window opens (nothing is ever downloaded without this)")
    parser.add_argument("--label-column", metavar="NAME", help="with --data FILE.csv: the column of labels")
    parser.add_argument("--image-size", type=int, metavar="N",
                        help="with --data FOLDER: resize the images to N pixels a side (default: the most common "
                             "size, at most 64)")
    parser.add_argument("--set", dest="set", action="append", default=[], metavar="NAME=VALUE",
                        help="set any setting (`latentlab settings` lists them), e.g. --set scatter.overlays=prior "
                             "--set window.panel=mmd; repeat it for several")
    parser.add_argument("--view", metavar="FILE", help="open a view saved with File > Save view… (its model or "
                                                        "checkpoint, data, panel settings, selection); --set "
                                                        "values apply after it")
    parser.add_argument("--screenshot", metavar="FILE", help="paint the window offscreen, save a PNG, exit")
    parser.add_argument("--train-steps", type=int, default=0, help="with --screenshot: train this many steps first")
    parser.add_argument("--panel-only", action="store_true",
                        help="with --screenshot and window.panel: picture that panel alone, floated")
    parser.add_argument("--window-size", type=_size, default=None, metavar="WxH",
                        help="the window's size (default: the last one, else 1400x860; never more than the "
                             "screen)")
    parser.add_argument("--follow", metavar="DIR", help="open the application following this --run-dir live")
    own = parser.add_argument_group("a model of your own (docs/plugins.md)")
    own.add_argument("--model-file", metavar="FILE.py:CLASS",
                     help="open your nn.Module with encode(x) and decode(z) (or entry:NAME for an installed one) on "
                          "--data; with --checkpoint, reopen a checkpoint `latentlab import` wrote. Its code runs: "
                          "name only files you trust")
    own.add_argument("--weights", metavar="FILE", help="with --model-file: its weights (.safetensors, or a state "
                                                       "dict saved with torch.save, read with weights_only=True)")
    own.add_argument("--model-arg", action="append", default=[], metavar="NAME=VALUE",
                     help="with --model-file: a constructor argument (repeat for several)")
    add_trust_flag(parser)
    aliases = parser.add_argument_group("older flags, each now a --set (they say which)")
    for name in ALIASES:
        aliases.add_argument("--" + name.replace("_", "-"), **alias_options(name))


def alias_options(name: str) -> dict:
    """An alias's argparse options: its help is the setting's own (the schema's), then the --set it stands for."""
    from latentlab.state.schema import lookup

    setting_name = ALIASES[name]
    if name in SWITCHES:
        said = f"--set {setting_name}={SWITCHES[name]}"
        options: dict = {"action": "store_const", "const": SWITCHES[name]}
    else:
        said = f"--set {setting_name}"
        options = {"metavar": "N|NAME" if setting_name == LESSON else lookup(setting_name).kind.upper()}
    return {**options, "help": f"{lookup(setting_name).help} ({said})".replace("%", "%%")}


def _size(text: str) -> tuple[int, int]:
    try:
        w, h = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"a size is WIDTHxHEIGHT, e.g. 1920x1080, got {text!r}") from None
    if min(w, h) < 100 or max(w, h) > 10000:
        raise argparse.ArgumentTypeError(f"a window size must be 100 to 10000 pixels a side, got {text!r}")
    return w, h


def settings_of(args: argparse.Namespace) -> list[tuple[str, object]]:
    """The aliases given (each said as the --set it stands for) and then every --set, checked, in order.
    window.lesson takes a lesson's name too (given here as its number); a lesson or step that is not there
    is one line and status 2, before any window opens."""
    from latentlab.core.settings import SettingError
    from latentlab.state.schema import lookup, parse_assignment

    found, notes = [], []
    for name, setting_name in ALIASES.items():
        raw = getattr(args, name, None)
        if raw is None or name == "model":  # --model also names the first model's family (initial_state)
            continue
        text = raw.replace(" ", "") if isinstance(raw, str) and setting_name != LESSON else str(raw)
        option = "--" + name.replace("_", "-")
        try:
            value = lookup(setting_name).parse(lesson_number(text, option) if setting_name == LESSON else text)
        except SettingError as e:
            raise UserError(str(e)) from None
        notes.append(f"latentlab: {option} is now --set {setting_name}={text}")
        found.append((setting_name, value))
    for text in args.set:
        name, eq, value = text.partition("=")
        if eq and name.strip() == LESSON:
            text = f"{LESSON}={lesson_number(value, LESSON)}"
        try:
            setting, value = parse_assignment(text)
        except SettingError as e:
            raise UserError(str(e)) from None
        found.append((setting.name, value))
    check_lesson_step(dict(found))
    for note in notes:  # after the checks: a mistake is one line
        print(note, file=sys.stderr)
    return found


def lesson_number(text: str, said_as: str) -> str:
    """window.lesson's value: a number (1 is the first; 0: none), or a lesson's file name or title (any case;
    a start naming one lesson is enough), as its number."""
    from latentlab.gui.lessons.text import LessonError, find_lesson, load_lessons

    try:
        return str(find_lesson(text, load_lessons()))
    except LessonError as e:
        raise UserError(f"{said_as}: {e}") from None


def check_lesson_step(given: dict) -> None:
    """window.step past the end of the lesson asked for: one line, no window."""
    from latentlab.gui.lessons.text import LessonError, load_lessons

    lesson, step = given.get(LESSON), given.get("window.step")
    if not lesson or step is None:
        return
    try:
        steps = len(load_lessons()[int(lesson) - 1].steps)
    except (LessonError, IndexError):
        return  # said by lesson_number (a lesson given as a number is checked there too)
    if step > steps:
        raise UserError(f"window.step: lesson {lesson} has {steps} steps, not {step}")


def run(args: argparse.Namespace) -> int:
    args.settings = settings_of(args)
    given = dict(args.settings)
    if "model.family" in given:
        args.model = given["model.family"]
    if "data.name" in given:
        args.data = given["data.name"]
    if "data.dir" in given:
        args.data_dir = given["data.dir"] or None
    if "data.label_column" in given:
        args.label_column = given["data.label_column"] or None
    if "data.image_size" in given:
        args.image_size = given["data.image_size"]
    if args.image_size is not None and not 4 <= args.image_size <= 256:
        raise UserError(f"--image-size must be 4 to 256 pixels, got {args.image_size}")
    if getattr(args, "no_model", False) and not args.data:
        raise UserError("--no-model goes with --data FILE (the vectors to explore)")
    if getattr(args, "screenshot", None):
        check_writable(Path(args.screenshot), "window.png", "--screenshot")  # before the window is built, not after
    args.view_data = open_view(args)
    check_checkpoint(args)
    args.plugin_opening = open_plugin(args)
    args.loaded_data = open_data(args)
    try:
        from latentlab.gui.app import run_app
    except ImportError as e:
        raise UserError(f"the application cannot start: {e} (run the README's setup command)") from None
    return run_app(args)


def open_view(args: argparse.Namespace) -> dict | None:
    """--view FILE, read before the window opens: a file that is not a view is one line and status 2."""
    if not getattr(args, "view", None):
        return None
    from latentlab.state.views import ViewError, read_view

    try:
        return read_view(args.view)
    except ViewError as e:
        raise UserError(str(e)) from None


def check_checkpoint(args: argparse.Namespace) -> None:
    """--checkpoint, checked before the window opens: a file that is missing or not a checkpoint is one line and
    status 2 (the window would otherwise open on another model and leave the user to notice)."""
    if not args.checkpoint or getattr(args, "model_file", None):
        return  # with --model-file it is an imported model's checkpoint: open_plugin checks it
    from latentlab.core.checkpoints import read_metadata
    from latentlab.core.pretrained import resolve

    try:
        path = resolve(args.checkpoint)
        if not path.is_file():
            raise ValueError(f"no checkpoint file {str(path)!r} (a path, or a shipped checkpoint's name: "
                             "see `latentlab pretrained list`)")
        read_metadata(path, check_tensors=True)
    except ValueError as e:  # CheckpointError too
        raise UserError(str(e)) from None
    args.checkpoint = str(path)


def open_plugin(args: argparse.Namespace):
    """--model-file: the plug-in opened before the window (a mistake is one line and status 2, no window);
    the window shows its notes."""
    if not getattr(args, "model_file", None):
        if args.weights or args.model_arg:
            raise UserError("--weights and --model-arg go with --model-file FILE.py:CLASS")
        return None
    from latentlab.core.plugins import open_for_use, parse_arguments
    from latentlab.core.pretrained import resolve

    try:
        return open_for_use(args.model_file, args.weights, None if args.checkpoint else args.data, args.data_dir,
                            parse_arguments(args.model_arg), resolve(args.checkpoint) if args.checkpoint else None,
                            bool(getattr(args, "trust_data_folder", False)))
    except ValueError as e:
        raise UserError(str(e)) from None


def open_data(args: argparse.Namespace):
    """--data PATH (a file or folder of the user's) or a standard set (mnist, cifar10, ...; fetched with
    --download): read before the window opens, so a mistake is one line and status 2; what was skipped is said
    here too. None for other named datasets (the window loads them)."""
    from latentlab.core.data import DATASETS, DataError, load_dataset
    from latentlab.core.data.files import is_data_path

    standard = args.data in DATASETS and DATASETS[args.data].standard
    if getattr(args, "download", False) and not standard:
        raise UserError("--download goes with --data NAME, a standard dataset: "
                        + ", ".join(k for k, v in DATASETS.items() if v.standard))
    if not args.data or args.checkpoint or args.model_file or not (
            standard or (args.data not in DATASETS and is_data_path(args.data))):
        return None
    try:
        dataset = load_dataset(args.data, folder=args.data_dir if standard else None,
                               download=bool(getattr(args, "download", False)),
                               label_column=args.label_column, size=args.image_size)
    except DataError as e:
        raise UserError(str(e)) from None
    if dataset.notes:
        print(f"latentlab: {dataset.name}: {dataset.notes}", file=sys.stderr)
    return dataset
