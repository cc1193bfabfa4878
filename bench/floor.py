"""The compute floor of a training step: the same step's matrix multiplies and convolutions alone.

One forward pass with hooks records the input and output shapes of every Linear, Conv2d and
ConvTranspose2d. The floor then replays, on random tensors of those shapes, exactly the products
autograd runs: the forward product, the weight gradient, and the input gradient for every layer
but the first (the data needs none). Everything else a step does (activations, the loss, Adam,
the data batch, bookkeeping) is what the ratio step / floor measures.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import nn

LAYERS = (nn.Linear, nn.Conv2d, nn.ConvTranspose2d)


def _record_shapes(model: nn.Module, run_step: Callable[[], object]) -> list[tuple[nn.Module, tuple, tuple]]:
    seen: list[tuple[nn.Module, tuple, tuple]] = []

    def hook(module, inputs, output):
        seen.append((module, tuple(inputs[0].shape), tuple(output.shape)))

    handles = [m.register_forward_hook(hook) for m in model.modules() if isinstance(m, LAYERS)]
    try:
        run_step()
    finally:
        for h in handles:
            h.remove()
    return seen


def floor_step(model: nn.Module, run_step: Callable[[], object], device: torch.device) -> Callable[[], None]:
    """A function doing only the products of one call of `run_step` (which runs the model once)."""
    layers = _record_shapes(model, run_step)
    first_input = layers[0][0] if layers else None
    ops: list[Callable[[], object]] = []
    for module, in_shape, out_shape in layers:
        x = torch.randn(in_shape, device=device)
        g = torch.randn(out_shape, device=device)
        w = module.weight.detach()
        needs_input_grad = module is not first_input
        if isinstance(module, nn.Linear):
            x2, g2 = x.reshape(-1, in_shape[-1]), g.reshape(-1, out_shape[-1])
            ops.append(lambda x2=x2, w=w: x2 @ w.t())
            ops.append(lambda x2=x2, g2=g2: g2.t() @ x2)
            if needs_input_grad:
                ops.append(lambda g2=g2, w=w: g2 @ w)
        else:
            transposed = isinstance(module, nn.ConvTranspose2d)
            args = dict(stride=module.stride, padding=module.padding, dilation=module.dilation,
                        transposed=transposed, output_padding=module.output_padding if transposed else (0, 0),
                        groups=module.groups)
            ops.append(lambda x=x, w=w, a=args: torch.ops.aten.convolution(
                x, w, None, a["stride"], a["padding"], a["dilation"], a["transposed"], a["output_padding"],
                a["groups"]))
            mask = [needs_input_grad, True, False]
            ops.append(lambda x=x, g=g, w=w, a=args, m=mask: torch.ops.aten.convolution_backward(
                g, x, w, None, a["stride"], a["padding"], a["dilation"], a["transposed"], a["output_padding"],
                a["groups"], m))

    def step() -> None:
        with torch.no_grad():
            for op in ops:
                op()

    return step
