"""Every row of the bad-input corpus (bad_inputs.py): status 2, one line naming the problem, no traceback,
no existing file changed."""

import hashlib
import shlex

import pytest

from latentlab.cli import main
from tests.reliability.bad_inputs import ROWS, make_files


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile")
    good = folder / "good.safetensors"
    assert main(["train", "--data", "ring8", "--hidden", "8", "--epochs", "1", "--out", str(good), "--quiet"]) == 0
    return make_files(folder, good)


def fingerprint(folder):
    return {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("row, expected", ROWS, ids=[r for r, _ in ROWS])
def test_bad_input_is_one_line_and_status_2_and_changes_nothing(files, capsys, row, expected):
    before = fingerprint(files["dir"])
    argv = shlex.split(row.format(**{k: str(v) for k, v in files.items()}))
    try:
        code = main(argv)
    except SystemExit as e:  # argparse's own errors
        code = e.code
    err = capsys.readouterr().err.strip()
    assert code == 2, err
    assert len(err.splitlines()) == 1 and "Traceback" not in err, err
    assert expected.lower() in err.lower(), err
    assert fingerprint(files["dir"]) == before
