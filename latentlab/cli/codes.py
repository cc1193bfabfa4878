"""`latentlab codes`: latent codes as CSV and TensorBoard Embedding Projector files."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

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
    p.add_argument("--projection", choices=("pca", "umap", "tsne"),
                   help="also write projection.csv: every example in the plane, by PCA, UMAP or t-SNE fitted on the "
                        "training codes (the test codes placed through the fit), as the scatter shows them")
    add_trust_flag(p)
    add_plugin_arguments(p)


def run(args: argparse.Namespace) -> int:
    import numpy as np

    from latentlab.core.codes_export import code_table, export_codes, project_codes, write_projection_csv
    from latentlab.core.latent import encode_in_batches

    ckpt = model_or_fail(args)
    if not ckpt.model.can("encode"):
        raise UserError(f"{model_label(args)}: {ckpt.model.why_not('encode')}")
    data = dataset_of(ckpt, model_label(args), trusts_folder(args))
    model = ckpt.model.eval()
    train = encode_in_batches(model, data.train_x)
    table = code_table(train, encode_in_batches(model, data.test_x), data)
    bad = int((~np.isfinite(table.codes).all(1)).sum())  # NaN or inf: the model's encode gave them
    projected = None
    if args.projection:  # before anything is written: a failure leaves the folder as it was
        if bad:
            raise UserError(f"{model_label(args)}: cannot project the codes: {bad} of {len(table.codes)} are not "
                            "finite (NaN or inf); its encode gave them")
        try:
            projected = project_codes(table, args.projection, len(train))
        except ValueError as e:
            raise UserError(f"{model_label(args)}: cannot project the codes: {e}") from None
    try:
        files = export_codes(table, args.out, data)
        if projected is not None:
            files.append(Path(args.out) / "projection.csv")
            write_projection_csv(table, *projected, files[-1])
    except OSError as e:
        raise UserError(f"cannot write to {args.out}: {e}") from None
    print(f"wrote {len(table.codes)} codes of {data.name} to {', '.join(str(f) for f in files)}")
    if bad:  # written as they are (nan, inf), but nobody should find out from a plot later
        print(f"latentlab: warning: {bad} of {len(table.codes)} codes are not finite (NaN or inf): "
              f"{model_label(args)}'s encode gave them", file=sys.stderr)
    return 0
