"""scripts/lecture_results.py: the README's and lessons' marked blocks are what it renders from the
committed docs/lecture_results.json (nothing typed by hand)."""

import importlib.util
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "lecture_results.py"


@pytest.fixture(scope="module")
def lr():
    spec = importlib.util.spec_from_file_location("lecture_results", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_marked_blocks_match_the_committed_results(lr):
    import json

    summary = json.loads(lr.SUMMARY.read_text())
    names = set()
    for path in lr.DOCUMENTS:
        text = path.read_text()
        names |= {m.group("name") for m in lr.BLOCK.finditer(text)}
        assert lr.rewrite_blocks(text, summary) == text, f"{path.name}: run python scripts/lecture_results.py --blocks"
    assert {"walkback-ring8", "walkback-mnist5k"} <= names


def test_a_block_renders_the_seed_count_and_spread_and_says_when_an_effect_does_not_hold(lr):
    rows = [{"seed": 0, "without": 0.2, "with": 0.1}, {"seed": 1, "without": 0.1, "with": 0.3}]
    s = {"label": "ring", "epochs": 1, **lr.summarize_pairs(rows)}
    text = lr.render("walkback-ring8", {"walkback": {"ring8": s}})
    assert "1 of 2 seeds" in text and "does not hold on most seeds" in text
    assert "not measured yet" in lr.render("walkback-ring8", {})

