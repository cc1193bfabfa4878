"""Run directories: whole JSON lines only, rolling checkpoints, and what the recorder writes."""

import json
from types import SimpleNamespace

import pytest

from latentlab.core.run_dir import MetricsReader, RunDir, RunDirError, RunRecorder


def test_the_reader_takes_only_whole_lines_and_goes_on_where_it_stopped(tmp_path):
    path = tmp_path / "metrics.jsonl"
    reader = MetricsReader(path)
    assert reader.read_new() == []  # no file yet
    path.write_text('{"event": "start"}\n{"event": "st')
    assert reader.read_new() == [{"event": "start"}]
    with open(path, "a") as f:
        f.write('ep", "step": 10}\nnot json\n[1, 2]\n')
    assert reader.read_new() == [{"event": "step", "step": 10}]
    assert reader.skipped == 2
    assert reader.read_new() == []


def test_a_replaced_shorter_file_is_read_from_the_top(tmp_path):
    path = tmp_path / "metrics.jsonl"
    path.write_text('{"a": 1}\n{"a": 2}\n')
    reader = MetricsReader(path)
    assert len(reader.read_new()) == 2
    path.write_text('{"b": 1}\n')
    assert reader.read_new() == [{"b": 1}]


def test_checkpoints_are_listed_by_step_and_pruned_to_the_newest(tmp_path):
    run = RunDir(tmp_path / "run").create()
    for step in (5, 100, 20):
        run.checkpoint_path(step).write_bytes(b"x")
    (run.checkpoint_dir / ".step-00000200.safetensors.tmp").write_bytes(b"half")  # a save in progress
    assert [p.name for p in run.checkpoints()] == ["step-00000005.safetensors", "step-00000020.safetensors",
                                                   "step-00000100.safetensors"]
    run.prune(2)
    assert [p.name for p in run.checkpoints()] == ["step-00000020.safetensors", "step-00000100.safetensors"]
    assert run.newest_checkpoint() == run.checkpoint_path(100)


def test_a_file_or_a_missing_parent_is_refused(tmp_path):
    (tmp_path / "file").write_text("")
    with pytest.raises(RunDirError, match="is a file"):
        RunDir(tmp_path / "file").create()
    with pytest.raises(RunDirError, match="does not exist"):
        RunDir(tmp_path / "no" / "run").create()


def test_the_recorder_averages_between_lines_and_checkpoints_when_due(tmp_path):
    run = RunDir(tmp_path).create()
    saved = []

    def save(path, metrics):
        path.write_bytes(b"x")
        saved.append((path.name, metrics))

    recorder = RunRecorder(run, save, log_every=2, checkpoint_every=2, keep=1)
    recorder.start(model="vae")
    for step, loss in [(1, 4.0), (2, 2.0), (3, 1.0)]:
        recorder.step(SimpleNamespace(step=step, epoch=0, terms={"total": loss}, samples_per_s=10.0))
    recorder.epoch(SimpleNamespace(step=3, epoch=1, test={"total": 1.5}))  # not due
    recorder.epoch(SimpleNamespace(step=3, epoch=2, test={"total": 1.2}))  # due
    recorder.finish(3, 2, "finished", "done", {"total": 1.2})  # already saved at this step
    lines = [json.loads(line) for line in run.metrics_path.read_text().splitlines()]
    assert [r["event"] for r in lines] == ["start", "step", "epoch", "epoch", "checkpoint", "step", "end"]
    assert lines[1]["terms"] == {"total": 3.0} and lines[5]["terms"] == {"total": 1.0}
    assert saved == [("step-00000003.safetensors", {"total": 1.2})]


def test_an_endless_line_is_skipped_once_not_reread_at_every_poll(tmp_path):
    path = tmp_path / "metrics.jsonl"
    path.write_bytes(b'{"event": "step", "step": 1}\n' + b"x" * (3 * MetricsReader.MAX_LINE))
    reader = MetricsReader(path)
    assert [r["step"] for r in reader.read_new()] == [1]
    offset = reader.offset
    assert reader.read_new() == [] and reader.offset >= offset  # taken in steps, never from the top again
    with open(path, "ab") as f:
        f.write(b'tail\n{"event": "step", "step": 2}\n')
    got = []
    for _ in range(5):
        got += reader.read_new()
    assert [r["step"] for r in got] == [2] and reader.skipped == 1


def test_a_folder_with_a_run_in_it_is_refused_unless_resuming(tmp_path):
    run = RunDir(tmp_path / "run").create()
    run.append({"event": "start"})
    with pytest.raises(RunDirError, match="holds a run already"):
        RunDir(run.path).create()
    assert RunDir(run.path).create(resume=True).path == run.path


def dead_pid() -> int:
    import subprocess

    done = subprocess.Popen(["true"])
    done.wait()
    return done.pid


def test_scratch_of_a_killed_process_is_swept_by_the_next_and_nothing_else(tmp_path):
    import os

    from latentlab.core.run_dir import make_scratch

    dead, alive = dead_pid(), os.getppid()
    stale = tmp_path / f"latentlab-run-{dead}-abc_12"
    (stale / "run").mkdir(parents=True)
    (stale / "start.safetensors").write_bytes(b"x")
    kept = [tmp_path / f"latentlab-run-{alive}-live01",  # a live process's run
            tmp_path / f"latentlab-run-{os.getpid()}-mine01",  # this process's own
            tmp_path / f"latentlab-pair-{dead}-other1",  # another kind: its own sweep
            tmp_path / "latentlab-run-k2j4x9zz",  # an older name without a pid: cannot be judged
            tmp_path / f"latentlab-run-{dead}",  # not a name make_scratch gives
            tmp_path / "latentlab-run-0-zero00"]  # not a process
    for folder in kept:
        folder.mkdir()
    (tmp_path / f"latentlab-run-{dead}-afile1").write_text("not a folder")
    target = tmp_path / "elsewhere"
    target.mkdir()
    (target / "keep.txt").write_text("x")
    (tmp_path / f"latentlab-run-{dead}-link01").symlink_to(target)

    new = make_scratch("run", tmp_path)
    assert new.is_dir() and new.name.startswith(f"latentlab-run-{os.getpid()}-")
    assert not stale.exists()
    assert all(folder.is_dir() for folder in kept)
    assert (tmp_path / f"latentlab-run-{dead}-afile1").is_file() and (target / "keep.txt").is_file()
    assert (tmp_path / f"latentlab-run-{dead}-link01").is_symlink()
