"""``heap_kept`` keeps freed heap between parses, and only where it may.

The effect is watched where it happens: how much free memory glibc keeps at the top of its heap
(``mallinfo2().keepcost``) once a large parse's arena is freed. With glibc's default threshold
it is trimmed to under 128 KiB; inside ``heap_kept`` the megabytes of the arena stay; after it,
glibc trims again. Each case runs in a fresh interpreter, so that this process's heap (and its
malloc settings) are not what is measured.
"""

from __future__ import annotations

import ctypes
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from verifier.lint import heap
from verifier.lint.heap import heap_kept


def _has_glibc_mallinfo2() -> bool:
    if not sys.platform.startswith("linux"):
        return False
    if not (os.confstr("CS_GNU_LIBC_VERSION") or "").startswith("glibc"):
        return False
    return hasattr(ctypes.CDLL(None), "mallinfo2")  # glibc 2.33 and later


glibc = pytest.mark.skipif(not _has_glibc_mallinfo2(), reason="the trim threshold is glibc's")

# Parses a module whose arena holds megabytes, before, inside and after heap_kept, and reports
# the free memory glibc kept at the top of its heap after each parse.
PROBE = textwrap.dedent(
    """
    import ast, ctypes, json, sys
    from verifier.lint.heap import heap_kept

    FIELDS = ("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks",
              "uordblks", "fordblks", "keepcost")

    class MallInfo2(ctypes.Structure):
        _fields_ = [(name, ctypes.c_size_t) for name in FIELDS]

    mallinfo2 = ctypes.CDLL(None).mallinfo2
    mallinfo2.restype = MallInfo2
    source = "\\n".join(
        f"def f{i}(a, b):\\n    return [a + b * {i} for _ in range(3)]" for i in range(3000)
    )

    def free_top():
        ast.parse(source)  # its tree and arena are freed on return
        return mallinfo2().keepcost

    before = free_top()
    with heap_kept(int(sys.argv[1])) as kept:
        inside = free_top()
    after = free_top()
    print(json.dumps({"kept": kept, "before": before, "inside": inside, "after": after}))
    """
)
TRIMMED = 256 * 1024  # glibc trims down to its 128 KiB threshold; above this, it was kept


def _probe(files: int, **env: str) -> dict[str, int]:
    environment = {k: v for k, v in os.environ.items() if k not in heap._USER_TUNING}
    environment.update(env)
    result = subprocess.run(
        [sys.executable, "-c", PROBE, str(files)],
        capture_output=True,
        text=True,
        env=environment,
        cwd=Path(__file__).parents[2],
        timeout=60,
        check=True,
    )
    return json.loads(result.stdout)  # type: ignore[no-any-return]


@glibc
def test_a_many_file_run_keeps_the_heap_and_gives_it_back_after() -> None:
    kept = _probe(heap.MIN_FILES)
    assert kept["kept"] is True
    assert kept["before"] < TRIMMED  # glibc trimmed the freed arena: there is work to do
    assert kept["inside"] > 4 * TRIMMED  # the arena's megabytes kept for the next parse
    assert kept["after"] < TRIMMED  # glibc's default again once the run is over


@glibc
def test_a_few_files_and_the_users_own_tuning_are_left_alone() -> None:
    few = _probe(heap.MIN_FILES - 1)
    assert few["kept"] is False and few["inside"] < TRIMMED
    tuned = _probe(heap.MIN_FILES, MALLOC_TRIM_THRESHOLD_="0")
    assert tuned["kept"] is False and tuned["inside"] < TRIMMED


def test_without_glibc_nothing_is_called(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(heap, "_glibc_mallopt", lambda: None)
    for name in heap._USER_TUNING:
        monkeypatch.delenv(name, raising=False)
    with heap_kept(1000) as kept:
        assert kept is False


def test_a_lint_run_of_many_files_keeps_the_heap(tmp_path: Path) -> None:
    """The runner enters ``heap_kept`` with the number of files it lints."""
    for i in range(heap.MIN_FILES):
        (tmp_path / f"m{i}.py").write_text(f"x{i} = {i}\n", encoding="utf-8")
    seen: list[int] = []
    from verifier.lint import runner

    original = runner.heap_kept

    def spy(files: int):  # type: ignore[no-untyped-def]
        seen.append(files)
        return original(files)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(runner, "heap_kept", spy)
        report = runner.lint_paths([tmp_path])
    assert seen == [heap.MIN_FILES] and not report.findings
