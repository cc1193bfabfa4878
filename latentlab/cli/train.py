"""`latentlab train`: headless training in one process, or in each of the processes torchrun starts
(rank 0 alone writes the progress bar, the run directory and the checkpoint)."""

from __future__ import annotations

import argparse
import gc
import os
import sys
import tempfile
import time
from pathlib import Path

from latentlab.cli.common import UserError, add_trust_flag, check_writable, dataset_of, load_or_fail

FLAG_NAMES = {"data.name": "--data", "data.dir": "--data-dir", "model.family": "--model"}  # the rest: --field-name
SECTIONS = ("data", "model", "train", "run")


def flag(setting) -> str:
    return FLAG_NAMES.get(setting.name, setting.flag)


def add_parser(sub) -> None:
    """Every data, model, train and run setting of the schema is a flag, with the schema's help and default."""
    from latentlab.state.schema import section

    p = sub.add_parser("train", help="train a model and save a checkpoint")
    for name in SECTIONS:
        group = p.add_argument_group(f"{name} settings")
        for s in section(name):
            families = f" [{', '.join(s.families)}]" if s.families and len(s.families) < 6 else ""
            default = f" (default {s.format(s.default)})" if s.default not in (None, "") else ""
            if not default and "default" not in s.help:  # else its help says what happens when it is not set
                default = " (default not set)"
            group.add_argument(flag(s), dest=s.name, metavar=s.kind.upper(),
                               help=f"{s.help}{families}; {s.describe_values()}{default}".replace("%", "%%"))
    p.add_argument("--out", help="checkpoint file to write at the end (needs --out, --run-dir or both)")
    p.add_argument("--resume", nargs="?", const="", metavar="CKPT",
                   help="continue from CKPT (default: the newest checkpoint in --run-dir, else --out) "
                        "with its optimizer state, up to --epochs")
    p.add_argument("--run-dir", metavar="DIR",
                   help="write metrics.jsonl and rolling checkpoints here, for File > Follow run")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("--download", action="store_true",
                   help="fetch a standard dataset (mnist, cifar10, ...) that is not on this computer into the cache "
                        "folder, or into --data-dir (nothing is ever downloaded without this)")
    add_trust_flag(p)
    p.add_argument("--max-steps", type=int, metavar="N", help="stop after N more steps (before --epochs)")
    p.add_argument("--control", action="store_true",
                   help="take commands on stdin and report on stdout as JSON lines, snapshots in --run-dir "
                        "(how the window runs training in its own process; see core/control.py)")
    p.add_argument("--live-index", metavar="NPZ",
                   help="with --control: the train and test rows whose codes go with each snapshot")
    p.add_argument("--force", action="store_true",
                   help="replace an existing --out even when training stopped early (a non-finite loss, an error)")
    p.add_argument("--slim", action="store_true",
                   help="store weights as float16 without optimizer state (the shipped checkpoints)")


def settings_of(args: argparse.Namespace) -> dict:
    """The flags given, checked against the schema, by setting name; the defaults for the others."""
    from latentlab.core.settings import SettingError
    from latentlab.state.schema import section

    values, given = {}, set()
    for name in SECTIONS:
        for s in section(name):
            raw = getattr(args, s.name, None)
            if raw is None:
                values[s.name] = s.default
                continue
            try:
                values[s.name] = s.parse(raw)
            except SettingError as e:
                raise UserError(f"{flag(s)}: {e}") from None
            given.add(s.name)
    values["given"] = given
    return values


def run(args: argparse.Namespace) -> int:
    return train(args)


def save_result(out: Path, save, result, force: bool) -> Path | None:
    """Write the run's weights to `out`, never losing them and never replacing a file with a failed run's.

    A run that stopped early (non-finite loss, an error) keeps its last good weights: in `out` if that is
    new (or with --force), else beside it as OUT.stopped.safetensors. When a save fails, the weights go to
    a rescue file whose name is printed. Returns where they went (None: nowhere)."""
    failed = result is not None and not result.ok
    target = out
    if failed and out.exists() and not force:
        target = out.with_name(f"{out.stem}.stopped{out.suffix or '.safetensors'}")
        print(f"latentlab: training stopped early: {out} is kept as it was; the last good weights go to "
              f"{target} (--force replaces {out.name})", file=sys.stderr)
    try:
        save(target)
        return target
    except (OSError, ValueError) as e:  # CheckpointError is a ValueError
        rescue = Path(tempfile.gettempdir()) / f"latentlab-rescue-{os.getpid()}-{int(time.time())}.safetensors"
        try:
            save(rescue)
        except (OSError, ValueError) as e2:
            print(f"latentlab: cannot write {target} ({e}) nor a rescue file ({e2}): the weights are lost",
                  file=sys.stderr)
            return None
        print(f"latentlab: cannot write {target} ({e}); the weights were saved to {rescue}", file=sys.stderr)
        return None


def train(args: argparse.Namespace) -> int:
    """Headless training; under torchrun, one of several processes (rank 0 alone writes anything)."""
    from latentlab.core import distributed

    values = settings_of(args)
    group, device = None, values["train.device"]
    if distributed.launched_by_torchrun():
        try:
            group, device = distributed.join(device)
        except (ValueError, RuntimeError) as e:
            raise UserError(f"cannot join the torchrun group: {e}") from None
    try:
        return _train(args, values, device, group)
    finally:
        if group is not None:
            # The trainer's DDP module holds the group, and the progress callbacks make reference cycles
            # that keep it alive: collected at interpreter exit, gloo's threads abort ("terminate called
            # without an active exception", seen once in four CI runs). Free it first, then leave.
            gc.collect()
            group.close()


def _resume_source(args: argparse.Namespace, run) -> str:
    if args.resume:
        return args.resume
    if run is not None:
        newest = run.newest_checkpoint()
        if newest is None:
            raise UserError(f"--resume: {run.path} has no checkpoint to resume from yet")
        return str(newest)
    return args.out


def _train(args: argparse.Namespace, values: dict, device: str, group) -> int:
    from tqdm import tqdm

    from latentlab.core.checkpoints import save_checkpoint
    from latentlab.core.data import DataError, load_dataset
    from latentlab.core.recipes import dataset_record, model_for_dataset
    from latentlab.core.run_dir import RunDir, RunDirError, RunRecorder
    from latentlab.core.training import TrainConfig, Trainer, seed_everything

    leader = group is None or group.leader
    train_values = {k.split(".", 1)[1]: v for k, v in values.items() if k.startswith("train.")}
    config = TrainConfig(**{**train_values, "device": device})
    problems = config.problems()
    if problems:
        raise UserError("; ".join(problems))
    if not args.out and not args.run_dir:
        raise UserError("say where the result goes: --out FILE, --run-dir DIR, or both")
    out = Path(args.out) if args.out else None
    if out is not None:
        check_writable(out, "model.safetensors")
    try:
        run = RunDir(args.run_dir).create(resume=args.resume is not None) if args.run_dir else None
    except RunDirError as e:
        raise UserError(str(e)) from None
    if args.max_steps is not None and args.max_steps < 1:
        raise UserError("--max-steps must be at least 1")
    if args.control and run is None:
        raise UserError("--control needs --run-dir for its snapshots")
    ckpt = load_or_fail(_resume_source(args, run)) if args.resume is not None else None
    try:
        if ckpt is not None and "data.name" not in values["given"]:
            dataset = dataset_of(ckpt, _resume_source(args, run), args.trust_data_folder)  # its own data
        else:
            dataset = load_dataset(values["data.name"], folder=values["data.dir"] or None, download=args.download,
                                   label_column=values["data.label_column"], size=values["data.image_size"])
    except DataError as e:
        raise UserError(str(e)) from None
    if dataset.notes and leader:
        print(f"latentlab: {dataset.name}: {dataset.notes}", file=sys.stderr)
    seed_everything(config.seed)
    resume_state = None
    if ckpt is not None:
        source = args.resume or "the run's newest checkpoint"
        model, resume_state = ckpt.model, {"optimizer": ckpt.optimizer_state, "step": ckpt.step,
                                           "epoch": ckpt.epoch}
        if ckpt.dataset.get("name") != dataset.name:
            raise UserError(f"{source} was trained on {ckpt.dataset.get('name')}, not {dataset.name}")
    else:
        given = {k.split(".", 1)[1]: values[k] for k in values["given"] if k.startswith("model.")}
        given.pop("family", None)
        given.pop("latent_dim", None)  # passed below (given twice it was a TypeError)
        try:
            model = model_for_dataset(values["model.family"], dataset, latent_dim=values["model.latent_dim"],
                                      **given)
        except ValueError as e:
            raise UserError(str(e)) from None

    trainer = Trainer(model, dataset, config, group=group)
    if resume_state:
        try:
            trainer.load_state(resume_state)
        except (ValueError, KeyError, TypeError, IndexError, RuntimeError) as e:
            raise UserError(f"--resume: its optimizer state does not fit the model ({e})") from None
    processes = {"processes": group.world, "backend": group.backend} if group else {"processes": 1}
    train_facts = {"lr": config.lr, "batch_size": config.batch_size, "seed": config.seed, "device": str(trainer.device),
                   **processes}

    record = ckpt.dataset if ckpt is not None else dataset_record(dataset, values["data.dir"] or None)

    def save(path: Path, metrics: dict[str, float], slim: bool = False) -> None:
        save_checkpoint(path, trainer.model, record, trainer.step, trainer.epoch,
                        metrics, None if slim else trainer.optimizer.state_dict(), half=slim,
                        extra={"train": {**train_facts, "seconds": round(time.perf_counter() - start, 2)}})

    recorder = (RunRecorder(run, save, values["run.log_every"], values["run.checkpoint_every"], values["run.keep"])
                if run and leader else None)
    bar = tqdm(total=config.epochs, initial=trainer.epoch, unit="epoch", disable=args.quiet or not leader,
               dynamic_ncols=True)

    def on_step(event) -> None:
        if recorder:
            recorder.step(event)
        if event.step % 10 == 0:
            bar.set_postfix({**{k: f"{v:.3g}" for k, v in event.terms.items()},
                             "samples/s": f"{event.samples_per_s:.0f}"})

    def on_epoch(event) -> None:
        bar.update(1)
        if recorder:
            recorder.epoch(event)
            bar.set_description(" ".join(f"test {k} {v:.2f}" for k, v in event.test.items()))

    trainer.on_step, trainer.on_epoch = on_step, on_epoch
    if recorder:
        recorder.start(model=model.family, data=dataset.name, latent_dim=model.latent_dim, epochs=config.epochs,
                       resumed_from=trainer.step if resume_state else None, **train_facts)
    start = time.perf_counter()
    if args.control:
        return _serve(args, trainer, run, dataset, save, recorder)
    try:
        result = trainer.run(max_steps=args.max_steps)
    except KeyboardInterrupt:
        trainer.stop()
        result = None
    bar.close()
    seconds = time.perf_counter() - start
    if not leader:
        group.barrier()  # the leader may still be writing; leave the group together
        return 0 if result is None or result.ok else 1
    metrics = trainer.evaluate()
    if recorder:
        reason, message = ("stopped", "interrupted") if result is None else (result.reason, result.message)
        recorder.finish(trainer.step, trainer.epoch, reason, message, metrics)
    if out is not None:
        out = save_result(out, lambda path: save(path, metrics, slim=args.slim), result, args.force)
    if group is not None:
        group.barrier()
    summary = ", ".join(f"{k} {v:.3f}" for k, v in metrics.items())
    where = " and ".join(str(p) for p in (out, run and run.path) if p)
    if where:
        print(f"saved {where} after {trainer.epoch} epochs / {trainer.step} steps in {seconds:.1f} s; test {summary}")
    if out is None and args.out:
        return 1
    if result is not None and not result.ok:
        print(f"latentlab: training stopped: {result.message}", file=sys.stderr)
        return 1
    return 0


def _serve(args: argparse.Namespace, trainer, run, dataset, save, recorder) -> int:
    """--control: a window's training process (core/control.py), at a lower priority than the window."""
    import numpy as np

    from latentlab.core.control import serve, yield_to_the_window
    from latentlab.core.data import as_float

    yield_to_the_window()
    code_inputs = None
    if args.live_index:
        try:
            with np.load(args.live_index) as rows:
                code_inputs = (as_float(dataset.train_x[rows["train"]]), as_float(dataset.test_x[rows["test"]]))
        except (OSError, KeyError, ValueError, IndexError) as e:
            raise UserError(f"--live-index {args.live_index}: {e}") from None
    heard = serve(trainer, run.path, lambda path: save(path, {}), args.max_steps, code_inputs,
                  recorder.step if recorder else None, recorder.epoch if recorder else None)
    if recorder and heard:
        recorder.finish(trainer.step, trainer.epoch, "stopped", "the window's run ended", {})
    return 0
