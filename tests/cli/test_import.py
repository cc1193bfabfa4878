"""`latentlab import` and the plug-in flags of codes, sample, interpolate and mmd: the pytorch/examples VAE
through every command, and every mistake as one line with exit status 2."""

import pytest
import torch
from PIL import Image

from latentlab.cli import main
from latentlab.core.checkpoints import read_metadata
from tests.plugin_sources import save_examples_weights, write_examples_vae


def run(*args):
    return main([str(a) for a in args])


@pytest.fixture
def plugin(tmp_path):
    source, weights = write_examples_vae(tmp_path), save_examples_weights(tmp_path)
    return [("--model-file", f"{source}:VAE"), ("--weights", weights), ("--data", "mnist5k")], source, weights


def flags(pairs):
    return [v for pair in pairs for v in pair]


def one_error(capsys) -> str:
    err = capsys.readouterr().err.strip()
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.startswith("latentlab:")]
    assert lines, err
    return lines[-1]


def test_every_command_takes_the_plugin_in_place_of_a_checkpoint(plugin, tmp_path, capsys):
    pairs, source, weights = plugin
    assert run("codes", *flags(pairs), "--out", tmp_path / "codes") == 0
    out = capsys.readouterr()
    assert "wrote 4500 codes" in out.out or "codes of mnist5k" in out.out
    assert "flattened to [N, 784]" in out.err  # it says which shape it used
    header = (tmp_path / "codes" / "codes.csv").read_text().splitlines()[0]
    assert header.endswith("z19")

    assert run("sample", *flags(pairs), "--n", "16", "--out", tmp_path / "s.png") == 0
    assert Image.open(tmp_path / "s.png").size[0] > 28
    assert run("interpolate", *flags(pairs), "--from", "4", "--to", "17", "--steps", "5",
               "--out", tmp_path / "i.png") == 0
    assert run("mmd", *flags(pairs), "mnist5k:test", "--n", "50", "--permutations", "20") == 0
    out = capsys.readouterr().out
    assert "A: 50 samples of vae_main.py:VAE (plugin)" in out and "B: 50 held-out examples of mnist5k" in out


def test_import_writes_a_checkpoint_that_reopens_only_with_its_plugin(plugin, tmp_path, capsys):
    pairs, source, weights = plugin
    out = tmp_path / "model.safetensors"
    assert run("import", *flags(pairs), "--out", out) == 0
    said = capsys.readouterr().out
    assert "VAE (vae_main.py) on mnist5k, 20-D codes" in said and "--model-file" in said
    meta = read_metadata(out)
    c = meta["config"]
    assert meta["family"] == "plugin" and c["class_name"] == "VAE" and c["file"] == str(source.resolve())
    assert len(c["sha256"]) == 64 and meta["plugin"]["weights"] == str(weights) and "elbo" in meta["metrics"]

    # Without the flag the code it names never runs: one line says what to do.
    assert run("sample", out, "--out", tmp_path / "x.png") == 2
    line = one_error(capsys)
    assert "plug-in model" in line and "--model-file" in line and not (tmp_path / "x.png").exists()

    with_plugin = ("--model-file", f"{source}:VAE")
    assert run("sample", out, *with_plugin, "--out", tmp_path / "x.png") == 0
    assert run("codes", out, *with_plugin, "--out", tmp_path / "codes") == 0
    assert run("interpolate", out, *with_plugin, "--from", "0", "--to", "1", "--out", tmp_path / "i.png") == 0
    assert run("mmd", out, "mnist5k:test", *with_plugin, "--n", "40", "--permutations", "10") == 0
    assert "samples of model.safetensors (plugin)" in capsys.readouterr().out

    # The code changed since: it says so, and opens while the weights still fit.
    source.write_text(source.read_text() + "\n# edited\n")
    assert run("sample", out, *with_plugin, "--out", tmp_path / "y.png") == 0
    assert "has changed since the checkpoint was made" in capsys.readouterr().err
    # The plug-in file is gone.
    source.unlink()
    assert run("sample", out, "--out", tmp_path / "z.png") == 2
    assert "no longer there" in one_error(capsys)
    assert run("sample", out, *with_plugin, "--out", tmp_path / "z.png") == 2
    assert "no such plug-in file" in one_error(capsys)


def test_a_hostile_pickle_is_refused_and_no_file_appears(plugin, tmp_path, capsys):
    pairs, source, _ = plugin
    marker = tmp_path / "written-by-the-pickle"

    class Hostile:
        def __reduce__(self):
            return (open, (str(marker), "w"))

    torch.save({"fc1.weight": Hostile()}, tmp_path / "hostile.pt")
    for command in (["sample", "--out", tmp_path / "s.png"], ["import", "--out", tmp_path / "m.safetensors"]):
        code = run(command[0], "--model-file", f"{source}:VAE", "--weights", tmp_path / "hostile.pt",
                   "--data", "mnist5k", *command[1:])
        assert code == 2
        assert "refused" in one_error(capsys)
        assert not marker.exists()
    assert not (tmp_path / "s.png").exists() and not (tmp_path / "m.safetensors").exists()


def test_mistakes_are_one_line_with_status_2(plugin, tmp_path, capsys):
    pairs, source, weights = plugin
    state = torch.load(weights, weights_only=True)
    torch.save(dict(state, **{"fc3.weight": torch.zeros(400, 2)}), tmp_path / "wrong.pt")
    (tmp_path / "bad.py").write_text("class VAE(:\n")
    cases = [
        (["sample", "--model-file", tmp_path / "nowhere.py:VAE", "--data", "mnist5k"], "no such plug-in file"),
        (["sample", "--model-file", f"{source}:Missing", "--data", "mnist5k"], "no class Missing; it has VAE"),
        (["sample", "--model-file", tmp_path / "bad.py:VAE", "--data", "mnist5k"], "syntax error"),
        (["sample", "--model-file", f"{source}:VAE", "--weights", tmp_path / "wrong.pt", "--data", "mnist5k"],
         "fc3.weight is [400, 2] in the file, [400, 20] in the model"),
        (["sample", "--model-file", f"{source}:VAE", "--weights", tmp_path / "none.pt", "--data", "mnist5k"],
         "no such weights file"),
        (["sample", "--model-file", f"{source}:VAE"], "needs --data"),
        (["sample", "--model-file", f"{source}:VAE", "--data", "ring8"], "encode takes neither"),
        (["sample", "--weights", weights], "go with --model-file"),
        (["sample"], "give a checkpoint, or --model-file"),
        (["sample", "--model-file", f"{source}:VAE", "--data", "mnist5k", "--model-arg", "width=3"],
         "has no setting 'width'"),
        (["import", "--data", "mnist5k"], "import needs --model-file"),
        (["mmd", "mnist5k"], "give A and B"),
    ]
    for argv, expected in cases:
        assert run(*argv, "--out", tmp_path / "o.png") == 2 if argv[0] != "mmd" else run(*argv) == 2, argv
        assert expected in one_error(capsys), argv


def test_the_window_command_refuses_a_bad_plugin_before_any_window(plugin, tmp_path, capsys):
    assert run("--model-file", tmp_path / "nowhere.py:VAE", "--data", "mnist5k") == 2
    assert "no such plug-in file" in one_error(capsys)
    assert run("--weights", tmp_path / "w.pt") == 2
    assert "go with --model-file" in one_error(capsys)


def test_a_plugin_that_breaks_after_it_opened_is_one_line(tmp_path, capsys):
    from tests.core.test_plugins import RUNTIME_FAULTS

    (tmp_path / "r.py").write_text(RUNTIME_FAULTS)
    out = tmp_path / "grid.png"
    code = run("sample", "--model-file", f"{tmp_path / 'r.py'}:M", "--data", "mnist5k", "--n", 16, "--out", out)
    assert code == 2 and not out.exists()
    assert "M.sample gave [16, 10] for 16 examples" in one_error(capsys)


def test_codes_that_are_not_finite_are_written_with_a_warning(tmp_path, capsys):
    (tmp_path / "n.py").write_text(
        "import torch\nfrom torch import nn\n\nclass M(nn.Module):\n"
        "    def __init__(self):\n        super().__init__()\n        self.w = nn.Linear(784, 2)\n"
        "    def encode(self, x):\n        return self.w(x.flatten(1)) * float('nan')\n"
        "    def decode(self, z):\n        return torch.sigmoid(self.w.weight.sum() + torch.zeros(len(z), 784))\n")
    assert run("codes", "--model-file", f"{tmp_path / 'n.py'}:M", "--data", "mnist5k", "--out", tmp_path / "c") == 0
    assert "warning: 5000 of 5000 codes are not finite" in capsys.readouterr().err


def test_codes_that_are_not_finite_cannot_be_projected_and_nothing_is_written(tmp_path, capsys):
    from tests.core.test_plugins import RUNTIME_FAULTS

    (tmp_path / "n.py").write_text(RUNTIME_FAULTS.replace("return self.w(x.flatten(1))",
                                                          "return self.w(x.flatten(1)) * float('nan')"))
    out = tmp_path / "c"
    assert run("codes", "--model-file", f"{tmp_path / 'n.py'}:M", "--data", "mnist5k", "--projection", "pca",
               "--out", out) == 2
    assert "cannot project the codes: 5000 of 5000 are not finite" in one_error(capsys) and not out.exists()
