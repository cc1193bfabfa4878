"""The MMD panel's settings: two sample sets, the space they live in, the kernel and its bandwidth."""

from __future__ import annotations

from dataclasses import dataclass

from psygnal import evented

from latentlab.core.kernels import KERNELS, METRICS
from latentlab.core.settings import setting

MULTI = (0.5, 1.0, 2.0)  # "several bandwidths": the kernel is the sum over sigma times these


@evented
@dataclass
class MMDState:
    a: str = setting("test", label="Set A", remember=False,
                     help="train, test, class:K, selection, or model:NAME (a loaded model's samples)")
    b: str = setting("train", label="Set B", remember=False, help="As set A; by default the newest model's samples")
    space: str = setting("data", label="Space", choices=("data", "latent"),
                         choice_labels=("data space", "latent space (current model's encoder)"),
                         help="Compare the sets as data, or as the current model's codes")
    n: int = setting(200, label="n per set", minimum=2, maximum=2000, help="Points drawn into each set")
    seed: int = setting(0, label="Seed", minimum=0, maximum=2**31 - 1, help="Which points are drawn")
    kernel: str = setting("gaussian", label="Kernel", choices=tuple(KERNELS), help="The kernel k(x, y)")
    bandwidth: float = setting(1.0, label="Bandwidth", minimum=0.01, maximum=100.0, unit="× median distance",
                               help="Kernel bandwidth σ as a multiple of the pooled median distance (the median "
                                    "heuristic is 1)")
    multi: bool = setting(False, label="Several bandwidths",
                          help="The kernel is the sum over σ × " + ", ".join(f"{m:g}" for m in MULTI))
    metric: str = setting("euclidean", label="Distance", choices=tuple(METRICS),
                          help="The distance shown beside the kernel matrix")
    p: float = setting(3.0, label="Minkowski p", minimum=1.0, maximum=20.0, help="The Minkowski distance's exponent")
    permutations: int = setting(500, label="Permutations", minimum=20, maximum=20000,
                                help="Permutations of the pooled sample in the test")
    test: bool = setting(False, label="Run the test", remember=False,
                         help="Run the permutation test whenever the sets change (a lesson or a screenshot)")
    models: frozenset[str] = setting(frozenset(), label="Added models", remember=False,
                                      help="Shipped pretrained models to add as sample sources, by name")

    def set_test(self, on: bool) -> None:
        self.test = False  # on again: run it again
        self.test = on
