"""`latentlab mmd`: MMD^2 between two sample sets and its permutation-test p-value."""

from __future__ import annotations

import argparse

from latentlab.cli.common import UserError, add_plugin_arguments, as_user_errors, model_label, model_or_fail

KERNEL_NAMES = ("gaussian", "laplacian", "imq")  # core.kernels.KERNELS, without importing torch to parse


def add_parser(sub) -> None:
    p = sub.add_parser("mmd", help="MMD^2 between two sample sets and its permutation-test p-value")
    p.add_argument("a", help="a checkpoint (its model's samples) or a dataset: name, name:train or name:test")
    p.add_argument("b", nargs="?", help="the same, for the second set (with --model-file and no B: the plug-in's "
                                        "samples are A, and the one set given is B)")
    p.add_argument("--n", type=int, default=500, help="examples drawn from each set (default 500)")
    p.add_argument("--kernel", choices=KERNEL_NAMES, default="gaussian")
    p.add_argument("--bandwidth", type=float, help="kernel bandwidth (default: the pooled median distance)")
    p.add_argument("--permutations", type=int, default=1000)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--wasserstein-energy", action="store_true",
                   help="also the Wasserstein distance W_2 (exact up to 500 a set, sliced above) and the energy "
                        "distance, each with its own permutation test")
    p.add_argument("--data-dir", help="folder holding a standard dataset's files (mnist, cifar10, ...)")
    add_plugin_arguments(p, data_dir=False)


def run(args: argparse.Namespace) -> int:
    from latentlab import handouts

    if args.n < 2:
        raise UserError("--n must be at least 2")
    plugin_a = None
    if args.model_file:  # A is the plug-in's model: from --weights and --data, or the imported checkpoint A
        plugin_a = model_or_fail(args, None if args.b is None else args.a)
        args.checkpoint = None if args.b is None else args.a
    elif args.weights or args.model_arg or args.data:
        raise UserError("--weights, --data and --model-arg go with --model-file FILE.py:CLASS")
    if args.b is None and plugin_a is None:
        raise UserError("mmd compares two sets: give A and B")
    with as_user_errors():
        a = (handouts.model_samples(plugin_a.model, args.n, args.seed, model_label(args)) if plugin_a is not None
             else handouts.sample_set(args.a, args.n, args.seed, args.data_dir))
        b = handouts.sample_set(args.a if args.b is None else args.b, args.n, args.seed + 1, args.data_dir)
        report = handouts.compare(a, b, args.kernel, args.bandwidth, args.permutations, args.seed)
    r = report.result
    rule = "given" if args.bandwidth else "the pooled median distance"
    verdict = "differ" if r.p_value < 0.05 else "are not told apart"
    print(f"A: {a.description}\nB: {b.description}\n"
          f"MMD^2 (unbiased, {report.kernel} kernel, sigma {report.sigma:.4g}, {rule}) = {r.statistic:.6g}\n"
          f"p = {r.p_value:.4g} ({r.n_permutations} permutations): the two sets {verdict} at the 5% level")
    if args.wasserstein_energy:
        import torch

        from latentlab.core.two_sample import energy_permutation_test, wasserstein_permutation_test

        x, y = a.x.flatten(1).double(), b.x.flatten(1).double()
        w = wasserstein_permutation_test(x, y, args.permutations, torch.Generator().manual_seed(args.seed))
        e = energy_permutation_test(x, y, args.permutations, torch.Generator().manual_seed(args.seed))
        how = "exact optimal matching" if w.estimator.endswith("exact") else "sliced, 50 random directions"
        print(f"W_2 ({how}) = {w.statistic:.6g}, p = {w.p_value:.4g}\n"
              f"energy distance E^2 = {e.statistic:.6g}, p = {e.p_value:.4g}")
    return 0
