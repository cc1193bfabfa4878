"""Training in several processes with PyTorch's own engine: torchrun starts them, torch.distributed
connects them (nccl between GPUs, gloo on CPUs) and DistributedDataParallel averages the gradients.

Every process holds the whole (small, in-memory) dataset and draws the same shuffle; each takes its
share of every global batch, the way DistributedSampler would. Weighting each share's loss by its
size makes the averaged gradient exactly the one-process gradient of the global batch.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import torch
import torch.distributed as dist
from torch import Tensor, nn


def launched_by_torchrun() -> bool:
    """torchrun (and torch.distributed.launch) tell each process its place in these variables."""
    return "RANK" in os.environ and "WORLD_SIZE" in os.environ


@dataclass(frozen=True)
class Group:
    """This process's place in a group of `world` training processes."""

    rank: int
    world: int
    local_rank: int
    backend: str

    @property
    def leader(self) -> bool:
        """Rank 0 alone writes checkpoints, metrics and progress."""
        return self.rank == 0

    def shard(self, batch_rows: Tensor) -> Tensor:
        """This process's rows of a global batch: every world-th one from its rank, as DistributedSampler deals them."""
        return batch_rows[self.rank::self.world]

    def all_sum(self, values: Tensor) -> Tensor:
        values = values.clone()
        dist.all_reduce(values, op=dist.ReduceOp.SUM)
        return values

    def barrier(self) -> None:
        dist.barrier()

    def close(self) -> None:
        if dist.is_initialized():
            dist.destroy_process_group()


def join(device_name: str, timeout_s: float = 600) -> tuple[Group, str]:
    """Join the group torchrun started: nccl and this process's own GPU where CUDA is asked for (or
    'auto' finds it), gloo on the CPU otherwise. Returns the group and the device name to train on."""
    rank, world = int(os.environ["RANK"]), int(os.environ["WORLD_SIZE"])
    local_rank = int(os.environ.get("LOCAL_RANK", rank))
    wants_cuda = device_name.startswith("cuda") or (device_name == "auto" and torch.cuda.is_available())
    if wants_cuda:
        if not torch.cuda.is_available():
            raise ValueError("device cuda was asked for, but no CUDA GPU is available here")
        if local_rank >= torch.cuda.device_count():
            raise ValueError(f"process {local_rank} on this node has no GPU of its own "
                             f"({torch.cuda.device_count()} visible); use fewer processes per node")
        torch.cuda.set_device(local_rank)
        backend, device_name = "nccl", f"cuda:{local_rank}"
    else:
        backend, device_name = "gloo", "cpu" if device_name == "auto" else device_name
    if not dist.is_initialized():
        dist.init_process_group(backend=backend, timeout=timedelta(seconds=timeout_s))
    return Group(rank, world, local_rank, backend), device_name


class LossOf(nn.Module):
    """Makes a model's loss() its forward(), so DistributedDataParallel sees (and syncs) the step.

    DDP hooks gradient averaging onto forward(); our models train through loss(batch) instead."""

    def __init__(self, model: nn.Module):
        super().__init__()
        self.model: Any = model  # a LatentModel (not imported here: models import this module's users)

    def forward(self, batch: Tensor) -> dict[str, Tensor]:
        return self.model.loss(batch)


def data_parallel(model: nn.Module, device: torch.device) -> nn.Module:
    """DDP around the model's loss. Rank 0's weights are broadcast to all at construction."""
    ids = [device.index] if device.type == "cuda" else None
    return nn.parallel.DistributedDataParallel(LossOf(model), device_ids=ids)
