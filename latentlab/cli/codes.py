"""`latentlab codes`: latent codes as CSV and TensorBoard Embedding Projector files."""

from __future__ import annotations

import argparse

from latentlab.cli.common import UserError, as_user_errors, load_or_fail


def add_parser(sub) -> None:
    p = sub.add_parser("codes", help="latent codes as CSV and TensorBoard Embedding Projector files")
    p.add_argument("checkpoint")
    p.add_argument("--out", required=True, metavar="DIR", help="folder for codes.csv, vectors.tsv, ...")


def run(args: argparse.Namespace) -> int:
    from latentlab.core.codes_export import code_table, export_codes
    from latentlab.core.latent import encode_in_batches
    from latentlab.core.recipes import dataset_from_record

    ckpt = load_or_fail(args.checkpoint)
    if not ckpt.model.can("encode"):
        raise UserError(f"{args.checkpoint}: {ckpt.model.why_not('encode')}")
    with as_user_errors():
        data = dataset_from_record(ckpt.dataset)
    model = ckpt.model.eval()
    table = code_table(encode_in_batches(model, data.train_x), encode_in_batches(model, data.test_x), data)
    try:
        files = export_codes(table, args.out, data)
    except OSError as e:
        raise UserError(f"cannot write to {args.out}: {e}") from None
    print(f"wrote {len(table.codes)} codes of {data.name} to {', '.join(str(f) for f in files)}")
    return 0
