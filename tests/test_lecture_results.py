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
    assert {"walkback-ring8", "walkback-mnist5k", "prior", "interpolation", "terms-beta0", "terms-klonly", "mmdnet",
            "penalties"} <= names


def test_a_block_renders_the_seed_count_and_spread_and_says_when_an_effect_does_not_hold(lr):
    rows = [{"seed": 0, "without": 0.2, "with": 0.1}, {"seed": 1, "without": 0.1, "with": 0.3}]
    s = {"label": "ring", "epochs": 1, **lr.summarize_pairs(rows)}
    text = lr.render("walkback-ring8", {"walkback": {"ring8": s}})
    assert "1 of 2 seeds" in text and "does not hold on most seeds" in text
    assert "not measured yet" in lr.render("walkback-ring8", {})


def test_a_walkback_block_says_whether_the_target_is_met_and_where_the_floor_is(lr):
    def block(lower, ratio):
        rows = [{"seed": i, "without": ratio * 0.01, "with": 0.01 if i < lower else ratio * 0.02} for i in range(20)]
        s = {"label": "ring", "epochs": 1, "walkback": 2, "floor": 0.005, **lr.summarize_pairs(rows)}
        return " ".join(lr.render("walkback-ring8", {"walkback": {"ring8": s}}).split())

    met = block(19, 3.0)
    assert "with two walkback steps" in met and "**19 of 20 seeds**" in met and "is met." in met
    assert "about 0.0050" in met and "cannot be much above 6.00x" in met
    assert "is not met." in block(17, 3.0) and "is not met." in block(20, 1.5)


def test_a_walkback_block_counts_the_seeds_the_recipe_was_chosen_on_apart_from_the_held_out_ones(lr):
    rows = [{"seed": i, "without": 0.03, "with": 0.01 if i < 3 or i % 10 else 0.05} for i in range(25)]
    s = {"label": "ring", "epochs": 1, "walkback": 4, "held_out_from": 3, **lr.summarize_pairs(rows)}
    text = " ".join(lr.render("walkback-ring8", {"walkback": {"ring8": s}}).split())
    assert "with four walkback steps" in text
    assert "chosen on trials over seeds 0-2 (lower there on 3 of the 3 measured)" in text
    assert "on seeds 3-24, held out from that choice, MMD² is lower with walkback on 20 of 22" in text
    assert "a median ratio of 3.00x: the target is met there." in text



def _family_row(seed, ae_log_prior, vae_log_prior, beta0_sd, klonly_kl, ae_path, vae_path):
    """One seed of scripts/lecture_effects.py's VAE-family measurements, made up."""
    def model(log_prior, sd, kl=None):
        row = {"log_prior": log_prior, "code_sd": sd, "outside_3sd": 0.5, "decode_var": 0.01, "recon_var": 0.01}
        return row if kl is None else {**row, "kl": kl, "posterior_sd": 0.5}
    return {"seed": seed, "epochs": 1, "n": 500, "data_var": 0.07, "ae": model(ae_log_prior, 3.0),
            "vae": model(vae_log_prior, 1.0, 5.0), "beta0": model(-50.0, beta0_sd, 70.0),
            "klonly": {**model(-1.8, 0.01, klonly_kl), "decode_var": 0.002},
            "interpolation": [{"pair": [0, 1], "ae": ae_path, "vae": vae_path, "ae_ends": 4.0, "vae_ends": 4.0}]}


def test_the_effect_blocks_give_the_seed_count_and_spread_and_say_when_an_effect_does_not_hold(lr):
    effects = lr.lecture_effects

    def render(name, summary):
        return " ".join(effects.render(name, summary).split())  # unwrapped

    rows = [_family_row(0, -40.0, -4.0, 4.0, 1e-4, 5.0, 4.5), _family_row(1, -3.0, -4.0, 0.5, 1.0, 4.0, 4.5)]
    prior = render("prior", effects.summarize_prior(rows))
    assert "**1 of 2 seeds**" in prior and "-4.00 [-4.00, -4.00]" in prior and "not on every one" not in prior
    assert "does not hold on most seeds" in prior
    path = render("interpolation", {"long": effects.summarize_interpolation(rows)})
    assert "**1 of 2 pairs**" in path and "1 of 2 seeds" in path and "do not stay closer" in path
    terms = effects.summarize_terms(rows)
    assert "**1 of 2 seeds**" in render("terms-beta0", terms["beta0"])
    assert "**1 of 2 seeds**" in render("terms-klonly", terms["klonly"])
    nets = [{"seed": s, "epochs": 1, "permutations": 100, "untrained_p": 0.01, "trained_p": p}
            for s, p in enumerate([0.5, 0.02, 0.3])]
    text = render("mmdnet", effects.summarize_mmdnet(nets))
    assert "**2 of 3 seeds**" in text and "**3 of 3**" in text and "does not pass on every seed" in text
    assert "not measured yet" in lr.render("mmdnet", {})
