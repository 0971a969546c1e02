"""An exception in rda's own code is exit 2 with one line, never a finding about the target.

The split is decided where the exception came from (``verifier.stages.blame``): a frame of the
target, or an error only the target's definitions cause (the database refusing its DDL, its
model's validation), is a finding; anything raised by the verifier's own code is ours. The
end-to-end tests plant a bug in a copy of the verifier itself and run that copy as a user runs
``rda``, so the sandboxed child imports the planted code too.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import verifier
from tests.reference_copies import copy_reference
from verifier.stages.blame import VerifierFault, caused_by_target, own_frame

PACKAGE = Path(verifier.__file__).resolve().parent


def planted_verifier(dest: Path, relative: str, old: str, new: str) -> Path:
    """A copy of the verifier package with one bug planted; returns the folder to put on path."""
    copy = dest / "planted"
    shutil.copytree(PACKAGE, copy / "verifier", ignore=shutil.ignore_patterns("__pycache__"))
    file = copy / "verifier" / relative
    text = file.read_text(encoding="utf-8")
    assert old in text, f"the planted bug no longer applies to {relative}"
    file.write_text(text.replace(old, new, 1), encoding="utf-8")
    return copy


def run_planted(copy: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("RDA_DEBUG", "PYTHONPATH")}
    env["PYTHONPATH"] = str(copy)
    return subprocess.run(  # from the copy's folder: `python -m` puts the cwd first
        [sys.executable, "-m", "verifier", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        cwd=copy,
    )


@pytest.mark.parametrize(
    ("relative", "old", "new", "stage"),
    [
        (
            "stages/schema/samples.py",
            "    member = _enum_member(annotation)\n",
            '    member = _enum_member(annotation)\n    raise TypeError("planted")\n',
            "schema",
        ),
        (
            "contracts/taskapi/checks.py",
            '    project, alice, bot = await seed(api)\n    readable(project, "create_project")',
            '    project, alice, bot = await seed(api)\n    {}["planted"]\n'
            '    readable(project, "create_project")',
            "behavior",
        ),
    ],
)
def test_a_bug_planted_in_a_stage_is_exit_2_not_a_finding(
    tmp_path: Path, relative: str, old: str, new: str, stage: str
) -> None:
    copy = planted_verifier(tmp_path, relative, old, new)
    target = copy_reference(tmp_path)
    proc = run_planted(copy, "verify", str(target), "--format", "json", "-q")
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert proc.stdout == ""  # no report: nothing in it could be trusted
    assert "Traceback" not in proc.stderr
    first = proc.stderr.splitlines()[0]
    assert first.startswith("rda: internal error: ") and f"the {stage} stage" in first
    assert f"verifier/{relative}:" in first  # where in our code it failed
    assert "planted" in first


def test_rda_debug_prints_the_childs_traceback(tmp_path: Path) -> None:
    copy = planted_verifier(
        tmp_path,
        "stages/schema/samples.py",
        "    member = _enum_member(annotation)\n",
        '    member = _enum_member(annotation)\n    raise TypeError("planted")\n',
    )
    target = copy_reference(tmp_path)
    env = dict(os.environ, PYTHONPATH=str(copy), RDA_DEBUG="1")
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "verifier",
            "verify",
            str(target),
            "-q",
            "--stages",
            "import,schema",
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=copy,
        timeout=300,
    )
    assert proc.returncode == 2
    assert "Traceback" in proc.stderr and 'raise TypeError("planted")' in proc.stderr


def test_a_bug_in_the_command_layer_is_one_line(tmp_path: Path) -> None:
    copy = planted_verifier(
        tmp_path,
        "verify/command.py",
        "        targets.extend(load_target(path, args.contract) for path in args.targets)\n",
        "        targets.extend(load_target(path, args.contract) for path in args.targets)\n"
        "        targets[99]\n",
    )
    proc = run_planted(copy, "verify", str(copy_reference(tmp_path)), "-q")
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert proc.stderr.startswith("rda: internal error: IndexError")
    assert "verifier/verify/command.py:" in proc.stderr


# --- the split itself -------------------------------------------------------------------------


def _raise_in(code: str, filename: str) -> BaseException:
    try:
        exec(compile(code, filename, "exec"), {})
    except BaseException as exc:  # the exception under test
        return exc
    raise AssertionError("did not raise")


def test_an_exception_from_a_target_frame_is_the_targets(tmp_path: Path) -> None:
    exc = _raise_in("raise TypeError('theirs')", str(tmp_path / "app" / "models.py"))
    assert caused_by_target(exc, tmp_path)


def test_an_exception_from_our_frames_is_ours(tmp_path: Path) -> None:
    exc = _raise_in("raise TypeError('ours')", str(PACKAGE / "stages" / "x.py"))
    assert not caused_by_target(exc, tmp_path)
    fault = VerifierFault("schema", exc)
    assert "verifier/stages/x.py:1" in fault.summary


def test_a_database_error_is_the_targets_wherever_it_is_raised(tmp_path: Path) -> None:
    from sqlalchemy.exc import ProgrammingError

    exc = ProgrammingError("CREATE TABLE x (y nosuchtype)", {}, Exception("type does not exist"))
    assert caused_by_target(exc, tmp_path)


def test_a_wrapped_target_exception_is_the_targets(tmp_path: Path) -> None:
    inner = _raise_in("raise ValueError('theirs')", str(tmp_path / "types.py"))
    try:
        raise RuntimeError("wrapped") from inner
    except RuntimeError as outer:
        assert caused_by_target(outer, tmp_path)


def test_own_frame_is_none_outside_the_package(tmp_path: Path) -> None:
    assert own_frame(_raise_in("raise KeyError(1)", str(tmp_path / "a.py"))) is None
