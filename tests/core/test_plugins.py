"""Plug-ins (core/plugins.py, core/models/plugin.py): the pytorch/examples VAE opened unmodified, shapes
adapted, weights read without running code, every mistake one line."""

import pickle

import pytest
import torch

from latentlab.core.checkpoints import CheckpointError, load_checkpoint, save_checkpoint
from latentlab.core.data import load_dataset
from latentlab.core.models.plugin import PluginError, PluginModel
from latentlab.core.plugins import (
    fit_weights,
    load_plugin,
    open_plugin,
    plugin_differences,
    read_weights,
)
from latentlab.core.recipes import dataset_record
from latentlab.core.training import TrainConfig, Trainer
from tests.plugin_sources import POINTS_AE, save_examples_weights, write_examples_vae


@pytest.fixture(scope="module")
def mnist():
    return load_dataset("mnist5k")


@pytest.fixture
def examples(tmp_path):
    return write_examples_vae(tmp_path), save_examples_weights(tmp_path)


def one_line(error: Exception) -> str:
    text = str(error)
    assert "\n" not in text and "Traceback" not in text
    return text


def test_the_pytorch_examples_vae_opens_unmodified(examples, mnist):
    source, weights = examples
    opened = open_plugin(f"{source}:VAE", weights, mnist)
    model = opened.model
    c = model.config
    assert (c.input_form, c.latent_dim, c.posterior, c.unit_decode, c.training) == ("flat", 20, True, True, "elbo")
    assert any("flattened to [N, 784]" in note for note in opened.notes)  # it says which shape was used
    assert any("ELBO" in note for note in opened.notes)
    state = torch.load(weights, weights_only=True)
    assert torch.equal(model.net.fc1.weight, state["fc1.weight"])
    x = mnist.floats("train", slice(0, 5))
    with torch.no_grad():
        mu, logvar = model.encode_dist(x)
        assert mu.shape == logvar.shape == (5, 20)
        assert torch.allclose(mu, model.net.encode(x.view(-1, 784))[0])
        decoded = model.decode(mu)
        assert decoded.shape == (5, 1, 28, 28)  # reshaped to the data's shape
        assert torch.allclose(decoded.flatten(1), model.net.decode(mu))
        assert model.sample(3, torch.Generator().manual_seed(0)).shape == (3, 1, 28, 28)
    assert set(model.loss(x)) == {"recon", "kl", "total"} and model.loss_names == ("recon", "kl", "total")
    assert model.can("encode") and model.can("posterior") and model.can("train") and model.can("sample")
    assert not model.can("walkback") and "corruption" in model.why_not("walkback")


def test_it_trains_on_the_elbo(examples, mnist):
    source, weights = examples
    model = open_plugin(f"{source}:VAE", weights, mnist).model
    trainer = Trainer(model, mnist, TrainConfig(epochs=1, batch_size=128, lr=1e-3))
    before = model.metrics(mnist.floats("test", slice(0, 200)))["total"]
    result = trainer.run(max_steps=20)
    assert result.reason in ("finished", "stopped") and trainer.step == 20
    after = model.metrics(mnist.floats("test", slice(0, 200)))
    assert after["total"] < before and after["elbo"] == pytest.approx(-after["total"], rel=1e-5)


def test_the_class_is_found_alone_and_the_script_code_does_not_run(examples, mnist):
    source, _ = examples  # its __main__ block raises SystemExit, and it parses sys.argv at import
    plugin = load_plugin(str(source))
    assert plugin.name == "VAE" and len(plugin.sha256) == 64 and plugin.file == str(source.resolve())


def test_a_plugin_with_its_own_loss_sample_and_corruption(tmp_path):
    (tmp_path / "points.py").write_text(POINTS_AE)
    ring = load_dataset("ring8")
    model = open_plugin(f"{tmp_path / 'points.py'}:PointsAE", None, ring, {"hidden": "8"}).model
    c = model.config
    assert (c.input_form, c.training, c.loss_terms, c.posterior) == ("data", "loss", ("mse", "total"), False)
    assert model.net.enc[0].out_features == 8  # --model-arg hidden=8 reached the constructor
    assert not model.can("posterior") and "not (mu, logvar)" in model.why_not("posterior")
    a = model.sample(4, torch.Generator().manual_seed(3))
    b = model.sample(4, torch.Generator().manual_seed(3))
    assert a.shape == (4, 2) and torch.equal(a, b)  # its own sample(n), seeded from our generator
    assert model.can("walkback")
    x_tilde, x = model.chain_step(ring.train_x[:10], generator=torch.Generator().manual_seed(0))
    assert x_tilde.shape == x.shape == (10, 2)
    fresh = model.fresh()
    assert not torch.equal(fresh.net.enc[0].weight, model.net.enc[0].weight)


def test_a_decode_outside_the_unit_range_without_a_loss_cannot_train(tmp_path, mnist):
    (tmp_path / "logits.py").write_text(
        "import torch\nfrom torch import nn\n\nclass AE(nn.Module):\n"
        "    def __init__(self):\n        super().__init__()\n        self.e = nn.Linear(784, 3)\n"
        "        self.d = nn.Linear(3, 784)\n"
        "    def encode(self, x):\n        return self.e(x.flatten(1))\n"
        "    def decode(self, z):\n        return self.d(z) * 10\n")
    model = open_plugin(f"{tmp_path / 'logits.py'}:AE", None, mnist).model
    assert model.config.input_form == "data"  # flattened inside encode: the data's shape works
    assert not model.can("train") and "outside [0, 1]" in model.why_not("train")
    with pytest.raises(Exception, match="outside"):
        model.loss(mnist.floats("train", slice(0, 4)))


def test_a_hostile_pickle_is_refused_and_its_code_never_runs(tmp_path, examples, mnist):
    source, _ = examples
    marker = tmp_path / "pwned"

    class Hostile:
        def __reduce__(self):
            return (open, (str(marker), "w"))

    hostile = tmp_path / "hostile.pt"
    with open(hostile, "wb") as f:
        pickle.dump({"fc1.weight": Hostile()}, f)  # what torch.save would write for it, without the zip
    torch.save({"fc1.weight": Hostile()}, tmp_path / "hostile_zip.pt")
    assert not marker.exists()
    for path in (hostile, tmp_path / "hostile_zip.pt"):
        with pytest.raises(PluginError) as e:
            open_plugin(f"{source}:VAE", path, mnist)
        assert not marker.exists(), "the pickle's code ran"
        assert "refused" in one_line(e.value) or "not a weights file" in one_line(e.value)
    with pytest.raises(PluginError, match="refused: it carries code"):
        read_weights(tmp_path / "hostile_zip.pt")


def test_a_pickled_module_is_refused_with_what_to_save_instead(tmp_path):
    torch.save(torch.nn.Linear(2, 2), tmp_path / "whole.pt")
    with pytest.raises(PluginError) as e:
        read_weights(tmp_path / "whole.pt")
    assert "state_dict()" in one_line(e.value)


def test_weights_nested_or_wrapped_are_found(tmp_path, examples):
    _, weights = examples
    state = torch.load(weights, weights_only=True)
    torch.save({"epoch": 3, "state_dict": {f"module.{k}": v for k, v in state.items()}}, tmp_path / "nested.pth")
    found, notes = read_weights(tmp_path / "nested.pth")
    assert set(found) == set(state) and len(notes) == 2
    from safetensors.torch import save_file
    save_file(state, tmp_path / "w.safetensors")
    assert set(read_weights(tmp_path / "w.safetensors")[0]) == set(state)


def test_key_and_shape_mismatches_name_the_tensors(examples, mnist, tmp_path):
    source, weights = examples
    state = torch.load(weights, weights_only=True)
    wrong = dict(state, **{"fc21.weight": torch.zeros(10, 400)})
    torch.save(wrong, tmp_path / "wrong.pt")
    with pytest.raises(PluginError) as e:
        open_plugin(f"{source}:VAE", tmp_path / "wrong.pt", mnist)
    assert "fc21.weight is [10, 400] in the file, [20, 400] in the model" in one_line(e.value)

    keys = {k: v for k, v in state.items() if k != "fc4.bias"}
    keys.update({f"extra{i}": torch.zeros(1) for i in range(12)})
    torch.save(keys, tmp_path / "keys.pt")
    with pytest.raises(PluginError) as e:
        open_plugin(f"{source}:VAE", tmp_path / "keys.pt", mnist)
    text = one_line(e.value)
    assert "missing keys: fc4.bias" in text and "unexpected keys: extra0" in text and "(12 in all)" in text
    assert "extra11" not in text  # the first 10 only

    net = load_plugin(f"{source}:VAE").cls()
    with pytest.raises(PluginError, match="does not fit VAE"):
        fit_weights(net, {}, "empty.pt", "VAE")


@pytest.mark.parametrize("text, source, expected", [
    (None, "missing.py:VAE", "no such plug-in file"),
    ("def broken(:\n", "f.py:VAE", "line 1: syntax error"),
    ("import no_such_module_here\n", "f.py:VAE", "line 1: importing it failed: ModuleNotFoundError"),
    ("import sys\nsys.exit(3)\n", "f.py:VAE", "called exit(3)"),
    ("from torch import nn\nclass Other(nn.Module):\n    def encode(self, x): return x\n"
     "    def decode(self, z): return z\n", "f.py:VAE", "no class VAE; it has Other"),
    ("class VAE:\n    pass\n", "f.py:VAE", "not an nn.Module"),
    ("from torch import nn\nclass VAE(nn.Module):\n    def encode(self, x): return x\n", "f.py:VAE", "no decode"),
    ("", "entry:nothing-installed", "no entry point 'nothing-installed'"),
])
def test_bad_plugins_are_one_line(tmp_path, monkeypatch, text, source, expected):
    monkeypatch.chdir(tmp_path)
    if text is not None:
        (tmp_path / "f.py").write_text(text)
    with pytest.raises(PluginError) as e:
        load_plugin(source)
    assert expected in one_line(e.value)


@pytest.mark.parametrize("body, expected", [
    ("return 'a code'", "encode returned a str"),
    ("return x.flatten(1)[:, :3], x.flatten(1)[:, :4]", "different shapes"),
    ("raise RuntimeError('boom')", "encode takes neither"),
])
def test_encoders_that_do_not_fit_are_one_line(tmp_path, mnist, body, expected):
    (tmp_path / "e.py").write_text(
        "import torch\nfrom torch import nn\n\nclass M(nn.Module):\n"
        "    def __init__(self):\n        super().__init__()\n        self.w = nn.Linear(1, 1)\n"
        f"    def encode(self, x):\n        {body}\n"
        "    def decode(self, z):\n        return torch.zeros(len(z), 784)\n")
    with pytest.raises(PluginError) as e:
        open_plugin(f"{tmp_path / 'e.py'}:M", None, mnist)
    assert expected in one_line(e.value)


def test_a_decode_of_the_wrong_size_is_one_line(tmp_path, mnist):
    (tmp_path / "d.py").write_text(
        "import torch\nfrom torch import nn\n\nclass M(nn.Module):\n"
        "    def __init__(self):\n        super().__init__()\n        self.w = nn.Linear(784, 2)\n"
        "    def encode(self, x):\n        return self.w(x.flatten(1))\n"
        "    def decode(self, z):\n        return torch.zeros(len(z), 10)\n")
    with pytest.raises(PluginError) as e:
        open_plugin(f"{tmp_path / 'd.py'}:M", None, mnist)
    assert "decode gave [4, 10] for 4 codes" in one_line(e.value)


RUNTIME_FAULTS = (
    "import torch\nfrom torch import nn\n\nclass M(nn.Module):\n"
    "    def __init__(self):\n        super().__init__()\n        self.w = nn.Linear(784, 2)\n"
    "    def encode(self, x):\n        return self.w(x.flatten(1))\n"
    "    def decode(self, z):\n        if len(z) > 8:\n            raise RuntimeError('only small batches')\n"
    "        return torch.sigmoid(z.sum(1, keepdim=True).expand(-1, 784))\n"
    "    def sample(self, n):\n        return 'not a tensor' if n == 3 else torch.zeros(n, 10)\n")


def test_a_plugin_that_fails_after_opening_is_one_line_naming_file_line_and_method(tmp_path, mnist):
    """The probe passes (4 examples); later calls with other batch sizes break the user's code."""
    (tmp_path / "r.py").write_text(RUNTIME_FAULTS)
    model = open_plugin(f"{tmp_path / 'r.py'}:M", None, mnist).model
    assert model.decode(torch.zeros(4, 2)).shape == (4, 1, 28, 28)
    with pytest.raises(PluginError) as e:
        model.decode(torch.zeros(64, 2))
    assert f"{tmp_path / 'r.py'}, line 12: M.decode failed: RuntimeError: only small batches" in one_line(e.value)
    with pytest.raises(PluginError) as e:
        model.sample(3)
    assert "M.sample returned a str" in one_line(e.value)
    with pytest.raises(PluginError) as e:
        model.sample(5)
    assert "M.sample gave [5, 10] for 5 examples" in one_line(e.value)


def test_an_encode_that_gives_a_fixed_number_of_codes_is_one_line(tmp_path, mnist):
    (tmp_path / "f.py").write_text(RUNTIME_FAULTS.replace("return self.w(x.flatten(1))",
                                                          "return self.w(x.flatten(1))[:4]"))
    model = open_plugin(f"{tmp_path / 'f.py'}:M", None, mnist).model  # the probe's 4 examples fit
    with pytest.raises(PluginError) as e:
        model.encode(torch.zeros(10, 1, 28, 28))
    assert "M.encode gave [4, 2] for 10 examples" in one_line(e.value)


def test_a_plugin_error_is_found_under_the_wrapping_of_a_signal_that_called_its_code():
    from psygnal import Signal

    from latentlab.core.models.plugin import plugin_error_in

    class Source:
        changed = Signal()

    source, failure = Source(), PluginError("m.py, line 3: M.decode failed: RuntimeError: no")
    source.changed.connect(lambda: (_ for _ in ()).throw(failure))
    with pytest.raises(Exception) as e:
        source.changed.emit()
    assert e.value is not failure and plugin_error_in(e.value) is failure
    assert plugin_error_in(RuntimeError("a bug")) is None


def test_a_checkpoint_of_a_plugin_needs_its_code_named_and_says_when_it_changed(examples, mnist, tmp_path):
    source, weights = examples
    model = open_plugin(f"{source}:VAE", weights, mnist).model
    path = save_checkpoint(tmp_path / "m.safetensors", model, dataset_record(mnist))
    with pytest.raises(CheckpointError) as e:
        load_checkpoint(path)  # the metadata names the code: it must not run
    assert "plug-in model" in one_line(e.value) and "--model-file" in str(e.value)
    plugin = load_plugin(f"{source}:VAE")
    again = load_checkpoint(path, plugin=plugin).model
    assert isinstance(again, PluginModel) and plugin_differences(load_checkpoint(path, plugin=plugin).meta,
                                                                  plugin) == []
    x = mnist.floats("train", slice(0, 3))
    with torch.no_grad():
        assert torch.allclose(again.encode(x), model.encode(x))
    changed = tmp_path / "vae_changed.py"
    changed.write_text(source.read_text() + "\n# edited\n")
    other = load_plugin(f"{changed}:VAE")
    differences = plugin_differences(load_checkpoint(path, plugin=other).meta, other)
    assert len(differences) == 1 and "has changed" in differences[0]
    source.unlink()
    with pytest.raises(CheckpointError, match="no longer there"):
        load_checkpoint(path)
