"""`latentlab codes`: latent codes as CSV and TensorBoard Embedding Projector files."""

from __future__ import annotations

import argparse

from latentlab.cli.common import (
    UserError,
    add_plugin_arguments,
    add_trust_flag,
    dataset_of,
    model_label,
    model_or_fail,
    trusts_folder,
)


def add_parser(sub) -> None:
    p = sub.add_parser("codes", help="latent codes as CSV and TensorBoard Embedding Projector files")
    p.add_argument("checkpoint", nargs="?", help="a checkpoint (or --model-file, below)")
    p.add_argument("--out", required=True, metavar="DIR", help="folder for codes.csv, vectors.tsv, ...")
    add_trust_flag(p)
    add_plugin_arguments(p)


def run(args: argparse.Namespace) -> int:
    from latentlab.core.codes_export import code_table, export_codes
    from latentlab.core.latent import encode_in_batches

    ckpt = model_or_fail(args)
    if not ckpt.model.can("encode"):
        raise UserError(f"{model_label(args)}: {ckpt.model.why_not('encode')}")
    data = dataset_of(ckpt, model_label(args), trusts_folder(args))
    model = ckpt.model.eval()
    table = code_table(encode_in_batches(model, data.train_x), encode_in_batches(model, data.test_x), data)
    try:
        files = export_codes(table, args.out, data)
    except OSError as e:
        raise UserError(f"cannot write to {args.out}: {e}") from None
    print(f"wrote {len(table.codes)} codes of {data.name} to {', '.join(str(f) for f in files)}")
    return 0
