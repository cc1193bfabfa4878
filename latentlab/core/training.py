"""The Trainer: Adam over in-memory tensors, plain callbacks, pause/stop from any thread, a NaN guard.

It knows nothing of Qt; gui/worker.py turns its callbacks into signals.
"""

from __future__ import annotations

import math
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import torch
from torch import Tensor, nn

from latentlab.core.data import Dataset, as_float
from latentlab.core.distributed import Group, data_parallel
from latentlab.core.models import LatentModel
from latentlab.core.settings import setting

EVAL_BATCH = 1000
# Steps between copies of the weights kept for rolling back a step that goes non-finite. A copy every step
# cost ~1% of a step of the default MLP VAE on the CPU; a rollback now goes back at most this many steps.
SNAPSHOT_EVERY = 16


@dataclass(frozen=True)
class TrainConfig:
    epochs: int = setting(20, label="Epochs per run", minimum=1, maximum=1_000_000,
                          help="Epochs to train each time Start is pressed (the train command: in all)")
    batch_size: int = setting(128, label="Batch size", minimum=1, maximum=65536, unit="examples",
                              fixed_why="the data order of a run is fixed when it starts: stop, then change it",
                              help="Examples per optimisation step")
    lr: float = setting(1e-3, label="Learning rate", minimum=1e-9, maximum=1e4, live=True,
                        help="Adam's learning rate")
    seed: int = setting(0, label="Seed", minimum=0, maximum=2**31 - 1,
                        fixed_why="it seeds a run when the run starts",
                        help="Seeds the weights of a new model, the data order and the noise")
    device: str = setting("auto", label="Device", fixed_why="the model moves to its device when a run starts",
                          help="auto (CUDA, then MPS, then the CPU), cpu, cuda, cuda:N or mps")
    threads: int | None = setting(None, label="CPU threads", kind="int", minimum=1, maximum=1024, optional=True,
                                  remember=False,
                                  fixed_why="torch's thread pool is set when a run starts",
                                  help="torch CPU threads for training (default: torch's choice)")

    def problems(self) -> list[str]:
        out = []
        if self.epochs < 1:
            out.append(f"epochs must be at least 1, got {self.epochs}")
        if self.batch_size < 1:
            out.append(f"batch size must be at least 1, got {self.batch_size}")
        if not (self.lr > 0 and math.isfinite(self.lr)):
            out.append(f"learning rate must be a positive number, got {self.lr}")
        if self.threads is not None and self.threads < 1:
            out.append(f"threads must be at least 1, got {self.threads}")
        try:
            resolve_device(self.device)
        except ValueError as e:
            out.append(str(e))
        return out


def check_optimizer_state(model: nn.Module, state: dict) -> None:
    """Adam's state (from a file, maybe a stranger's) fits `model`: one group list covering its parameters
    once, and every per-parameter tensor shaped like its parameter. ValueError otherwise."""
    params = list(model.parameters())
    try:
        indices = [i for group in state["param_groups"] for i in group["params"]]
        per_param = state["state"]
    except (KeyError, TypeError) as e:
        raise ValueError(f"malformed optimizer state ({e})") from None
    if sorted(indices) != list(range(len(params))):
        raise ValueError(f"its parameter groups list {len(indices)} parameters, the model has {len(params)}")
    for index, entry in per_param.items():
        if not isinstance(entry, dict) or not 0 <= int(index) < len(params):
            raise ValueError(f"state for parameter {index}, which the model does not have")
        for key, value in entry.items():
            if isinstance(value, torch.Tensor) and value.dim() > 0 and value.shape != params[int(index)].shape:
                raise ValueError(f"{key} of parameter {index} is shaped {tuple(value.shape)}, "
                                 f"the parameter {tuple(params[int(index)].shape)}")


def resolve_device(name: str) -> torch.device:
    """'auto' -> cuda, then mps, then cpu; a named device must exist here."""
    if name == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        if getattr(torch.backends, "mps", None) and torch.backends.mps.is_available():
            return torch.device("mps")
        return torch.device("cpu")
    try:
        device = torch.device(name)
    except RuntimeError:
        raise ValueError(f"unknown device {name!r}; use auto, cpu, cuda or mps") from None
    if device.type == "cuda" and not torch.cuda.is_available():
        raise ValueError("device cuda was asked for, but no CUDA GPU is available here")
    if device.type == "mps" and not (getattr(torch.backends, "mps", None) and torch.backends.mps.is_available()):
        raise ValueError("device mps was asked for, but MPS is not available here")
    return device


def _default_generator(device: torch.device) -> torch.Generator | None:
    """The global generator that randn_like draws from on `device` (None: use torch.manual_seed).

    torch.manual_seed also seeds every CUDA device, which costs ~0.1 ms a call even on a CPU run.
    """
    if device.type == "cpu":
        return torch.default_generator
    if device.type == "cuda":
        return torch.cuda.default_generators[device.index if device.index is not None else torch.cuda.current_device()]
    return None


def warm_optimizer() -> None:
    """Build a throwaway Adam so torch's lazy imports for optimizers (torch._dynamo, ~2 s) happen in the
    calling thread. Seen in tests: that import, when first done in a helper thread while the GUI thread
    runs its event loop, can stall for a minute."""
    torch.optim.Adam([torch.zeros(1, requires_grad=True)])


def evaluate_model(model: LatentModel, x: torch.Tensor) -> dict[str, float]:
    """`model.metrics` averaged over the examples `x`, in batches; leaves the model in eval mode."""
    model.eval()
    sums: dict[str, float] = {}
    for i in range(0, len(x), EVAL_BATCH):
        batch = as_float(x[i:i + EVAL_BATCH])  # uint8 images become floats a batch at a time
        for k, v in model.metrics(batch).items():
            sums[k] = sums.get(k, 0.0) + v * len(batch)
    return {k: v / len(x) for k, v in sums.items()}


def seed_everything(seed: int) -> None:
    torch.manual_seed(seed)


@dataclass(frozen=True)
class StepEvent:
    step: int
    epoch: int
    progress: float  # fraction of the whole run done, 0..1
    terms: dict[str, float]
    samples_per_s: float


@dataclass(frozen=True)
class EpochEvent:
    epoch: int
    step: int
    test: dict[str, float]


@dataclass(frozen=True)
class TrainResult:
    reason: str  # "finished", "stopped", "nan" or "error"
    message: str
    step: int
    epoch: int
    test: dict[str, float] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.reason in ("finished", "stopped")


class TrainingFault(RuntimeError):
    """A step could not be taken (non-finite loss, an exception, out of memory); weights were restored."""

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason


class _AdamPlan:
    """The tensor lists of a fused torch.optim.Adam with one parameter group, for calling torch._fused_adam_ as
    Adam.step does (same kernel, same arguments, so the same numbers). `of` gives None for anything else:
    several groups, amsgrad, capturable, differentiable, hooks, mixed devices or dtypes, missing state."""

    unsupported = False  # set when this torch's kernel refused the call

    def __init__(self, optimizer: torch.optim.Optimizer, params: list[Tensor], state: list[dict]):
        self.optimizer = optimizer
        self.group = optimizer.param_groups[0]
        self.params = params
        self.exp_avgs = [s["exp_avg"] for s in state]
        self.exp_avg_sqs = [s["exp_avg_sq"] for s in state]
        self.steps = [s["step"] for s in state]
        import torch.optim.optimizer as optim_module  # holds the hooks registered for every optimizer

        self._optim_module = optim_module

    @classmethod
    def of(cls, optimizer: torch.optim.Optimizer) -> _AdamPlan | None:
        fused = getattr(torch, "_fused_adam_", None)
        if (cls.unsupported or type(optimizer) is not torch.optim.Adam or fused is None
                or len(optimizer.param_groups) != 1):
            return None
        group = optimizer.param_groups[0]
        if (not group.get("fused") or group.get("amsgrad") or group.get("capturable") or group.get("differentiable")
                or group.get("decoupled_weight_decay") or not all(isinstance(v, float) for v in group["betas"])):
            return None
        if getattr(optimizer, "grad_scale", None) is not None or getattr(optimizer, "found_inf", None) is not None:
            return None
        params = list(group["params"])
        state: list[dict] = [optimizer.state.get(p) or {} for p in params]
        if not params or any(not {"exp_avg", "exp_avg_sq", "step"} <= s.keys() for s in state):
            return None
        first = params[0]
        tensors = [*params, *(s[k] for s in state for k in ("exp_avg", "exp_avg_sq", "step"))]
        if any(t.device != first.device for t in tensors) or any(
                p.dtype != first.dtype or p.is_complex() for p in params):
            return None
        return cls(optimizer, params, state)

    def current(self) -> bool:
        """Whether the optimizer still holds these tensors (load_state_dict replaces them)."""
        groups, state = self.optimizer.param_groups, self.optimizer.state
        return (not self.unsupported and len(groups) == 1 and groups[0] is self.group
                and len(self.group["params"]) == len(self.params)
                and all(state.get(p, {}).get("exp_avg") is m for p, m in
                        ((self.params[0], self.exp_avgs[0]), (self.params[-1], self.exp_avgs[-1]))))

    def _hooked(self) -> bool:
        o = self._optim_module
        return bool(self.optimizer._optimizer_step_pre_hooks or self.optimizer._optimizer_step_post_hooks
                    or o._global_optimizer_pre_hooks or o._global_optimizer_post_hooks)

    def run(self) -> bool:
        """One Adam step; False (nothing done) where a parameter has no gradient or a hook was added."""
        g = self.group
        grads = [p.grad for p in self.params if p.grad is not None]
        if len(grads) != len(self.params) or not isinstance(g["lr"], float) or self._hooked():
            return False
        beta1, beta2 = g["betas"]
        with torch.no_grad():
            torch._foreach_add_(self.steps, 1)
            try:
                torch._fused_adam_(self.params, grads, self.exp_avgs, self.exp_avg_sqs, [], self.steps,
                                   amsgrad=False, lr=g["lr"], beta1=beta1, beta2=beta2,
                                   weight_decay=g["weight_decay"], eps=g["eps"], maximize=g["maximize"],
                                   grad_scale=None, found_inf=None)
            except TypeError:  # a torch whose kernel takes other arguments: nothing was updated; Adam.step from now on
                torch._foreach_sub_(self.steps, 1)
                _AdamPlan.unsupported = True
                return False
        return True


class Trainer:
    def __init__(
        self,
        model: LatentModel,
        dataset: Dataset,
        config: TrainConfig = TrainConfig(),
        on_step: Callable[[StepEvent], None] | None = None,
        on_epoch: Callable[[EpochEvent], None] | None = None,
        group: Group | None = None,
    ):
        """`group`: this process's place when torchrun runs several (core/distributed.py); the model is
        then trained through DistributedDataParallel on this process's share of each global batch."""
        problems = config.problems()
        if problems:
            raise ValueError("; ".join(problems))
        if tuple(dataset.data_shape) != tuple(model.data_shape):
            raise ValueError(f"the model expects data of shape {model.data_shape}, "
                             f"but {dataset.name} has {dataset.data_shape}")
        self.config = config
        self.device = resolve_device(config.device)
        self.model = model.to(self.device)
        self.group = group
        self._step_module = data_parallel(self.model, self.device) if group else None
        self.dataset = dataset
        self.train_x = dataset.train_x.to(self.device)
        self.test_x = dataset.test_x.to(self.device)
        self._noise_generator = _default_generator(self.device)
        self.on_step = on_step
        self.on_epoch = on_epoch
        self._optimizer: torch.optim.Optimizer | None = None
        self._pending_optimizer_state: dict | None = None  # loaded into the optimizer when it is first built
        self.shuffle = torch.Generator(device="cpu").manual_seed(config.seed)
        self.step = 0
        self.epoch = 0
        self._batch_in_epoch = 0
        self._order: Tensor | None = None
        self._resume = threading.Event()
        self._resume.set()
        self._stop = threading.Event()
        self._step_while_paused = threading.Event()
        self._between_steps: queue.SimpleQueue[Callable[[], None]] = queue.SimpleQueue()
        self._last_good = [p.detach().clone() for p in self.model.parameters()]
        self._last_good_step = self.step  # taken again when a run starts: weights may have been changed from outside
        self._rate = 0.0
        self._params = list(self.model.parameters())
        self._module_list = list(self.model.modules())
        self._adam_plan: _AdamPlan | None = None  # what each step hands torch's fused Adam kernel directly
        self._words: tuple[Tensor, Tensor | None] | None = None  # (train_x, its rows as 32-bit words)

    @property
    def optimizer(self) -> torch.optim.Optimizer:
        """Made on first use: building the first optimizer imports torch._dynamo (~2 s), which a
        window that only explores a model should not wait for."""
        if self._optimizer is None:
            self._optimizer = self._new_optimizer()
            if self._pending_optimizer_state:
                self._optimizer.load_state_dict(self._pending_optimizer_state)
                self._pending_optimizer_state = None
                for group in self._optimizer.param_groups:  # the config's rate, not the one saved with the state
                    group["lr"] = self.config.lr
        return self._optimizer

    @optimizer.setter
    def optimizer(self, value: torch.optim.Optimizer) -> None:
        self._optimizer = value
        self._pending_optimizer_state = None
        self._adam_plan = None

    def optimizer_state(self) -> dict | None:
        """Adam's state for a checkpoint, without building an optimizer that was never needed here (a window
        whose runs train in another process holds the state a run handed back, or none)."""
        if self._optimizer is None:
            return self._pending_optimizer_state
        return self._optimizer.state_dict()

    def _new_optimizer(self) -> torch.optim.Optimizer:
        # The fused kernel updates all of a tensor's Adam state in one pass: ~20% faster steps on the CPU.
        try:
            return torch.optim.Adam(self.model.parameters(), lr=self.config.lr, fused=True)
        except (RuntimeError, ValueError):
            return torch.optim.Adam(self.model.parameters(), lr=self.config.lr)

    # -- control from any thread -------------------------------------------------
    def pause(self) -> None:
        self._resume.clear()

    def resume(self) -> None:
        self._resume.set()

    def stop(self) -> None:
        self._stop.set()
        self._resume.set()

    def step_once(self) -> None:
        """While paused: take exactly one step, then stay paused."""
        self._step_while_paused.set()

    def set_live(self, name: str, value) -> None:
        """Change a live setting (the schema marks them) before the next step: "lr" or a model config
        field such as beta. Called from another thread, it is applied between two steps; a value that does
        not fit raises ValueError here, before anything changes."""
        self.check_live(name, value)

        def apply() -> None:
            if name == "lr":
                self.config = replace(self.config, lr=float(value))
                for group in self.optimizer.param_groups:
                    group["lr"] = float(value)
            else:
                self.model.reconfigure(**{name: value})
        self.call_soon(apply)

    def check_live(self, name: str, value) -> None:
        """ValueError if `value` cannot be set_live as `name`."""
        if name == "lr":
            if not (isinstance(value, (int, float)) and math.isfinite(value) and value > 0):
                raise ValueError(f"the learning rate must be a positive number, got {value!r}")
        else:
            try:
                replace(self.model.config, **{name: value})  # checks the new config (and the name)
            except TypeError:
                raise ValueError(f"{self.model.family} has no setting {name!r}") from None

    @property
    def paused(self) -> bool:
        return not self._resume.is_set()

    @property
    def steps_per_epoch(self) -> int:
        return math.ceil(len(self.train_x) / self.config.batch_size)

    # -- the work ----------------------------------------------------------------
    def _next_batch(self) -> Tensor:
        if self._order is None or self._batch_in_epoch >= self.steps_per_epoch:
            self._order = self._new_order()
            self._batch_in_epoch = 0
        bs = self.config.batch_size
        idx = self._order[self._batch_in_epoch * bs:(self._batch_in_epoch + 1) * bs]
        self._batch_in_epoch += 1
        words = self._train_words()
        if words is not None:
            rows = words.index_select(0, idx).view(torch.uint8).view(-1, *self.train_x.shape[1:])
        else:
            rows = self.train_x.index_select(0, idx)
        return as_float(rows)  # uint8 images: floats for this batch only

    def _train_words(self) -> Tensor | None:
        """uint8 training images as rows of 32-bit words, sharing their memory (None where that cannot be): a
        batch gathered a word at a time took ~5 us, byte by byte 0.1-10 ms (index_select on bytes)."""
        x = self.train_x
        if self._words is None or self._words[0] is not x:
            rows = x.reshape(len(x), -1) if x.is_contiguous() and x.numel() > 0 else None
            ok = (rows is not None and x.dtype == torch.uint8 and rows.shape[1] % 4 == 0
                  and rows.data_ptr() % 4 == 0)
            self._words = (x, rows.view(torch.int32) if ok and rows is not None else None)
        return self._words[1]

    def _new_order(self) -> Tensor:
        return torch.randperm(len(self.train_x), generator=self.shuffle).to(self.device)

    def _seek(self, step: int) -> None:
        """Put the data order where it stood after `step` steps, so a resumed run sees the batches an
        uninterrupted one would (the model's noise is already seeded per step)."""
        self.shuffle.manual_seed(self.config.seed)
        epochs_done, into_epoch = divmod(step, self.steps_per_epoch)
        for _ in range(epochs_done):
            self._new_order()
        self._order, self._batch_in_epoch = None, 0
        if into_epoch:
            self._order, self._batch_in_epoch = self._new_order(), into_epoch

    def _losses(self, batch: Tensor) -> tuple[dict[str, Tensor], list[float]]:
        """The loss terms to step on, and their values over the whole global batch (one device sync)."""
        if self.group is None:
            terms = self.model.loss(batch)
            return terms, torch.stack([t.detach() for t in terms.values()]).tolist()
        g = self.group
        share = g.shard(batch)
        self.model.batch_rows = slice(g.rank, len(batch), g.world)
        assert self._step_module is not None  # a group always comes with its DDP module
        try:
            terms = self._step_module(share)
        finally:
            self.model.batch_rows = None
        # Each share's mean, weighted by its size, sums over processes to the global batch's mean. DDP
        # divides the summed gradients by the number of processes, so the total is scaled back up by it.
        weight = len(share) / len(batch)
        values = g.all_sum(torch.stack([t.detach() for t in terms.values()]) * weight).tolist()
        return {**terms, "total": terms["total"] * (weight * g.world)}, values

    def _keep_weights(self, if_finite: bool = False) -> None:
        """The weights a fault rolls back to: these, now (with `if_finite`, only if every one is finite:
        weights set from outside are not known to be)."""
        params = [p.detach() for p in self.model.parameters()]
        if if_finite and not all(bool(torch.isfinite(p).all()) for p in params):
            return
        with torch.no_grad():
            torch._foreach_copy_(self._last_good, params)
        self._last_good_step = self.step

    def _restore_last_good(self) -> None:
        with torch.no_grad():
            for p, good in zip(self.model.parameters(), self._last_good):
                p.copy_(good)
        self.optimizer = self._new_optimizer()  # Adam's moments may hold the bad values too

    def train_step(self) -> dict[str, float]:
        """One optimisation step on the next batch; raises TrainingFault (weights restored) if it goes wrong."""
        start = time.perf_counter()
        if not all(m.training for m in self._module_list):  # train() walks every module: ~60 us a step
            self.model.train()
        # The model's noise (e.g. the VAE's eps) comes from the global stream; seeding it per step makes
        # a run reproducible and a resumed run draw the same noise it would have drawn.
        seed = self.config.seed * 1_000_003 + self.step
        if self._noise_generator is None:
            torch.manual_seed(seed)
        else:
            self._noise_generator.manual_seed(seed)
        batch = self._next_batch()
        stepping = False  # until the optimizer starts its update, the weights are untouched
        try:
            terms, values = self._losses(batch)
            named = dict(zip(terms, values))
            if not all(math.isfinite(v) for v in values):
                bad = ", ".join(k for k, v in named.items() if not math.isfinite(v))
                raise TrainingFault("nan", f"the loss became non-finite ({bad}) at step {self.step + 1}; "
                                           f"the finite weights of step {self._last_good_step} were restored. "
                                           "Lower the learning rate.")
            if self.step - self._last_good_step >= SNAPSHOT_EVERY:
                self._keep_weights()  # these weights gave a finite loss: kept in case a step ruins them
            for p in self._params:  # zero_grad(set_to_none=True), without its per-call bookkeeping
                p.grad = None
            terms["total"].backward()
            stepping = True
            self._optimizer_step()
        except TrainingFault:
            self._restore_last_good()
            raise
        except torch.OutOfMemoryError:
            if stepping:
                self._restore_last_good()
            raise TrainingFault("error", f"out of memory at batch size {self.config.batch_size} on "
                                         f"{self.device}; lower the batch size") from None
        except Exception as e:  # a model bug must not kill the application or lose the weights
            if stepping:
                self._restore_last_good()
            raise TrainingFault("error", f"training step {self.step + 1} failed: {type(e).__name__}: {e}") from e
        self.step += 1
        if self._batch_in_epoch >= self.steps_per_epoch:
            self.epoch += 1
        elapsed = time.perf_counter() - start
        rate = len(batch) / max(elapsed, 1e-9)
        self._rate = rate if self._rate == 0 else 0.9 * self._rate + 0.1 * rate
        if self.on_step:
            total_steps = self.config.epochs * self.steps_per_epoch
            self.on_step(StepEvent(self.step, self.epoch, min(1.0, self.step / total_steps), named, self._rate))
        return named

    def _optimizer_step(self) -> None:
        """optimizer.step(); for the fused Adam of _new_optimizer, the same kernel called directly: Adam.step's
        Python around it (grouping tensors by device, hooks, checks) cost ~0.4 ms a step of the default VAE."""
        optimizer = self.optimizer
        plan = self._adam_plan
        if plan is None or plan.optimizer is not optimizer or not plan.current():
            optimizer.step()  # also creates Adam's state on the first step
            self._adam_plan = _AdamPlan.of(optimizer)
            return
        if not plan.run():
            optimizer.step()

    @torch.no_grad()
    def evaluate(self) -> dict[str, float]:
        """Test-set metrics, averaged over examples (for a VAE: recon, kl, total and the ELBO in nats)."""
        metrics = evaluate_model(self.model, self.test_x)
        self.model.train()
        return metrics

    def call_soon(self, fn: Callable[[], None]) -> None:
        """Run `fn` in the training thread between two steps (e.g. a save that needs consistent state)."""
        self._between_steps.put(fn)

    def _run_pending(self) -> None:
        while not self._between_steps.empty():
            self._between_steps.get_nowait()()

    def run(self, epochs: int | None = None, max_steps: int | None = None) -> TrainResult:
        """Train until `epochs` (default config.epochs) epochs are done, `max_steps` more steps are
        taken, stop() is called (also just before run starts), or a fault."""
        try:
            return self._run(epochs, max_steps)
        finally:
            self._stop.clear()  # a stop is consumed by the run it ended

    def _run(self, epochs: int | None, max_steps: int | None) -> TrainResult:
        if self.config.threads:
            # OpenMP thread counts belong to the calling thread: set them in the thread that trains.
            torch.set_num_threads(self.config.threads)
        self._keep_weights(if_finite=True)  # they may have been set from outside since the last run
        target = self.config.epochs if epochs is None else epochs
        last_step = None if max_steps is None else self.step + max_steps
        test: dict[str, float] = {}
        while self.epoch < target or max_steps is not None:
            if last_step is not None and self.step >= last_step:
                self._run_pending()
                return TrainResult("stopped", f"took {max_steps} step(s)", self.step, self.epoch, test)
            while not self._resume.wait(0.05):
                self._run_pending()  # a paused trainer still serves saves
                if self._step_while_paused.is_set() or self._stop.is_set():
                    break
            self._step_while_paused.clear()
            self._run_pending()
            if self._stop.is_set():
                return TrainResult("stopped", f"stopped at step {self.step}", self.step, self.epoch, test)
            epoch_before = self.epoch
            try:
                self.train_step()
            except TrainingFault as fault:
                return TrainResult(fault.reason, str(fault), self.step, self.epoch, test)
            if self.epoch != epoch_before and (self.group is None or self.group.leader):
                test = self.evaluate()
                if self.on_epoch:
                    self.on_epoch(EpochEvent(self.epoch, self.step, test))
        self._run_pending()
        return TrainResult("finished", f"finished {self.epoch} epochs ({self.step} steps)",
                           self.step, self.epoch, test)

    # -- resuming ----------------------------------------------------------------
    def state(self) -> dict:
        return {"optimizer": self.optimizer_state(), "step": self.step, "epoch": self.epoch}

    def load_state(self, state: dict) -> None:
        """Optimizer state, step and epoch (from a checkpoint); ValueError if the state does not fit the model."""
        if state.get("optimizer"):
            check_optimizer_state(self.model, state["optimizer"])
            if self._optimizer is None:
                self._pending_optimizer_state = state["optimizer"]
            else:
                self._optimizer.load_state_dict(state["optimizer"])
                self._adam_plan = None
        self.step = int(state.get("step", 0))
        self.epoch = int(state.get("epoch", 0))
        self._seek(self.step)
        self._keep_weights(if_finite=True)  # the weights that go with this state were loaded from outside
