"""The Trainer: it learns, reports every term, pauses, stops, and survives NaN and broken steps."""

import threading
import time

import pytest
import torch

from latentlab.core import training
from latentlab.core.data import load_dataset
from latentlab.core.recipes import model_for_dataset
from latentlab.core.training import TrainConfig, Trainer, resolve_device


@pytest.fixture(scope="module")
def ring():
    return load_dataset("ring8", n=1000)


def make(ring, family="vae", **config):
    torch.manual_seed(0)
    model = model_for_dataset(family, ring, latent_dim=2, hidden=(32, 32))
    return Trainer(model, ring, TrainConfig(**{"epochs": 3, "batch_size": 100, "device": "cpu", **config}))


def test_training_lowers_the_test_loss_and_reports_every_term(ring):
    steps, epochs = [], []
    trainer = make(ring, epochs=15, lr=3e-3)
    trainer.on_step, trainer.on_epoch = steps.append, epochs.append
    before = trainer.evaluate()["total"]
    result = trainer.run()
    assert result.reason == "finished" and result.epoch == 15 and trainer.step == 15 * 9
    assert len(steps) == trainer.step and set(steps[0].terms) == {"recon", "kl", "total"}
    assert len(epochs) == 15 and "elbo" in epochs[-1].test
    assert epochs[-1].test["total"] < 0.5 * before
    assert steps[-1].progress == 1.0 and steps[-1].samples_per_s > 0


def test_same_seed_same_weights(ring):
    a, b = make(ring, seed=5), make(ring, seed=5)
    a.run(), b.run()
    for pa, pb in zip(a.model.parameters(), b.model.parameters()):
        assert torch.equal(pa, pb)


def test_pause_resume_and_stop_from_another_thread(ring):
    trainer = make(ring, epochs=10_000)
    seen = []
    trainer.on_step = lambda e: seen.append(e.step)
    result = {}
    thread = threading.Thread(target=lambda: result.update(r=trainer.run()))
    thread.start()
    while len(seen) < 5:
        time.sleep(0.01)
    trainer.pause()
    time.sleep(0.1)
    frozen = len(seen)
    time.sleep(0.3)
    assert len(seen) == frozen and trainer.paused
    trainer.resume()
    while len(seen) < frozen + 5:
        time.sleep(0.01)
    trainer.stop()
    thread.join(5)
    assert not thread.is_alive() and result["r"].reason == "stopped"


def test_nan_loss_stops_with_a_reason_and_restores_finite_weights(ring):
    trainer = make(ring, lr=1e12, epochs=50)
    result = trainer.run()
    assert result.reason == "nan" and "non-finite" in result.message and "learning rate" in result.message
    assert all(torch.isfinite(p).all() for p in trainer.model.parameters())
    assert torch.isfinite(torch.tensor(trainer.evaluate()["total"]))


def test_poisoned_data_is_caught(ring):
    trainer = make(ring)
    trainer.train_x = trainer.train_x.clone()
    trainer.train_x[:] = float("nan")
    weights = [p.clone() for p in trainer.model.parameters()]
    result = trainer.run()
    assert result.reason == "nan" and result.step == 0
    assert all(torch.equal(a, b) for a, b in zip(weights, trainer.model.parameters()))


def test_exception_in_a_step_is_reported_and_training_can_start_again(ring, monkeypatch):
    trainer = make(ring)
    original = trainer.model.loss
    monkeypatch.setattr(trainer.model, "loss", lambda batch: 1 / 0)
    result = trainer.run()
    assert result.reason == "error" and "ZeroDivisionError" in result.message
    monkeypatch.setattr(trainer.model, "loss", original)
    assert trainer.run().reason == "finished"


def test_bad_settings_are_refused(ring):
    for bad, match in (({"lr": -1.0}, "learning rate"), ({"batch_size": 0}, "batch size"),
                       ({"epochs": 0}, "epochs"), ({"device": "tpu"}, "device")):
        with pytest.raises(ValueError, match=match):
            make(ring, **bad)
    with pytest.raises(ValueError, match="CUDA") if not torch.cuda.is_available() else pytest.raises(Exception):
        resolve_device("cuda") if not torch.cuda.is_available() else (_ for _ in ()).throw(Exception())


def test_model_and_data_shapes_must_agree(ring):
    model = model_for_dataset("vae", load_dataset("digits"))
    with pytest.raises(ValueError, match="shape"):
        Trainer(model, ring, TrainConfig(device="cpu"))


def test_the_direct_adam_step_is_adams_own_step(ring, monkeypatch):
    """The trainer calls the fused Adam kernel itself (training._AdamPlan): the same weights and optimizer state
    as Adam.step gives, also after a live rate change and after loading a state."""
    fast, slow = make(ring, epochs=100), make(ring, epochs=100)
    slow._optimizer_step = lambda: slow.optimizer.step()
    direct = []
    real_run = training._AdamPlan.run
    monkeypatch.setattr(training._AdamPlan, "run", lambda plan: direct.append(ran := real_run(plan)) or ran)
    for t in (fast, slow):
        t.run(max_steps=3)
        t.set_live("lr", 3e-3)
        t.run(max_steps=3)
        t.load_state(t.state())
        t.run(max_steps=3)
    assert fast._adam_plan is not None and fast._adam_plan.optimizer is fast.optimizer
    assert direct.count(True) >= 6  # the kernel was called directly (not Adam.step each time)
    assert all(torch.equal(a, b) for a, b in zip(fast.model.parameters(), slow.model.parameters()))
    fs, ss = fast.optimizer.state_dict()["state"], slow.optimizer.state_dict()["state"]
    assert all(torch.equal(fs[i][k], ss[i][k]) for i in fs for k in fs[i])


def test_a_torch_whose_fused_adam_takes_other_arguments_falls_back_to_adam_step(ring, monkeypatch):
    real, refused = torch._fused_adam_, []

    def refuse(*args, **kwargs):  # the trainer's call is refused; Adam.step's, after it, goes through
        if not refused:
            refused.append(True)
            raise TypeError("_fused_adam_() got an unexpected keyword argument")
        return real(*args, **kwargs)

    monkeypatch.setattr(training._AdamPlan, "unsupported", False)
    fast, slow = make(ring, epochs=100), make(ring, epochs=100)
    slow._optimizer_step = lambda: slow.optimizer.step()
    fast.run(max_steps=1)  # Adam.step makes the state; the next steps go to the kernel
    monkeypatch.setattr(torch, "_fused_adam_", refuse)
    assert fast.run(max_steps=3).reason == "stopped" and training._AdamPlan.unsupported
    monkeypatch.undo()
    slow.run(max_steps=4)
    assert all(torch.equal(a, b) for a, b in zip(fast.model.parameters(), slow.model.parameters()))
    assert fast.optimizer.state_dict()["state"][0]["step"] == 4


def test_state_round_trip_resumes_counting(ring):
    a = make(ring, epochs=2)
    a.run()
    b = make(ring, epochs=4)
    b.model.load_state_dict(a.model.state_dict())
    b.load_state(a.state())
    assert b.step == a.step and b.epoch == 2
    assert b.run().epoch == 4


def test_max_steps_and_work_between_steps(ring):
    trainer = make(ring, epochs=100)
    done = []
    trainer.call_soon(lambda: done.append(trainer.step))
    result = trainer.run(max_steps=3)
    assert trainer.step == 3 and result.reason == "stopped" and done == [0]
    trainer.run(max_steps=1)
    assert trainer.step == 4


def test_a_paused_trainer_still_runs_queued_work(ring):
    trainer = make(ring, epochs=10_000)
    trainer.pause()
    thread = threading.Thread(target=trainer.run)
    thread.start()
    done = threading.Event()
    trainer.call_soon(done.set)
    assert done.wait(2) and trainer.step == 0
    trainer.stop()
    thread.join(2)
    assert not thread.is_alive()


def test_a_non_finite_step_rolls_back_to_a_recent_snapshot_and_a_failed_loss_keeps_the_weights(ring, monkeypatch):
    """Weights are copied every SNAPSHOT_EVERY steps (and when a run starts), not every step."""
    trainer = make(ring)
    trainer.run(max_steps=training.SNAPSHOT_EVERY + 3)
    assert trainer._last_good_step == training.SNAPSHOT_EVERY  # the run's first step, then every 16
    snapshot, at = [p.clone() for p in trainer.model.parameters()], trainer.step  # a new run keeps these
    trainer.train_x = trainer.train_x.clone()
    trainer.train_x[:] = float("nan")
    result = trainer.run()
    assert result.reason == "nan" and f"step {at}" in result.message
    assert all(torch.equal(a, b) for a, b in zip(snapshot, trainer.model.parameters()))
    before = [p.clone() for p in trainer.model.parameters()]
    monkeypatch.setattr(trainer.model, "loss", lambda batch: 1 / 0)
    assert trainer.run().reason == "error"  # it failed before the update: nothing to roll back
    assert all(torch.equal(a, b) for a, b in zip(before, trainer.model.parameters()))
