"""`latentlab mmd --wasserstein-energy`: W_2 and the energy distance beside MMD^2; a swae trained by the CLI."""

from latentlab.cli import main
from latentlab.core.checkpoints import load_checkpoint


def test_mmd_reports_wasserstein_and_energy_with_p_values(capsys):
    assert main(["mmd", "ring8:test", "ring8:train", "--n", "30", "--permutations", "20",
                 "--wasserstein-energy"]) == 0
    out = capsys.readouterr().out
    assert "W_2 (exact optimal matching) = " in out and "energy distance E^2 = " in out and out.count("p = ") == 3


def test_train_a_swae_from_the_cli(tmp_path):
    out = tmp_path / "swae.safetensors"
    assert main(["train", "--model", "swae", "--data", "ring8", "--max-steps", "3", "--hidden", "8", "--sw-weight",
                 "5", "--projections", "10", "--quiet", "--out", str(out)]) == 0
    model = load_checkpoint(out).model
    assert model.family == "swae" and model.config.sw_weight == 5 and model.config.projections == 10
    assert main(["train", "--model", "swae", "--data", "ring8", "--projections", "0", "--out", str(out)]) == 2
