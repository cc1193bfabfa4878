"""The benchmark command keeps working (its figures are not asserted: timings belong to bench/)."""

import json

from bench.__main__ import main
from bench.report import check, figure, table


def test_targets_are_checked_both_ways():
    assert check(2.0, ">= 2.0") and not check(1.9, ">= 2.0")
    assert check(15.0, "< 16") and not check(16.0, "< 16")
    f = figure("x", 3.14159, "ms", "base", "< 16")
    assert f.passed and f.value == 3.1416 and "| x " in table([f])


def test_quick_run_of_every_suite_writes_json_and_markdown(tmp_path):
    assert main(["--quick", "--out", str(tmp_path)]) == 0
    figures = json.loads((tmp_path / "latest.json").read_text())
    names = {f["name"] for f in figures}
    assert {"train_vs_tight", "mmd_vs_floor", "bandwidth_reeval_ms", "permtest_vs_one", "app_vs_headless",
            "gui_stall_p99_ms", "scatter_vs_default", "click_to_decode_ms", "coldstart_vs_imports",
            "ddp2_vs_one", "knn_click_ms", "train_vs_floor", "train_vs_floor_conv",
            "encode_throughput", "scatter_100k_ms", "scatter_1m_ms", "scatter_2m_ms", "sprite_frame_ms"} <= names
    assert all({"name", "value", "unit", "baseline", "target", "passed"} <= set(f) for f in figures)
    assert "mmd_vs_floor" in (tmp_path / "latest.md").read_text()


def test_cuda_without_a_gpu_is_a_clear_refusal(capsys, monkeypatch):
    import torch

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)  # also on a machine that has one
    assert main(["--device", "cuda", "--only", "mmd"]) == 2
    assert "no CUDA GPU" in capsys.readouterr().err
