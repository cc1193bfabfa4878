"""`latentlab import`: a model of your own (a plug-in and its weights) as a latentlab checkpoint.

The checkpoint records the plug-in (its file, sha256 and class) but never runs it by itself: it reopens
with the same --model-file (docs/plugins.md)."""

from __future__ import annotations

import argparse

from latentlab.cli.common import UserError, add_plugin_arguments, model_or_fail

NAME = "import"


def add_parser(sub) -> None:
    p = sub.add_parser(NAME, help="write a latentlab checkpoint of a model of your own (--model-file FILE.py:CLASS)")
    add_plugin_arguments(p)
    p.add_argument("--out", required=True, metavar="FILE.safetensors", help="the checkpoint to write")
    p.set_defaults(checkpoint=None)


def run(args: argparse.Namespace) -> int:
    import torch

    from latentlab.core.checkpoints import CheckpointError, save_checkpoint
    from latentlab.core.models.plugin import PluginError
    from latentlab.core.recipes import dataset_from_record

    if not args.model_file:
        raise UserError("import needs --model-file FILE.py:CLASS (and --weights, --data)")
    if not args.out.endswith(".safetensors"):
        raise UserError(f"--out {args.out}: a latentlab checkpoint is a .safetensors file")
    ckpt = model_or_fail(args)
    model = ckpt.model.eval()
    data = dataset_from_record(ckpt.dataset, True)  # the data the user just named (--data, --data-dir)
    metrics = {}
    if model.can("train"):
        try:
            with torch.no_grad():
                torch.manual_seed(0)
                metrics = model.metrics(data.floats("test", slice(0, 1000)))
        except (PluginError, RuntimeError, ValueError) as e:
            raise UserError(f"{args.model_file}: evaluating it on {data.name}'s held-out data failed: {e}") from None
    c = model.config
    record = {"file": c.file, "sha256": c.sha256, "class_name": c.class_name, "entry_point": c.entry_point,
              "weights": ckpt.meta.get("weights_file", "")}
    try:
        save_checkpoint(args.out, model, ckpt.dataset, metrics=metrics, extra={"plugin": record})
    except CheckpointError as e:
        raise UserError(str(e)) from None
    figures = ", ".join(f"{k} {v:.4g}" for k, v in metrics.items())
    print(f"wrote {args.out}: {c.title} on {data.name}, {model.latent_dim}-D codes"
          + (f"; held-out {figures}" if figures else ""))
    source = f"{c.file}:{c.class_name}" if not c.entry_point else c.source
    print(f"open it with: latentlab --checkpoint {args.out} --model-file {source}")
    return 0
