"""Bring your own model: load a user's nn.Module from a file or an installed package, read its weights
without running code, and adapt it to latentlab's protocol (core/models/plugin.py).

A plug-in is `FILE.py:CLASS` (the file is imported as a module of its own; code under
`if __name__ == "__main__":` does not run) or `entry:NAME` (entry-point group `latentlab.models`). Its
class has `encode(x)` -> a code or (mu, logvar), and `decode(z)`; optionally `loss(x)` -> a dict of
named terms with "total", `sample(n)`, `latentlab_settings` (a dataclass declaring its constructor's
settings) and `corruption` / `corruption_level` (a walkback chain). A plug-in is code the user chose
to run: it runs only when named here, never because a checkpoint's metadata names it.

Every mistake ends in PluginError, one line that names the file and what is wrong.
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib.util
import inspect
import json
import pickle
import re
import sys
import warnings
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import torch
from torch import Tensor, nn

from latentlab.core.corruption import CORRUPTIONS, IMAGE_ONLY
from latentlab.core.data import Dataset, as_float
from latentlab.core.models.plugin import PluginConfig, PluginError, PluginModel, loss_terms, split_encoding
from latentlab.core.models.plugin import one_line as _one_line
from latentlab.core.models.plugin import where_in as _where
from latentlab.core.settings import Setting, SettingError, declared

ENTRY_GROUP = "latentlab.models"
ENTRY_PREFIX = "entry:"
NESTED_KEYS = ("state_dict", "model_state_dict", "model", "net", "weights")  # where trainers keep the weights
SHOWN_KEYS = 10
PROBE_N = 4

__all__ = ["ENTRY_GROUP", "LoadedPlugin", "PluginError", "Opened", "load_plugin", "open_plugin", "read_weights",
           "fit_weights", "rebuild", "recorded_plugin", "sha256_of"]


@dataclass(frozen=True)
class LoadedPlugin:
    """A plug-in class, loaded, with where it came from."""

    cls: type
    source: str  # as given
    file: str  # the file defining the class
    sha256: str
    entry_point: str = ""

    @property
    def name(self) -> str:
        return self.cls.__name__


@dataclass
class Opened:
    """A plug-in model ready to use, and what the user should be told about how it was opened."""

    model: PluginModel
    notes: list[str] = field(default_factory=list)


def sha256_of(path: str | Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


# -- the class --------------------------------------------------------------------------------------------
def load_plugin(source: str) -> LoadedPlugin:
    """The class named by `FILE.py:CLASS` (or `FILE.py` holding one model class) or `entry:NAME`.

    This runs the plug-in's code: call it only for a plug-in the user named (a flag or a confirmation)."""
    source = source.strip()
    if source.startswith(ENTRY_PREFIX):
        return _from_entry_point(source, source[len(ENTRY_PREFIX):])
    path_text, _, class_name = source.rpartition(":") if _has_class(source) else (source, "", "")
    path = Path(path_text).expanduser()
    if not path.exists():
        raise PluginError(f"{path}: no such plug-in file")
    if not path.is_file():
        raise PluginError(f"{path}: not a file")
    if path.suffix != ".py":
        raise PluginError(f"{path}: a plug-in is a Python file (FILE.py:CLASS), or entry:NAME for an installed one")
    path = path.resolve()
    try:
        code = path.read_bytes()
    except OSError as e:
        raise PluginError(f"{path}: cannot read: {e.strerror or e}") from None
    digest = hashlib.sha256(code).hexdigest()
    module = _import_file(path, digest)
    cls = _pick_class(module, class_name, str(path))
    return LoadedPlugin(cls, source, str(path), digest)


def _has_class(source: str) -> bool:
    """FILE.py:CLASS (a Windows drive letter's colon is not a class separator)."""
    head, sep, tail = source.rpartition(":")
    return bool(sep) and tail.isidentifier() and len(head) > 1


def _import_file(path: Path, digest: str) -> Any:
    stem = re.sub(r"\W", "_", path.stem)
    name = f"latentlab_plugin_{stem}_{digest[:12]}"
    if name in sys.modules:  # the same code, already imported: run it once per process
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise PluginError(f"{path}: Python cannot import this file")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    if str(path.parent) not in sys.path:
        sys.path.append(str(path.parent))  # its own helper modules, beside it
    argv = sys.argv
    sys.argv = [str(path)]  # a script that parses its arguments at import (pytorch/examples does) gets none
    try:
        spec.loader.exec_module(module)
    except SyntaxError as e:
        del sys.modules[name]
        raise PluginError(f"{path}, line {e.lineno}: syntax error: {e.msg}") from None
    except SystemExit as e:
        del sys.modules[name]
        raise PluginError(f"{path}: importing it called exit({e.code}); put its script code under "
                          "if __name__ == '__main__':") from None
    except BaseException as e:  # noqa: BLE001 (the user's code: anything can happen, and it must be one line)
        del sys.modules[name]
        if isinstance(e, KeyboardInterrupt):
            raise
        raise PluginError(f"{path}{_where(e, path)}: importing it failed: {_one_line(e)}") from None
    finally:
        sys.argv = argv
    return module


def _is_model_class(obj: Any) -> bool:
    return (inspect.isclass(obj) and issubclass(obj, nn.Module) and callable(getattr(obj, "encode", None))
            and callable(getattr(obj, "decode", None)))


def _pick_class(module: Any, class_name: str, where: str) -> type:
    candidates = [n for n, v in vars(module).items() if _is_model_class(v) and v.__module__ == module.__name__]
    if not class_name:
        if len(candidates) == 1:
            return vars(module)[candidates[0]]
        found = f"it defines {', '.join(candidates)}" if candidates else "it defines none"
        raise PluginError(f"{where}: name the class as FILE.py:CLASS ({found} with encode and decode)")
    obj = getattr(module, class_name, None)
    if obj is None:
        hint = f"; it has {', '.join(candidates)}" if candidates else "; it defines no nn.Module with encode and decode"
        raise PluginError(f"{where}: no class {class_name}{hint}")
    if not (inspect.isclass(obj) and issubclass(obj, nn.Module)):
        raise PluginError(f"{where}: {class_name} is not an nn.Module class")
    lacking = [m for m in ("encode", "decode") if not callable(getattr(obj, m, None))]
    if lacking:
        raise PluginError(f"{where}: {class_name} has no {' and no '.join(lacking)} method "
                          "(a plug-in needs encode(x) and decode(z))")
    return obj


def _from_entry_point(source: str, name: str) -> LoadedPlugin:
    found = [ep for ep in metadata.entry_points(group=ENTRY_GROUP) if ep.name == name]
    if not found:
        known = sorted(ep.name for ep in metadata.entry_points(group=ENTRY_GROUP))
        listed = f"installed: {', '.join(known)}" if known else "no package installs any"
        raise PluginError(f"{source}: no entry point {name!r} in group {ENTRY_GROUP} ({listed})")
    ep = found[0]
    try:
        cls = ep.load()
    except BaseException as e:  # noqa: BLE001 (the package's code)
        if isinstance(e, KeyboardInterrupt):
            raise
        raise PluginError(f"{source} ({ep.value}): loading it failed: {_one_line(e)}") from None
    where = f"{source} ({ep.value})"
    if not _is_model_class(cls):
        raise PluginError(f"{where}: not an nn.Module class with encode and decode")
    file = inspect.getsourcefile(cls) or ""
    digest = sha256_of(file) if file and Path(file).is_file() else ""
    return LoadedPlugin(cls, source, file, digest, entry_point=name)


# -- its constructor ------------------------------------------------------------------------------------
def plugin_settings(plugin: LoadedPlugin) -> dict[str, Setting]:
    """The constructor's settings: those its `latentlab_settings` dataclass declares (with setting(...) or
    plain defaults), else its keyword parameters that have simple defaults."""
    declared_class = getattr(plugin.cls, "latentlab_settings", None)
    if isinstance(declared_class, type) and dataclasses.is_dataclass(declared_class):
        found = {s.field: s for s in declared(declared_class, "plugin")}
        for f in dataclasses.fields(declared_class):
            if f.name not in found and f.default is not dataclasses.MISSING:
                found[f.name] = _inferred(f.name, f.default)
        return found
    found = {}
    try:
        parameters = inspect.signature(plugin.cls).parameters
    except (TypeError, ValueError):
        return {}
    for p in parameters.values():
        if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            continue
        if p.default is p.empty or isinstance(p.default, (bool, int, float, str, tuple)):
            found[p.name] = _inferred(p.name, None if p.default is p.empty else p.default)
    return found


def _inferred(name: str, default: Any) -> Setting:
    kind = ("bool" if isinstance(default, bool) else "int" if isinstance(default, int) else
            "float" if isinstance(default, float) else
            ("floats" if any(isinstance(v, float) for v in default) else "ints") if isinstance(default, tuple)
            else "str")
    return Setting(f"plugin.{name}", kind, default, name, f"the plug-in's {name} argument",
                   optional=default is None)


def constructor_arguments(plugin: LoadedPlugin, given: dict[str, Any]) -> dict[str, Any]:
    """`given` (NAME=VALUE text from --model-arg, or values from a checkpoint) checked against the
    plug-in's settings; the defaults of the others are left to the class."""
    settings = plugin_settings(plugin)
    out = {}
    for name, value in given.items():
        if name not in settings:
            known = ", ".join(settings) or "none"
            raise PluginError(f"{plugin.name} has no setting {name!r} (its settings: {known})")
        try:
            out[name] = settings[name].parse(value) if isinstance(value, str) else settings[name].check(value)
        except SettingError as e:
            raise PluginError(f"{plugin.name}: {e}") from None
    lacking = [n for n, s in settings.items() if s.default is None and n not in out and _required(plugin, n)]
    if lacking:
        raise PluginError(f"{plugin.name} needs {', '.join(lacking)}: give it with --model-arg "
                          f"{lacking[0]}=VALUE")
    return out


def _required(plugin: LoadedPlugin, name: str) -> bool:
    try:
        p = inspect.signature(plugin.cls).parameters.get(name)
    except (TypeError, ValueError):
        return False
    return p is not None and p.default is p.empty


def construct(plugin: LoadedPlugin, arguments: dict[str, Any]) -> nn.Module:
    """An instance of the plug-in's class: its settings as keyword arguments (or one dataclass argument)."""
    declared_class = getattr(plugin.cls, "latentlab_settings", None)
    try:
        if isinstance(declared_class, type) and dataclasses.is_dataclass(declared_class):
            net = plugin.cls(declared_class(**arguments))
        else:
            net = plugin.cls(**arguments)
    except BaseException as e:  # noqa: BLE001 (the user's code)
        if isinstance(e, KeyboardInterrupt):
            raise
        path = Path(plugin.file)
        raise PluginError(f"{plugin.file}{_where(e, path)}: {plugin.name}(...) failed: {_one_line(e)}") from None
    if not isinstance(net, nn.Module):
        raise PluginError(f"{plugin.file}: {plugin.name}(...) did not make an nn.Module")
    return net


# -- weights ----------------------------------------------------------------------------------------------
def read_weights(path: str | Path) -> tuple[dict[str, Tensor], list[str]]:
    """A state dict from safetensors, or from .pt/.pth read only with torch.load(weights_only=True): a pickle
    that carries code is refused and its code never runs. Returns the tensors and notes on what was done."""
    path = Path(path).expanduser()
    if not path.is_file():
        raise PluginError(f"{path}: no such weights file" if not path.exists() else f"{path}: not a file")
    notes: list[str] = []
    if path.suffix == ".safetensors":
        from safetensors.torch import load_file

        try:
            state: Any = load_file(str(path))
        except Exception as e:  # noqa: BLE001 (safetensors' own error type)
            raise PluginError(f"{path}: not a readable safetensors file ({_one_line(e)})") from None
    else:
        state = _torch_load(path)
    state = _state_dict_in(state, path, notes)
    for prefix in ("module.", "_orig_mod."):  # DataParallel's and torch.compile's wrappers
        if state and all(k.startswith(prefix) for k in state):
            state = {k[len(prefix):]: v for k, v in state.items()}
            notes.append(f"{path.name}: dropped the '{prefix}' prefix of every key")
    return state, notes


def _torch_load(path: Path) -> Any:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # torch's notes on pickle protocols: the outcome is what counts
            return torch.load(path, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as e:
        named = re.search(r"GLOBAL ([\w.]+)", str(e))
        what = named.group(1) if named else "something other than tensors"
        if named and what.rsplit(".", 1)[-1][:1].isupper():  # a class: a whole pickled model, most likely
            why = (f"it holds a pickled object ({what}), not a state dict; its code did not run. Save the "
                   "weights with torch.save(model.state_dict(), FILE)")
        else:
            why = f"it carries code ({what}), which never runs here"
        raise PluginError(f"{path}: refused: {why} (latentlab reads .pt/.pth files only with "
                          "torch.load(weights_only=True))") from None
    except Exception as e:  # noqa: BLE001 (zip, EOF and format errors of torch's own kinds)
        raise PluginError(f"{path}: not a weights file torch.load can read ({_one_line(e)})") from None


def _is_state_dict(obj: Any) -> bool:
    return isinstance(obj, dict) and bool(obj) and all(isinstance(k, str) and isinstance(v, Tensor)
                                                        for k, v in obj.items())


def _state_dict_in(obj: Any, path: Path, notes: list[str]) -> dict[str, Tensor]:
    if _is_state_dict(obj):
        return dict(obj)
    if isinstance(obj, dict):
        for key in NESTED_KEYS:
            if _is_state_dict(obj.get(key)):
                notes.append(f"{path.name}: took the weights under its key {key!r}")
                return dict(obj[key])
        keys = ", ".join(map(str, list(obj)[:SHOWN_KEYS]))
        raise PluginError(f"{path}: a dict ({keys}) but not a state dict of tensors, nor one under "
                          f"{', '.join(NESTED_KEYS)}")
    raise PluginError(f"{path}: holds a {type(obj).__name__}, not a state dict")


def _listed(names: list[str]) -> str:
    more = f", … ({len(names)} in all)" if len(names) > SHOWN_KEYS else ""
    return ", ".join(names[:SHOWN_KEYS]) + more


def fit_weights(net: nn.Module, state: dict[str, Tensor], where: str, class_name: str) -> None:
    """Load `state` into `net`; a mismatch says which keys are missing or unexpected and which shapes differ."""
    expected = net.state_dict()
    missing = [k for k in expected if k not in state]
    unexpected = [k for k in state if k not in expected]
    if missing or unexpected:
        parts = [f"{what} keys: {_listed(names)}" for what, names in (("missing", missing), ("unexpected", unexpected))
                 if names]
        raise PluginError(f"{where} does not fit {class_name}: {'; '.join(parts)}")
    wrong = [f"{k} is {list(state[k].shape)} in the file, {list(v.shape)} in the model"
             for k, v in expected.items() if tuple(state[k].shape) != tuple(v.shape)]
    if wrong:
        raise PluginError(f"{where} does not fit {class_name}: {'; '.join(wrong[:SHOWN_KEYS])}"
                          + (f" (and {len(wrong) - SHOWN_KEYS} more)" if len(wrong) > SHOWN_KEYS else ""))
    try:
        net.load_state_dict(state, strict=True)
    except RuntimeError as e:
        raise PluginError(f"{where} does not fit {class_name}: {_one_line(e)}") from None


# -- adapting it --------------------------------------------------------------------------------------------
def open_plugin(source: str | LoadedPlugin, weights: str | Path | None, dataset: Dataset,
                arguments: dict[str, Any] | None = None) -> Opened:
    """The plug-in as a PluginModel for `dataset`: constructed, its weights loaded (fresh ones without a
    file), its shapes and abilities probed on a few examples."""
    plugin = source if isinstance(source, LoadedPlugin) else load_plugin(source)
    kwargs = constructor_arguments(plugin, arguments or {})
    net = construct(plugin, kwargs)
    notes: list[str] = []
    if weights is not None:
        state, notes = read_weights(weights)
        fit_weights(net, state, str(weights), plugin.name)
    else:
        notes.append(f"{plugin.name}: no weights given, so it starts from its own fresh initialisation")
    config = probe(plugin, net, dataset, kwargs)
    model = PluginModel(config, net).eval()
    notes += [f"{config.title}: {config.shape_note()}", f"{config.title}: {config.training_note()}"]
    return Opened(model, notes)


def _call(plugin: LoadedPlugin, what: str, fn: Any, *args: Any) -> Any:
    try:
        return fn(*args)
    except PluginError:
        raise
    except BaseException as e:  # noqa: BLE001 (the user's code)
        if isinstance(e, KeyboardInterrupt):
            raise
        raise PluginError(f"{plugin.file}{_where(e, Path(plugin.file))}: {plugin.name}.{what} failed: "
                          f"{_one_line(e)}") from None


@torch.no_grad()
def probe(plugin: LoadedPlugin, net: Any, dataset: Dataset, kwargs: dict[str, Any]) -> PluginConfig:
    """Try encode on the data's shape, then flattened; find the code's shape, whether decode gives
    [0, 1] values of the data's size, and how the model can train."""
    net.eval()
    x = as_float(dataset.train_x[:PROBE_N])
    forms = [("data", x)] + ([("flat", x.reshape(len(x), -1))] if x.dim() > 2 else [])
    tried: list[str] = []
    chosen: tuple[str, Tensor, Any] | None = None
    for candidate, inputs in forms:
        try:
            chosen = (candidate, inputs, net.encode(inputs))
        except Exception as e:  # noqa: BLE001 (the shape did not fit: try the next)
            tried.append(f"{list(inputs.shape)}: {_one_line(e)}")
            continue
        break
    if chosen is None:
        raise PluginError(f"{plugin.file}: {plugin.name}.encode takes neither the data's shape nor the data "
                          f"flattened ({'; '.join(tried)})")
    form, inputs, out = chosen
    try:
        mu, logvar = split_encoding(out)
    except PluginError as e:
        raise PluginError(f"{plugin.file}: {plugin.name}.{e}") from None
    if mu.dim() < 2 or len(mu) != len(x):
        raise PluginError(f"{plugin.file}: {plugin.name}.encode gave {list(mu.shape)} for {len(x)} examples: "
                          "a code needs one row per example")
    latent_shape = tuple(mu.shape[1:])
    decoded = _call(plugin, "decode", net.decode, mu)
    if isinstance(decoded, (tuple, list)):
        decoded = decoded[0]
    if not isinstance(decoded, Tensor):
        raise PluginError(f"{plugin.file}: {plugin.name}.decode returned a {type(decoded).__name__}, not a tensor")
    size = x[0].numel()
    if decoded.numel() != len(x) * size:
        shape = "x".join(map(str, dataset.data_shape))
        raise PluginError(f"{plugin.file}: {plugin.name}.decode gave {list(decoded.shape)} for {len(x)} codes, "
                          f"but {dataset.name}'s examples are {shape} ({size} values each)")
    unit = bool(torch.isfinite(decoded).all()) and float(decoded.min()) >= 0 and float(decoded.max()) <= 1
    corruption, noise = _declared_corruption(plugin, dataset)
    base: dict[str, Any] = dict(data_shape=dataset.data_shape, latent_dim=int(mu[0].numel()), likelihood=dataset.likelihood,
                source=plugin.source, file=plugin.file, class_name=plugin.name, sha256=plugin.sha256,
                entry_point=plugin.entry_point, arguments=json.dumps(kwargs, sort_keys=True),
                input_form=form, latent_shape=latent_shape, posterior=logvar is not None, unit_decode=unit,
                corruption=corruption, noise=noise)
    base.update(_training(plugin, net, inputs, logvar is not None, unit, dataset))
    try:
        return PluginConfig(**base)
    except ValueError as e:
        raise PluginError(f"{plugin.file}: {plugin.name}: {e}") from None


def _training(plugin: LoadedPlugin, net: nn.Module, inputs: Tensor, posterior: bool, unit: bool,
              dataset: Dataset) -> dict[str, Any]:
    """How the model trains: its own loss(x), else the ELBO or the reconstruction error where decode's values
    fit the data's likelihood, else not at all (and why)."""
    own = getattr(net, "loss", None)
    why_not_own = ""
    if callable(own):
        if _takes_one_argument(own):
            terms = loss_terms(_call(plugin, "loss(x)", own, inputs), plugin.name)
            return {"training": "loss", "loss_terms": tuple(terms)}
        why_not_own = f"its loss{inspect.signature(own)} is not loss(x); "
    if dataset.likelihood == "gaussian" or unit:
        if posterior:
            return {"training": "elbo", "loss_terms": ("recon", "kl", "total")}
        return {"training": "reconstruction", "loss_terms": ("recon", "total")}
    return {"training": "", "loss_terms": ("total",),
            "not_trainable": f"{why_not_own}{plugin.name} has no loss(x) and its decode gives values outside "
                             "[0, 1], so latentlab cannot tell which likelihood it means (give it a loss(x))"}


def _takes_one_argument(fn: Any) -> bool:
    try:
        inspect.signature(fn).bind(None)
    except TypeError:
        return False
    except ValueError:
        return True
    return True


def _declared_corruption(plugin: LoadedPlugin, dataset: Dataset) -> tuple[str, float]:
    kind = getattr(plugin.cls, "corruption", None)
    if not kind:
        return "", 0.0
    if kind not in CORRUPTIONS:
        raise PluginError(f"{plugin.file}: {plugin.name}.corruption is {kind!r}; latentlab knows "
                          f"{', '.join(CORRUPTIONS)}")
    if kind in IMAGE_ONLY and dataset.kind != "image":
        raise PluginError(f"{plugin.file}: {plugin.name}'s {kind} corruption is for images, not {dataset.name}")
    return str(kind), float(getattr(plugin.cls, "corruption_level", 0.2))


# -- from a checkpoint ----------------------------------------------------------------------------------------
def recorded_plugin(meta: dict[str, Any]) -> dict[str, str]:
    """What a checkpoint records of its plug-in: source, file, class_name, sha256, entry_point."""
    config = meta.get("config") or {}
    return {k: str(config.get(k) or "") for k in ("source", "file", "class_name", "sha256", "entry_point")}


def describe_recorded(meta: dict[str, Any]) -> str:
    r = recorded_plugin(meta)
    if r["entry_point"]:
        return f"{r['class_name']} (entry:{r['entry_point']})"
    missing = "" if r["file"] and Path(r["file"]).is_file() else ", a file that is no longer there"
    return f"{r['file']}:{r['class_name']}{missing}"


def plugin_differences(meta: dict[str, Any], plugin: LoadedPlugin) -> list[str]:
    """How the plug-in given differs from the one the checkpoint was made with (class name, file's hash)."""
    r = recorded_plugin(meta)
    out = []
    if r["class_name"] and r["class_name"] != plugin.name:
        out.append(f"it was made with class {r['class_name']}, not {plugin.name}")
    if r["sha256"] and plugin.sha256 and r["sha256"] != plugin.sha256:
        out.append(f"the plug-in code has changed since the checkpoint was made: {plugin.file} has sha256 "
                   f"{plugin.sha256[:12]}…, the checkpoint recorded {r['sha256'][:12]}… ({r['file']}); "
                   "its weights still fit, so it opens")
    return out


def rebuild(plugin: LoadedPlugin, config_values: dict[str, Any]) -> PluginModel:
    """The model a checkpoint describes, from the plug-in the user named, with fresh weights: the
    recorded constructor arguments and probed facts, the class and file of `plugin`."""
    try:
        config = PluginConfig.from_dict(dict(config_values))
        assert isinstance(config, PluginConfig)
    except (TypeError, ValueError) as e:
        raise PluginError(f"its plug-in config is not valid: {e}") from None
    arguments = constructor_arguments(plugin, config.kwargs)
    net = construct(plugin, arguments)
    config = dataclasses.replace(config, file=plugin.file, sha256=plugin.sha256, class_name=plugin.name,
                                 source=plugin.source, entry_point=plugin.entry_point)
    return PluginModel(config, net)


# -- the commands' and the window's way in ----------------------------------------------------------------
@dataclass
class PluginOpening:
    """What --model-file (with --weights and --data, or an imported checkpoint) opened."""

    checkpoint: Any  # a core.checkpoints.Checkpoint: the model, its dataset record, its step
    dataset: Dataset
    folder: str | None
    notes: list[str]
    path: Path | None = None  # the imported checkpoint, if it came from one
    warnings: list[str] = field(default_factory=list)  # notes that need attention (its code has changed)


def parse_arguments(pairs: list[str]) -> dict[str, str]:
    """--model-arg NAME=VALUE (repeated) as a dict of texts, parsed later against the plug-in's settings."""
    out = {}
    for text in pairs:
        name, eq, value = text.partition("=")
        if not eq or not name.strip():
            raise PluginError(f"--model-arg takes NAME=VALUE, got {text!r}")
        out[name.strip()] = value.strip()
    return out


def open_for_use(model_file: str, weights: str | None = None, data: str | None = None,
                 data_dir: str | None = None, arguments: dict[str, str] | None = None,
                 checkpoint: str | Path | None = None, trust_folder: bool = False) -> PluginOpening:
    """The plug-in the user named, either with its own weights on the dataset `data`, or reopening
    `checkpoint` (a checkpoint `latentlab import` or the window wrote; `trust_folder`: read a data folder it
    names, see core.recipes.dataset_from_record). Raises ValueError (PluginError,
    CheckpointError, DataError) with one line."""
    from latentlab.core.checkpoints import load_checkpoint, read_metadata
    from latentlab.core.data import load_dataset
    from latentlab.core.models.plugin import PLUGIN_FAMILY
    from latentlab.core.recipes import dataset_from_record

    if checkpoint is not None:
        if weights:
            raise PluginError(f"{checkpoint} carries its weights: give the checkpoint or --weights, not both")
        meta = read_metadata(checkpoint)
        if meta.get("family") != PLUGIN_FAMILY:
            raise PluginError(f"{checkpoint} holds a {meta.get('family')} model, not a plug-in's: it opens "
                              "without --model-file")
        plugin = load_plugin(model_file)
        warnings = [f"{checkpoint}: {d}" for d in plugin_differences(meta, plugin)]
        ckpt = load_checkpoint(checkpoint, plugin=plugin)
        dataset = dataset_from_record(ckpt.dataset, trust_folder)
        if data and data != dataset.name:
            raise PluginError(f"{checkpoint} was made on {dataset.name}, not {data}: leave --data out")
        if tuple(dataset.data_shape) != tuple(ckpt.model.data_shape):
            raise PluginError(f"{checkpoint}: its model expects data {ckpt.model.data_shape}, "
                              f"its dataset has {dataset.data_shape}")
        config = ckpt.model.config
        assert isinstance(config, PluginConfig)
        notes = [f"{config.title}: {config.shape_note()}"]
        return PluginOpening(ckpt, dataset, ckpt.dataset.get("folder"), warnings + notes, Path(checkpoint), warnings)
    if not data:
        raise PluginError("--model-file needs --data NAME: the dataset the model works on (e.g. mnist5k)")
    return open_on_dataset(model_file, weights, load_dataset(data, folder=data_dir), data_dir, arguments)


def open_on_dataset(source: str | LoadedPlugin, weights: str | Path | None, dataset: Dataset,
                    folder: str | None = None, arguments: dict[str, str] | None = None) -> PluginOpening:
    """open_plugin, with the record a checkpoint of it would carry (its dataset, where its weights came from)."""
    from latentlab.core.checkpoints import Checkpoint
    from latentlab.core.models.plugin import PLUGIN_FAMILY
    from latentlab.core.recipes import dataset_record

    opened = open_plugin(source, weights, dataset, arguments)
    meta = {"family": PLUGIN_FAMILY, "config": opened.model.config.to_dict(),
            "dataset": dataset_record(dataset, folder), "weights_file": str(weights or "")}
    return PluginOpening(Checkpoint(opened.model, meta, None), dataset, folder, opened.notes)


def model_classes(path: str | Path) -> list[str]:
    """The classes in a plug-in file that have encode and decode (this runs the file: ask first)."""
    path = Path(path).expanduser()
    if not path.is_file():
        raise PluginError(f"{path}: no such plug-in file")
    path = path.resolve()
    module = _import_file(path, sha256_of(path))
    return [n for n, v in vars(module).items() if _is_model_class(v) and v.__module__ == module.__name__]
