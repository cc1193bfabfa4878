"""Thousands of damaged checkpoints: every one ends in CheckpointError, nothing else, quickly.

LATENTLAB_FUZZ_N sets how many (default 10,000; the long run used 100,000).
"""

import json
import os
import struct
import time

import numpy as np
import pytest
import torch

from latentlab.core.checkpoints import CheckpointError, load_checkpoint, save_checkpoint
from latentlab.core.models import build_model

N = int(os.environ.get("LATENTLAB_FUZZ_N", "10000"))


@pytest.fixture(scope="module")
def good(tmp_path_factory):
    torch.manual_seed(0)
    model = build_model("vae", {"data_shape": (2,), "latent_dim": 2, "hidden": (4,), "likelihood": "gaussian"})
    path = tmp_path_factory.mktemp("fuzz") / "good.safetensors"
    opt = torch.optim.Adam(model.parameters())
    model.loss(torch.randn(8, 2))["total"].backward()
    opt.step()
    save_checkpoint(path, model, {"name": "ring8"}, 1, 1, {"elbo": -1.0}, opt.state_dict())
    return path.read_bytes()


def split(data: bytes):
    (n,) = struct.unpack("<Q", data[:8])
    return n, json.loads(data[8:8 + n]), data[8 + n:]


def join(header: dict, body: bytes, declared: int | None = None) -> bytes:
    raw = json.dumps(header).encode()
    return struct.pack("<Q", len(raw) if declared is None else declared) + raw + body


def mutate(data: bytes, rng: np.random.Generator) -> bytes:
    """One damaged variant: bit flips, cuts, garbage, lies about sizes, shapes and families."""
    n, header, body = split(data)
    kind = rng.integers(0, 9)
    if kind == 0:  # flip bits anywhere
        b = bytearray(data)
        for pos in rng.integers(0, len(b), rng.integers(1, 20)):
            b[pos] ^= 1 << int(rng.integers(0, 8))
        return bytes(b)
    if kind == 1:  # cut in any region: length field, header, tensor data
        return data[:int(rng.integers(0, len(data)))]
    if kind == 2:  # random bytes
        return rng.integers(0, 256, int(rng.integers(0, 4000)), dtype=np.uint8).tobytes()
    if kind == 3:  # huge or wrong declared header size
        return struct.pack("<Q", int(rng.choice([2**63 - 1, 2**40, n + 1, n - 1, 0]))) + data[8:]
    if kind == 4:  # broken JSON in the header
        raw = bytearray(data[8:8 + n])
        raw[int(rng.integers(0, len(raw)))] = ord(rng.choice(list("{}[]\",:x")))
        return data[:8] + bytes(raw) + body
    name = str(rng.choice([k for k in header if k != "__metadata__"]))
    if kind == 5:  # a tensor whose offsets point past the data, or overlap
        lo, hi = header[name]["data_offsets"]
        header[name]["data_offsets"] = [int(lo), int(rng.choice([hi + 10**12, hi + 4, lo, 2**62]))]
        return join(header, body)
    if kind == 6:  # a shape that does not match the bytes, or a huge one
        header[name]["shape"] = [int(rng.choice([10**9, 3, 0, 7])), int(rng.integers(1, 5))]
        return join(header, body)
    meta = json.loads(header["__metadata__"]["latentlab"])
    if kind == 7:  # unknown family, bad config, wrong version
        choice = rng.integers(0, 4)
        if choice == 0:
            meta["family"] = "gan"
        elif choice == 1:
            meta["config"]["latent_dim"] = int(rng.choice([-1, 0, 3, 10**9]))
        elif choice == 2:
            meta["config"] = ["not", "a", "dict"]
        else:
            meta["format_version"] = int(rng.integers(2, 100))
    else:  # wrong dtype or a missing tensor
        if rng.integers(0, 2):
            header[name]["dtype"] = str(rng.choice(["F64", "I8", "BOOL", "XX"]))
        else:
            del header[name]
    header["__metadata__"]["latentlab"] = json.dumps(meta)
    return join(header, body)


def test_every_damaged_checkpoint_is_refused_cleanly(good, tmp_path):
    rng = np.random.default_rng(1234)
    path = tmp_path / "fuzz.safetensors"
    outcomes = {"refused": 0, "loaded": 0}
    start = time.perf_counter()
    for i in range(N):
        data = mutate(good, rng)
        path.write_bytes(data)
        t0 = time.perf_counter()
        try:
            ckpt = load_checkpoint(path)
        except CheckpointError as e:
            assert str(path) in str(e) and e.reason, f"case {i}: message without file or reason"
            outcomes["refused"] += 1
        else:
            # some flips land in weights or padding: the file is still a valid checkpoint
            assert all(p.shape == q.shape for p, q in zip(ckpt.model.parameters(), ckpt.model.parameters()))
            outcomes["loaded"] += 1
        assert time.perf_counter() - t0 < 2.0, f"case {i} took too long"
    assert outcomes["refused"] > 0.8 * N
    assert time.perf_counter() - start < 60 + N / 200


def test_declared_sizes_never_allocate_what_they_claim(good, tmp_path):
    import resource

    n, header, body = split(good)
    name = next(k for k in header if k != "__metadata__")
    header[name]["shape"] = [2**31, 2**31]
    header[name]["data_offsets"] = [0, 2**62]
    path = tmp_path / "huge.safetensors"
    path.write_bytes(join(header, body))
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with pytest.raises(CheckpointError):
        load_checkpoint(path)
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 100_000  # KiB: no blow-up
