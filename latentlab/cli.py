"""Command line: `latentlab` opens the GUI; `latentlab train|sample|interpolate|mmd|codes|info|pretrained`
work headless.

User mistakes end in a one-line message on stderr and exit status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys

EXIT_USER_ERROR = 2
KERNEL_NAMES = ("gaussian", "laplacian", "imq")  # core.kernels.KERNELS, without importing torch to parse


class UserError(Exception):
    """A mistake the user can fix: printed as one line."""


def _hidden(text: str) -> tuple[int, ...]:
    try:
        sizes = tuple(int(s) for s in text.split(",") if s.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"hidden sizes are comma-separated integers, got {text!r}") from None
    if not sizes or min(sizes) < 1:
        raise argparse.ArgumentTypeError(f"hidden sizes must be positive, got {text!r}")
    return sizes


def _point(text: str) -> tuple[float, ...]:
    try:
        return tuple(float(v) for v in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"a latent point is comma-separated numbers, got {text!r}") from None


def build_parser() -> argparse.ArgumentParser:
    from latentlab import __version__

    parser = argparse.ArgumentParser(prog="latentlab", description="Explore the latent spaces of generative models.")
    parser.add_argument("--version", action="version", version=f"latentlab {__version__}")
    parser.add_argument("--checkpoint", help="open the application on this checkpoint")
    parser.add_argument("--data", help="open the application on this dataset")
    parser.add_argument("--data-dir", help="folder for the mnist, fashion-mnist and folder datasets")
    parser.add_argument("--model", help="open the application with this model family")
    parser.add_argument("--latent-dim", type=int, help="open the application with this latent size")
    parser.add_argument("--beta", type=float, help="open the application with this KL weight")
    parser.add_argument("--screenshot", metavar="FILE", help="paint the window offscreen, save a PNG, exit")
    parser.add_argument("--train-steps", type=int, default=0, help="with --screenshot: train this many steps first")
    parser.add_argument("--focus", type=_point, help="with --screenshot: decode this latent point, e.g. 0.5,-1")
    parser.add_argument("--overlays", type=lambda t: [o for o in t.split(",") if o], default=[],
                        help="with --screenshot: latent overlays to show (prior,density,ellipses,manifold)")
    parser.add_argument("--panel", help="with --screenshot: bring this dock to the front (e.g. interpolation)")
    parser.add_argument("--interpolate", type=lambda t: [int(v) for v in t.split(",")],
                        help="with --screenshot: interpolate between these training examples, e.g. 3,17")
    parser.add_argument("--panel-only", action="store_true",
                        help="with --screenshot --panel: picture that panel alone, floated at a readable size")
    parser.add_argument("--mmd-test", action="store_true",
                        help="with --screenshot --panel mmd: run the permutation test first")
    parser.add_argument("--walkback-pair", action="store_true",
                        help="with --screenshot: train the with/without-walkback pair first")
    parser.add_argument("--chain-steps", type=int, default=0, help="with --screenshot: run the walkback chains")
    parser.add_argument("--window-size", type=lambda t: tuple(int(v) for v in t.lower().split("x")), default=(1400, 860),
                        metavar="WxH", help="with --screenshot: the window's size (default 1400x860)")
    parser.add_argument("--theme", choices=("system", "light", "dark"),
                        help="light or dark for this run (default: View > Theme, which follows the desktop)")
    parser.add_argument("--follow", metavar="DIR", help="open the application following this --run-dir live")
    parser.add_argument("--lesson", type=int, help="open on lesson N of the Lessons dock (1 is the first)")
    parser.add_argument("--step", type=int, default=1, help="with --lesson: start at this step")
    parser.add_argument("--compare", help="with --screenshot --interpolate: a checkpoint shown side by side")
    sub = parser.add_subparsers(dest="command")

    train = sub.add_parser("train", help="train a model and save a checkpoint")
    train.add_argument("--model", default="vae", help="model family (autoencoder, vae, mmdvae, ...)")
    train.add_argument("--data", default="mnist5k", help="dataset name")
    train.add_argument("--data-dir", help="folder for the mnist, fashion-mnist and folder datasets")
    train.add_argument("--latent-dim", type=int, default=2)
    train.add_argument("--hidden", type=_hidden, help="hidden layer sizes, e.g. 512,256")
    train.add_argument("--arch", choices=("mlp", "conv"), default="mlp")
    train.add_argument("--beta", type=float, help="VAE: weight of the KL term")
    train.add_argument("--recon-weight", type=float, help="VAE: weight of the reconstruction term")
    train.add_argument("--mmd-weight", type=float, help="MMD-VAE: weight of the MMD term")
    train.add_argument("--corruption", help="DAE: gaussian, salt_pepper or masking")
    train.add_argument("--noise", type=float, help="DAE: corruption level (sigma, or fraction of pixels)")
    train.add_argument("--walkback", type=int, help="DAE: walkback steps (0: plain denoising)")
    train.add_argument("--walkback-p", type=float, help="DAE: probability of each further walkback step")
    train.add_argument("--noise-dist", choices=("uniform", "gaussian"), help="MMD nets: the generator's noise")
    train.add_argument("--bandwidth", choices=("multi", "median"), help="MMD nets: kernel bandwidth rule")
    train.add_argument("--noise-dim", type=int, help="GMMN+AE: the generator's noise size")
    train.add_argument("--epochs", type=int, default=20)
    train.add_argument("--batch-size", type=int, default=128)
    train.add_argument("--lr", type=float, default=1e-3)
    train.add_argument("--seed", type=int, default=0)
    train.add_argument("--device", default="auto", help="auto, cpu, cuda or mps")
    train.add_argument("--threads", type=int, help="torch CPU threads")
    train.add_argument("--out", help="checkpoint file to write at the end (needs --out, --run-dir or both)")
    train.add_argument("--resume", nargs="?", const="", metavar="CKPT",
                       help="continue from CKPT (default: the newest checkpoint in --run-dir, else --out) "
                            "with its optimizer state, up to --epochs")
    train.add_argument("--run-dir", metavar="DIR",
                       help="write metrics.jsonl and rolling checkpoints here, for File > Follow run")
    train.add_argument("--log-every", type=int, default=10, metavar="STEPS",
                       help="with --run-dir: average the train terms over this many steps per line")
    train.add_argument("--checkpoint-every", type=int, default=1, metavar="EPOCHS",
                       help="with --run-dir: a rolling checkpoint every this many epochs")
    train.add_argument("--keep", type=int, default=3, help="with --run-dir: how many rolling checkpoints to keep")
    train.add_argument("--quiet", action="store_true", help="no progress bar")
    train.add_argument("--slim", action="store_true",
                       help="store weights as float16 without optimizer state (the shipped checkpoints)")

    sample = sub.add_parser("sample", help="write a grid of model samples as PNG")
    sample.add_argument("checkpoint")
    sample.add_argument("--n", type=int, default=64)
    sample.add_argument("--seed", type=int, default=0)
    sample.add_argument("--out", required=True)

    interpolate = sub.add_parser("interpolate",
                                 help="decode a latent path between two training examples, as a PNG strip")
    interpolate.add_argument("checkpoint")
    interpolate.add_argument("--from", dest="start", type=int, required=True, help="training example to start at")
    interpolate.add_argument("--to", dest="end", type=int, required=True, help="training example to end at")
    interpolate.add_argument("--steps", type=int, default=10, help="decoded points on the path (default 10)")
    interpolate.add_argument("--path", default="linear", help="linear, slerp, or data (through the nearest codes)")
    interpolate.add_argument("--originals", action="store_true", help="put the two examples themselves at the ends")
    interpolate.add_argument("--out", required=True)

    mmd = sub.add_parser("mmd", help="MMD^2 between two sample sets and its permutation-test p-value")
    mmd.add_argument("a", help="a checkpoint (its model's samples) or a dataset: name, name:train or name:test")
    mmd.add_argument("b", help="the same, for the second set")
    mmd.add_argument("--n", type=int, default=500, help="examples drawn from each set (default 500)")
    mmd.add_argument("--kernel", choices=KERNEL_NAMES, default="gaussian")
    mmd.add_argument("--bandwidth", type=float, help="kernel bandwidth (default: the pooled median distance)")
    mmd.add_argument("--permutations", type=int, default=1000)
    mmd.add_argument("--seed", type=int, default=0)
    mmd.add_argument("--data-dir", help="folder for the mnist, fashion-mnist and folder datasets")

    codes = sub.add_parser("codes", help="latent codes as CSV and TensorBoard Embedding Projector files")
    codes.add_argument("checkpoint")
    codes.add_argument("--out", required=True, metavar="DIR", help="folder for codes.csv, vectors.tsv, ...")

    info = sub.add_parser("info", help="print a checkpoint's metadata")
    info.add_argument("checkpoint")

    pretrained = sub.add_parser("pretrained", help="list, check or regenerate the shipped checkpoints")
    pretrained.add_argument("action", nargs="?", choices=("list", "verify", "regenerate"), default="list")
    pretrained.add_argument("names", nargs="*", help="only these entries of checkpoints/manifest.json")
    return parser


def load_or_fail(path: str):
    from latentlab.core.checkpoints import CheckpointError, load_checkpoint

    try:
        return load_checkpoint(path)
    except CheckpointError as e:
        raise UserError(str(e)) from None


def cmd_train(args: argparse.Namespace) -> int:
    from latentlab.cli_train import train

    return train(args)


def cmd_sample(args: argparse.Namespace) -> int:
    import torch

    from latentlab.core.images import save_points_png, save_image_grid

    if args.n < 1:
        raise UserError("--n must be at least 1")
    ckpt = load_or_fail(args.checkpoint)
    if not ckpt.model.can("sample"):
        raise UserError(f"{args.checkpoint}: {ckpt.model.why_not('sample')}")
    with torch.no_grad():
        samples = ckpt.model.sample(args.n, generator=torch.Generator().manual_seed(args.seed))
    try:
        if samples.dim() == 4:
            save_image_grid(samples, args.out)
        else:
            save_points_png(samples, args.out)
    except (OSError, ValueError) as e:
        raise UserError(f"cannot write {args.out}: {e}") from None
    print(f"wrote {args.n} samples to {args.out}")
    return 0


def _handout_errors():
    """The handout commands' mistakes (ValueError, and its CheckpointError and DataError) as one line."""
    from contextlib import contextmanager

    @contextmanager
    def as_user_errors():
        try:
            yield
        except ValueError as e:
            raise UserError(str(e)) from None

    return as_user_errors()


def cmd_interpolate(args: argparse.Namespace) -> int:
    from latentlab import handouts

    with _handout_errors():
        frames, backdrop = handouts.interpolate(args.checkpoint, args.start, args.end, args.steps, args.path,
                                                args.originals)
    try:
        handouts.write_strip(frames, backdrop, args.out)
    except (OSError, ValueError) as e:
        raise UserError(f"cannot write {args.out}: {e}") from None
    print(f"wrote {len(frames)} frames from example {args.start} to {args.end} ({args.path}) to {args.out}")
    return 0


def cmd_mmd(args: argparse.Namespace) -> int:
    from latentlab import handouts

    if args.n < 2:
        raise UserError("--n must be at least 2")
    with _handout_errors():
        a = handouts.sample_set(args.a, args.n, args.seed, args.data_dir)
        b = handouts.sample_set(args.b, args.n, args.seed + 1, args.data_dir)
        report = handouts.compare(a, b, args.kernel, args.bandwidth, args.permutations, args.seed)
    r = report.result
    rule = "given" if args.bandwidth else "the pooled median distance"
    verdict = "differ" if r.p_value < 0.05 else "are not told apart"
    print(f"A: {a.description}\nB: {b.description}\n"
          f"MMD^2 (unbiased, {report.kernel} kernel, sigma {report.sigma:.4g}, {rule}) = {r.statistic:.6g}\n"
          f"p = {r.p_value:.4g} ({r.n_permutations} permutations): the two sets {verdict} at the 5% level")
    return 0


def cmd_codes(args: argparse.Namespace) -> int:
    from latentlab.core.codes_export import code_table, export_codes
    from latentlab.core.latent import encode_in_batches
    from latentlab.core.recipes import dataset_from_record

    ckpt = load_or_fail(args.checkpoint)
    if not ckpt.model.can("encode"):
        raise UserError(f"{args.checkpoint}: {ckpt.model.why_not('encode')}")
    with _handout_errors():
        data = dataset_from_record(ckpt.dataset)
    model = ckpt.model.eval()
    table = code_table(encode_in_batches(model, data.train_x), encode_in_batches(model, data.test_x), data)
    try:
        files = export_codes(table, args.out, data)
    except OSError as e:
        raise UserError(f"cannot write to {args.out}: {e}") from None
    print(f"wrote {len(table.codes)} codes of {data.name} to {', '.join(str(f) for f in files)}")
    return 0


def cmd_info(args: argparse.Namespace) -> int:
    from latentlab.core.checkpoints import CheckpointError, read_metadata

    try:
        meta = read_metadata(args.checkpoint)
    except CheckpointError as e:
        raise UserError(str(e)) from None
    meta = {k: v for k, v in meta.items() if k != "optimizer"}
    print(json.dumps(meta, indent=2))
    return 0


def cmd_pretrained(args: argparse.Namespace) -> int:
    from latentlab.core import pretrained

    try:
        entries = pretrained.read_manifest()
        chosen = [pretrained.find(name) for name in args.names] if args.names else entries
    except ValueError as e:
        raise UserError(str(e)) from None
    if args.action == "list":
        for e in chosen:
            figures = ", ".join(f"{k} {v:.4g}" for k, v in e.metrics.items())
            print(f"{e.name:24s} {e.title}\n{'':24s} {figures}")
        return 0
    if args.action == "verify":
        failed = 0
        for e in chosen:
            problems = pretrained.verify(e)
            failed += bool(problems)
            for p in problems:
                print(p, file=sys.stderr)
        print(f"{len(chosen) - failed} of {len(chosen)} checkpoints as recorded")
        return 1 if failed else 0
    updated = {e.name: e for e in entries}
    for e in chosen:
        print(f"regenerating {e.name}: {e.command}")
        updated[e.name] = pretrained.regenerate(e)
        pretrained.write_manifest(list(updated.values()))  # after each one, so an interruption keeps the rest
    return 0


def cmd_gui(args: argparse.Namespace) -> int:
    try:
        from latentlab.gui.app import run_app
    except ImportError as e:
        raise UserError(f"the application cannot start: {e} (run the README's setup command)") from None
    return run_app(args)


COMMANDS = {"train": cmd_train, "sample": cmd_sample, "interpolate": cmd_interpolate, "mmd": cmd_mmd,
            "codes": cmd_codes, "info": cmd_info, "pretrained": cmd_pretrained}


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return COMMANDS.get(args.command, cmd_gui)(args)
    except UserError as e:
        print(f"latentlab: {e}", file=sys.stderr)
        return EXIT_USER_ERROR


if __name__ == "__main__":
    sys.exit(main())
