"""What every subcommand shares: the one-line user error, and loading a checkpoint or failing with one."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

EXIT_USER_ERROR = 2


class UserError(Exception):
    """A mistake the user can fix: printed as one line, exit status 2."""


def load_or_fail(path: str):
    """A checkpoint file, or `pretrained:NAME` for a shipped one; one line if it cannot be loaded."""
    from latentlab.core.checkpoints import load_checkpoint
    from latentlab.core.pretrained import resolve

    try:
        return load_checkpoint(resolve(path))
    except ValueError as e:  # CheckpointError, or an unknown pretrained name
        raise UserError(str(e)) from None


def dataset_of(ckpt, path: str, trust_folder: bool):
    """The data `ckpt` was trained on, from its (checked) record; one line naming the file if it cannot be."""
    from latentlab.core.data import DataError
    from latentlab.core.recipes import dataset_from_record

    try:
        return dataset_from_record(ckpt.dataset, trust_folder)
    except DataError as e:
        raise UserError(f"{path}: {e}") from None


def add_trust_flag(parser) -> None:
    parser.add_argument("--trust-data-folder", action="store_true",
                        help="read the data folder the checkpoint names (a checkpoint from a stranger could name any)")


@contextmanager
def as_user_errors() -> Iterator[None]:
    """ValueError (and its CheckpointError, DataError and SettingError) as one line."""
    try:
        yield
    except ValueError as e:
        raise UserError(str(e)) from None


def add_plugin_arguments(parser, data_dir: bool = True) -> None:
    """--model-file, --weights, --data, --model-arg: a model of your own in place of a checkpoint
    (docs/plugins.md). The same flags with a checkpoint reopen one that `latentlab import` wrote."""
    group = parser.add_argument_group("a model of your own, in place of a checkpoint (docs/plugins.md)")
    group.add_argument("--model-file", metavar="FILE.py:CLASS",
                       help="your nn.Module with encode(x) and decode(z) (or entry:NAME for an installed one); "
                            "its code runs: name only files you trust")
    group.add_argument("--weights", metavar="FILE", help="its weights: .safetensors, or a state dict saved with "
                                                         "torch.save (read with weights_only=True)")
    group.add_argument("--data", metavar="NAME", help="the dataset the model works on, e.g. mnist5k")
    group.add_argument("--model-arg", action="append", default=[], metavar="NAME=VALUE",
                       help="a constructor argument of the plug-in (repeat for several)")
    if data_dir:
        group.add_argument("--data-dir", help="folder holding a standard dataset's files (mnist, cifar10, ...)")


def model_or_fail(args, checkpoint: str | None = None):
    """The Checkpoint to work on: `checkpoint` (default args.checkpoint), a plug-in model (--model-file with
    --weights and --data), or an imported checkpoint reopened with its plug-in. One line if it cannot be."""
    import sys

    from latentlab.core.plugins import open_for_use, parse_arguments
    from latentlab.core.pretrained import resolve

    checkpoint = checkpoint if checkpoint is not None else getattr(args, "checkpoint", None)
    model_file = getattr(args, "model_file", None)
    if not model_file:
        extra = [flag for flag, name in (("--weights", "weights"), ("--model-arg", "model_arg"))
                 if getattr(args, name, None)]
        if extra:
            raise UserError(f"{' and '.join(extra)} go with --model-file FILE.py:CLASS")
        if not checkpoint:
            raise UserError("give a checkpoint, or --model-file FILE.py:CLASS with --weights and --data")
        return load_or_fail(checkpoint)
    try:
        opening = open_for_use(model_file, getattr(args, "weights", None), getattr(args, "data", None),
                               getattr(args, "data_dir", None), parse_arguments(getattr(args, "model_arg", [])),
                               resolve(checkpoint) if checkpoint else None,
                               bool(getattr(args, "trust_data_folder", False)))
    except ValueError as e:  # PluginError, CheckpointError, DataError
        raise UserError(str(e)) from None
    for note in opening.notes:
        print(f"latentlab: {note}", file=sys.stderr)
    return opening.checkpoint


def check_writable(out: Path, example: str = "out.png", flag: str = "--out") -> None:
    """Before any work: `out` must be a file we may write (a missing folder, a folder in its place, a read-only
    folder or file is one line), so nothing computed is lost at the end and no read-only file is replaced."""
    import os

    if out.is_dir():
        raise UserError(f"{flag} {out}: is a folder; give a file name, e.g. {out / example}")
    if not out.parent.is_dir():
        raise UserError(f"cannot write {out}: folder {out.parent} does not exist")
    if not os.access(out.parent, os.W_OK) or (out.exists() and not os.access(out, os.W_OK)):
        raise UserError(f"cannot write {out}: permission denied")


def image_out_or_fail(text: str) -> Path:
    """--out of a picture, checked before any work: an ending of core.images.IMAGE_SUFFIXES (.png, .gif, .jpg,
    ...) in a folder we may write."""
    from latentlab.core.images import IMAGE_SUFFIXES

    out = Path(text)
    if out.is_dir():
        check_writable(out)
    if out.suffix.lower() not in IMAGE_SUFFIXES:
        said = f"ends in {out.suffix!r}" if out.suffix else "has no ending"
        raise UserError(f"--out {out}: {said}; a picture is {', '.join(sorted(IMAGE_SUFFIXES))} "
                        "(the ending picks the format)")
    check_writable(out)
    return out


def add_scale_flag(parser) -> None:
    parser.add_argument("--scale", type=int, metavar="N",
                        help="draw each pixel N x N, 1 to 16 (default 4 for images of 28x28 data, 1 for 2-D points)")


def scale_or_fail(args) -> int | None:
    """--scale, checked before any work is done (None: the output's own default)."""
    from latentlab.core.images import MAX_SCALE

    scale = getattr(args, "scale", None)
    if scale is not None and not 1 <= scale <= MAX_SCALE:
        raise UserError(f"--scale must be a whole number from 1 to {MAX_SCALE}, not {scale}")
    return scale


def trusts_folder(args) -> bool:
    """--trust-data-folder, or a plug-in opened on a --data-dir the user named on this command line."""
    return bool(getattr(args, "trust_data_folder", False)
                or (getattr(args, "model_file", None) and not getattr(args, "checkpoint", None)))


def model_label(args) -> str:
    """How messages name the model: the checkpoint, else the plug-in."""
    return str(getattr(args, "checkpoint", None) or getattr(args, "model_file", None) or "the model")
