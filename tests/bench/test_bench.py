"""The benchmark command keeps working (its figures are not asserted: timings belong to bench/)."""

import importlib
import json

from bench.__main__ import SUITES, main
from bench.report import check, figure, table


def test_targets_are_checked_both_ways():
    assert check(2.0, ">= 2.0") and not check(1.9, ">= 2.0")
    assert check(15.0, "< 16") and not check(16.0, "< 16")
    f = figure("x", 3.14159, "ms", "base", "< 16")
    assert f.passed and f.value == 3.1416 and "| x " in table([f])


# Run by `make bench`, not here: each takes 15-30 s even quick, and what they drive is tested on its own
# (the window training: tests/gui; DDP: tests/core/test_distributed.py). The suites a quick run of everything
# skips (SKIP_IN_QUICK_RUNS: projections, data_memory) are left out too.
SLOW_SUITES = {"app", "distributed"}


def test_every_suite_imports_and_has_a_run():
    for name in SUITES:
        assert callable(importlib.import_module(f"bench.{name}").run)


def test_quick_run_of_the_suites_writes_json_and_markdown(tmp_path):
    suites = [s for s in SUITES if s not in SLOW_SUITES
              and not getattr(importlib.import_module(f"bench.{s}"), "SKIP_IN_QUICK_RUNS", False)]
    assert main(["--quick", "--only", *suites, "--out", str(tmp_path)]) == 0
    figures = json.loads((tmp_path / "latest.json").read_text())
    names = {f["name"] for f in figures}
    assert {"train_vs_tight", "mmd_vs_floor", "bandwidth_reeval_ms", "permtest_vs_one", "scatter_vs_default",
            "click_to_decode_ms", "coldstart_vs_imports", "knn_click_ms", "train_vs_floor", "train_vs_floor_conv",
            "encode_throughput", "scatter_100k_ms", "scatter_1m_ms", "scatter_2m_ms", "sprite_frame_ms",
            "folder_build_vs_imagefolder", "conv_train_vs_reference"} <= names
    assert all({"name", "value", "unit", "baseline", "target", "passed"} <= set(f) for f in figures)
    assert "mmd_vs_floor" in (tmp_path / "latest.md").read_text()


def test_cuda_without_a_gpu_is_a_clear_refusal(capsys, monkeypatch):
    import torch

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)  # also on a machine that has one
    assert main(["--device", "cuda", "--only", "mmd"]) == 2
    assert "no CUDA GPU" in capsys.readouterr().err


def test_a_run_of_some_suites_keeps_the_other_figures(tmp_path):
    from bench.report import write

    write([figure("a", 1.0, "x", "base", ">= 1.0"), figure("b", 2.0, "x", "base", ">= 1.0")], tmp_path, "run one")
    write([figure("b", 0.5, "x", "base", ">= 1.0")], tmp_path, "run two")
    figures = {f["name"]: f for f in json.loads((tmp_path / "latest.json").read_text())}
    assert figures["a"]["value"] == 1.0 and figures["a"]["run"] == "run one"
    assert figures["b"]["value"] == 0.5 and not figures["b"]["passed"] and figures["b"]["run"] == "run two"
    md = (tmp_path / "latest.md").read_text()
    assert "run one" in md and "run two" in md and md.count("| b ") == 1
    write([figure("c", 1.0, "x", "base", ">= 1.0")], tmp_path, "every suite", merge=False)
    assert [f["name"] for f in json.loads((tmp_path / "latest.json").read_text())] == ["c"]


def test_the_cuda_suite_measures_with_any_device(capsys):
    from bench import cuda
    from latentlab.core.data import load_dataset
    from latentlab.core.recipes import model_for_dataset

    assert cuda.run(True, "cpu") == [] and "--device cuda" in capsys.readouterr().out
    data = load_dataset("mnist5k")
    assert cuda.train_rate(data, "mlp", "cpu", 0.0, warmup=1, chunk=2) > 0  # the same code --device cuda times on both
    assert cuda.click_decode_ms(model_for_dataset("vae", data), "cpu", 3) > 0
