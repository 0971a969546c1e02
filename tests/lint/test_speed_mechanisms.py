"""The mechanisms that make ``rda lint`` fast keep its findings what they were.

Each test would fail if its mechanism broke: the paused collector must be restored; the
catalogue's codes read from module names must be the rules' codes; the single walk of a file
(singleton nodes skipped by their fields, plain fields skipped) must give every other node the
same place, order, parent and function as a plain walk; the fast child listing must be
``ast.iter_child_nodes``; the suffix table must answer like the suffix test it replaces; the
skipped second binding pass must only be skipped when it could not change anything; the parts
of a forked job must each run once, return in order and meet with every payload, a part
that fails, dies or falls out of step must fail the job and leave no process behind, and
claimed items must each be taken once, in the order given; the forked AST pass must
return what the serial one does, on projects whose files depend on each other;
a lint process must import neither ``dataclasses`` nor ``inspect``, ``typing``, ``shutil`` nor
(in a virtualenv) ``sysconfig``, nor ``json`` for a clean file, and must find the ruff binary
and the terminal's width as ruff's package and ``shutil`` would; the lint command's imports must
see the collector paused; what a pause of the collector allocated must end in the oldest
generation, and the console entry must exit with everything frozen.
"""

from __future__ import annotations

import ast
import gc
import io
import json
import os
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from verifier.lint import forked
from verifier.lint.collector import collector_paused
from verifier.lint.engine import build_contexts, check
from verifier.lint.forked import ChildFailed, Claims, run_together
from verifier.lint.reading import SourceFile, decode_source, read_source
from verifier.rules import all_rules, rule_codes
from verifier.rules.analysis import names as n
from verifier.rules.analysis.context import _SINGLETON_FIELDS, FileContext, child_nodes
from verifier.rules.analysis.imports import dotted_suffixes
from verifier.rules.analysis.sessions import SESSION, SQLMODEL, scope_of

if TYPE_CHECKING:
    from verifier.lint.forked import Gather

REALISTIC = Path(__file__).parent / "realistic"
# Node types the parser creates once and shares (contexts and operators): never walked.
_SINGLETONS = frozenset(
    sub
    for base in (ast.expr_context, ast.boolop, ast.operator, ast.unaryop, ast.cmpop)
    for sub in base.__subclasses__()
)

# Every construct whose fields the walk must handle: decorators after bodies in field order,
# dict keys before values, match patterns, except*, lambdas, comprehensions, f-strings, classes.
AWKWARD = """
import os as o
from .pkg import thing as t

@decorate(arg=lambda x: x + 1)
class Model(Base, metaclass=Meta):
    x: int = 1
    def method(self, a, /, b=2, *args, c, d=3, **kw) -> "Model":
        return {k: [v async for v in w if v] for k, w in kw.items()}

async def f(session, rows):
    global G
    async with session.begin() as tx, other() as (a, b):
        pass
    try:
        await session.commit()
    except* ValueError as exc:
        raise RuntimeError(f"{exc!r:>10}") from exc
    match rows:
        case [first, *rest] if first:
            return first
        case {"k": v, **others}:
            return v
        case Point(x=0, y=yy) | None:
            return yy
    while (n := len(rows)) > 1:
        rows = rows[1:n:2]
    del rows[0]
    return not -~1 and 1 < 2 <= 3 or None
"""


def _sources() -> list[tuple[str, str]]:
    found = [("awkward.py", AWKWARD)]
    for path in sorted(REALISTIC.rglob("*.py")):
        found.append((str(path), path.read_text(encoding="utf-8")))
    return found


def _reference_walk(tree: ast.Module) -> FileContext:
    """The plain walk: every node visited through ast.iter_child_nodes, in pre-order."""
    ctx = FileContext(path="ref.py", source="", tree=tree)
    scope_types = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)
    stack: list[tuple[ast.AST, ast.AST | None, ast.AST | None]] = [(tree, None, None)]
    while stack:
        node, func, scope = stack.pop()
        ctx.by_type[type(node)].append(node)
        ctx.functions_of[node] = func  # type: ignore[assignment]
        if node is not tree:
            ctx._scope_lists[scope].append(node)
        inner = node if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) else func
        inner_scope = node if isinstance(node, scope_types) else scope
        for child in reversed(list(ast.iter_child_nodes(node))):
            ctx.parents[child] = node
            stack.append((child, inner, inner_scope))
    return ctx


def _without_singletons(mapping: dict) -> dict:
    return {
        key: [v for v in value if type(v) not in _SINGLETONS] if isinstance(value, list) else value
        for key, value in mapping.items()
        if type(key) not in _SINGLETONS
    }


@pytest.mark.parametrize(("name", "source"), _sources(), ids=lambda v: Path(str(v)).name[:40])
def test_one_walk_places_every_node_as_a_plain_walk_does(name: str, source: str) -> None:
    tree = ast.parse(source)
    walked = FileContext.from_tree(name, source, tree)
    reference = _reference_walk(tree)
    assert {k: v for k, v in _without_singletons(reference.by_type).items() if v} == dict(
        walked.by_type
    )
    assert _without_singletons(reference._scope_lists) == dict(walked._scope_lists)
    assert _without_singletons(reference.parents) == walked.parents
    assert _without_singletons(reference.functions_of) == walked.functions_of


def test_the_shared_singletons_live_only_in_the_fields_the_walk_skips() -> None:
    for _, source in _sources():
        for node in ast.walk(ast.parse(source)):
            for name, value in ast.iter_fields(node):
                values = value if isinstance(value, list) else [value]
                if any(type(v) in _SINGLETONS for v in values):
                    assert name in _SINGLETON_FIELDS, (type(node).__name__, name)
                elif name in _SINGLETON_FIELDS:
                    assert all(v is None for v in values), (type(node).__name__, name)


def test_child_nodes_is_iter_child_nodes() -> None:
    for _, source in _sources():
        for node in ast.walk(ast.parse(source)):
            expected = list(ast.iter_child_nodes(node))
            got = child_nodes(node)
            assert len(got) == len(expected)
            assert all(a is b for a, b in zip(got, expected, strict=True))


def test_dotted_suffixes_answer_like_the_suffix_test() -> None:
    sets = [value for value in vars(n).values() if isinstance(value, frozenset)]
    probes = {"", "x", "Session", "orm.Session", "rm.Session", "Sessionx", "x.Session"}
    for candidates in sets:
        for candidate in candidates:
            parts = candidate.split(".")
            probes.update(".".join(parts[i:j]) for i in range(len(parts)) for j in range(i, 9))
    for candidates in sets:
        for name in probes:
            old = any(c == name or c.endswith("." + name) for c in candidates)
            assert (name in dotted_suffixes(candidates)) == old, (name, sorted(candidates))


def test_rule_codes_are_the_catalogue_without_importing_it() -> None:
    assert rule_codes() == tuple(all_rules())


def test_collector_paused_nests_and_restores() -> None:
    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()  # left as it was found
    finally:
        gc.enable()


def _generation_of(obj: object) -> int | None:
    return next((g for g in range(3) if any(o is obj for o in gc.get_objects(generation=g))), None)


def test_what_a_pause_allocated_is_handed_to_the_oldest_generation() -> None:
    assert gc.isenabled() and gc.get_freeze_count() == 0
    with collector_paused():
        made = [[i] for i in range(20_000)]
        assert _generation_of(made[-1]) == 0
    assert _generation_of(made[-1]) == 2  # no young collection will walk what the run made
    assert gc.get_freeze_count() == 0  # and nothing stays frozen


def test_the_hand_off_leaves_objects_frozen_by_others_frozen() -> None:
    gc.freeze()  # like a forking server sharing its pages
    try:
        frozen = gc.get_freeze_count()
        with collector_paused():
            [[i] for i in range(1000)]  # what a lint run would allocate
        assert gc.get_freeze_count() == frozen  # not unfrozen, and what the pause made not added
    finally:
        gc.unfreeze()


def test_the_console_entry_exits_with_mains_code_and_everything_frozen(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import verifier.cli

    monkeypatch.setattr(verifier.cli, "main", lambda: 3)
    assert gc.get_freeze_count() == 0
    try:
        with pytest.raises(SystemExit) as exited:
            verifier.cli.entry()
        assert exited.value.code == 3
        assert gc.get_freeze_count() > 0  # shutdown's collection will not walk them
    finally:
        gc.unfreeze()


def test_collector_paused_from_threads_restores_once_all_are_done() -> None:
    inside = threading.Barrier(4)
    leave = threading.Event()

    def lint() -> None:
        with collector_paused():
            inside.wait()
            leave.wait()

    threads = [threading.Thread(target=lint) for _ in range(3)]
    for thread in threads:
        thread.start()
    inside.wait()
    assert not gc.isenabled()
    leave.set()
    for thread in threads:
        thread.join()
    assert gc.isenabled()


def test_a_lint_run_leaves_the_collector_on(tmp_path: Path) -> None:
    from verifier.lint.runner import Options, lint_paths, lint_source

    (tmp_path / "m.py").write_text("import os\n", encoding="utf-8")
    lint_paths([tmp_path], options=Options(ruff=False))
    lint_source("x = 1\n", ruff=False)
    assert gc.isenabled()


def test_the_lint_command_imports_with_the_collector_paused(tmp_path: Path) -> None:
    """What ``rda lint`` imports after its parser is built (the runner, the rules, their
    analysis) is imported with the collector off, as the run itself is: collections during
    those imports walked objects that all live until the process ends."""
    (tmp_path / "m.py").write_text("import os\n", encoding="utf-8")
    code = textwrap.dedent(
        f"""
        import gc, sys
        seen = {{}}

        class Probe:
            def find_spec(self, name, path=None, target=None):
                if name in ("verifier.lint.runner", "verifier.rules.analysis.queries"):
                    seen[name] = gc.isenabled()
                return None

        sys.meta_path.insert(0, Probe())
        from verifier.cli import main
        code = main(["lint", "--no-ruff", {str(tmp_path / "m.py")!r}])
        print(sorted(seen.items()), gc.isenabled(), code)
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    lines = result.stdout.strip().splitlines()
    expected = "[('verifier.lint.runner', False), ('verifier.rules.analysis.queries', False)]"
    assert lines[-1] == f"{expected} True 0", result.stdout


def test_ruff_is_found_where_its_package_would_find_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """In a virtualenv the binary is taken from its ``bin/`` without ``sysconfig``; outside one
    (or without ruff there) ruff's own ``find_ruff_bin`` looks; both give the same file."""
    from ruff.__main__ import find_ruff_bin

    from verifier.lint.ruff_runner import _find_ruff_binary

    expected = os.fsdecode(find_ruff_bin())
    assert _find_ruff_binary() == expected
    monkeypatch.setattr(sys, "prefix", sys.base_prefix)  # as if not in a virtualenv
    assert _find_ruff_binary() == expected


@pytest.mark.parametrize("columns", ["57", "abc", "0", None])
def test_terminal_columns_is_what_shutil_measures(
    monkeypatch: pytest.MonkeyPatch, columns: str | None
) -> None:
    import shutil

    from verifier.cli import terminal_columns

    if columns is None:
        monkeypatch.delenv("COLUMNS", raising=False)
    else:
        monkeypatch.setenv("COLUMNS", columns)
    assert terminal_columns() == shutil.get_terminal_size().columns


def test_help_is_as_wide_as_argparse_makes_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """The parsers size their help without ``shutil``, to the width argparse's own would."""
    import argparse

    import verifier.cli

    monkeypatch.setenv("COLUMNS", "64")
    ours = [verifier.cli.build_parser(only) for only in ("lint", "render", None)]
    monkeypatch.setattr(verifier.cli, "Parser", argparse.ArgumentParser)
    theirs = [verifier.cli.build_parser(only) for only in ("lint", "render", None)]
    for mine, plain in zip(ours, theirs, strict=True):
        assert type(mine) is not type(plain)
        assert mine.format_help() == plain.format_help()
        assert max(len(line) for line in mine.format_help().splitlines()) <= 62
    lint_ours = ours[0]._subparsers._group_actions[0].choices["lint"]  # type: ignore[union-attr]
    lint_theirs = theirs[0]._subparsers._group_actions[0].choices["lint"]  # type: ignore[union-attr]
    assert lint_ours.format_help() == lint_theirs.format_help()


def test_second_binding_pass_still_runs_when_the_first_bound_something() -> None:
    """``s`` is a session of unknown flavor after the first pass (``SessionLocal`` is a
    conventional factory name) and a SQLModel one only once the second pass sees the factory
    bound below it."""
    source = textwrap.dedent(
        """
        from sqlalchemy.ext.asyncio import async_sessionmaker
        from sqlmodel.ext.asyncio.session import AsyncSession

        async def job(engine, rounds):
            for index in range(rounds):
                if index:
                    s = SessionLocal()
                    await s.commit()
                SessionLocal = async_sessionmaker(engine, class_=AsyncSession)
        """
    )
    ((ctx,), _, _) = build_contexts([read_source_text("job.py", source)])
    binding = scope_of(ctx, ctx.async_functions[0]).lookup("s")
    assert binding is not None and (binding.kind, binding.flavor) == (SESSION, SQLMODEL)


def read_source_text(name: str, text: str) -> SourceFile:
    return SourceFile(name, text)


def test_run_together_returns_every_part_in_order() -> None:
    def work(part: int, gather: Gather) -> tuple[int, int]:
        return part, os.getpid()

    results = run_together(work, 3)
    assert [part for part, _ in results] == [0, 1, 2]
    pids = [pid for _, pid in results]
    assert pids[0] == os.getpid() and len(set(pids)) == 3


def test_gather_hands_every_part_every_payload_in_part_order() -> None:
    def work(part: int, gather: Gather) -> tuple[list[object], list[object]]:
        first = gather(part * 10)
        second = gather({"part": part, "seen": sum(first)})
        return first, second

    results = run_together(work, 3)
    for first, second in results:
        assert first == [0, 10, 20]
        assert second == [{"part": p, "seen": 30} for p in range(3)]


def test_gather_carries_payloads_larger_than_a_pipe_holds() -> None:
    def work(part: int, gather: Gather) -> list[int]:
        return [len(p) for p in gather(bytes([part]) * 300_000)]

    assert run_together(work, 2) == [[300_000, 300_000]] * 2


def forked_pids(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The pids ``os.fork`` gives this process from now on (other children of the test process,
    a fork server of another test, are not ours to look at)."""
    pids: list[int] = []
    fork = os.fork

    def recording_fork() -> int:
        pid = fork()
        if pid:
            pids.append(pid)
        return pid

    monkeypatch.setattr(os, "fork", recording_fork)
    return pids


def assert_reaped(pids: list[int]) -> None:
    """No child left behind, not even a zombie: waiting for any of them finds nothing."""
    for pid in pids:
        with pytest.raises(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)


def test_run_together_reports_a_failing_child_and_reaps_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def work(part: int, gather: Gather) -> int:
        gather(part)
        if part == 1:
            raise ValueError("boom")
        gather(part)
        return part

    pids = forked_pids(monkeypatch)
    with pytest.raises(ChildFailed, match="ValueError: boom"):
        run_together(work, 2)
    assert len(pids) == 1
    assert_reaped(pids)


def test_run_together_kills_children_when_this_process_fails(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def work(part: int, gather: Gather) -> int:
        if part == 0:
            raise KeyError("here")
        gather(part)  # waits for a parent that never gathers
        return part

    pids = forked_pids(monkeypatch)
    with pytest.raises(KeyError):
        run_together(work, 3)
    assert len(pids) == 2
    assert_reaped(pids)


def _out_of_step(part: int, gather: Gather) -> int:
    if part == 0:
        gather(part)
    return part


def _dies(part: int, gather: Gather) -> int:
    if part == 1:
        os._exit(3)
    gather(part)
    return part


@pytest.mark.parametrize(
    ("work", "message"),
    [(_out_of_step, "sent 'done' where 'gather' was due"), (_dies, "died")],
)
def test_a_child_out_of_step_or_dead_is_a_failure(
    monkeypatch: pytest.MonkeyPatch, work: Callable[[int, Gather], int], message: str
) -> None:
    pids = forked_pids(monkeypatch)
    with pytest.raises(ChildFailed, match=message):
        run_together(work, 2)
    assert_reaped(pids)


def test_claims_are_each_taken_once_across_processes() -> None:
    order = list(range(59, -1, -1))
    with Claims(order) as claims:

        def work(part: int, gather: Gather) -> list[int]:
            taken = []
            for item in claims.take():
                time.sleep(0.002)  # long enough for the child to start and take its share
                taken.append(item)
            return taken

        parts = run_together(work, 2)
    assert sorted(parts[0] + parts[1]) == list(range(60))
    assert all(part for part in parts)  # both took some
    assert all(part == sorted(part, reverse=True) for part in parts)  # each in the order given


def test_claims_share_out_runs_of_items_when_there_are_many(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(forked, "_MAX_TOKENS", 4)  # 10 items: runs of 3, 3, 3 and 1
    with Claims([7, 3, 9, 0, 1, 2, 8, 6, 5, 4]) as claims:
        assert list(claims.take()) == [7, 3, 9, 0, 1, 2, 8, 6, 5, 4]
    with Claims([]) as claims:
        assert list(claims.take()) == []


@pytest.mark.parametrize("project", sorted(p.name for p in REALISTIC.iterdir() if p.is_dir()))
def test_forked_rule_pass_finds_what_the_serial_one_does(project: str) -> None:
    """Projects whose files depend on each other (models, bases, providers in other files)."""
    root = REALISTIC / project
    files = sorted(p for p in root.rglob("*") if p.suffix in (".py", ".ini", ".mako"))
    sources = [read_source(p, p.relative_to(root).as_posix()) for p in files]
    sources[1:1] = [  # files that are RDA000s: an unparsable and an undecodable one
        SourceFile("broken.py", "def f(:\n    pass\n"),
        decode_source(b"x = '\xff'\n", "latin.py"),
    ]
    rules = list(all_rules().values())

    def findings(jobs: int) -> tuple[list[dict], list[dict], list[str]]:
        result = check(sources, rules, jobs=jobs)
        return (
            [v.finding.to_dict() for v in result.violations],
            [p.to_dict() for p in result.problems],
            result.notes,
        )

    serial = findings(1)
    assert serial[0], "the realistic projects all have findings"
    assert [p["file"] for p in serial[1]] == ["broken.py", "latin.py"]
    assert findings(2) == serial  # the same findings, in the same order
    assert findings(3) == serial


@pytest.mark.parametrize("project", sorted(p.name for p in REALISTIC.iterdir() if p.is_dir()))
def test_a_forked_run_filters_ruff_as_a_serial_one_does(
    project: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ruff's findings on a file another process parsed (the model imports of ``env.py``, a
    models package's re-exports) are filtered by that file's code all the same."""
    from verifier.lint.runner import Options, lint_paths

    monkeypatch.chdir(REALISTIC / project)

    def findings(jobs: int) -> list[dict]:
        report = lint_paths([Path(".")], options=Options(jobs=jobs))
        return [f.to_dict() for f in report.findings]

    serial = findings(1)
    assert findings(2) == serial
    assert findings(3) == serial


def test_starting_a_run_loads_no_analysis() -> None:
    """Everything ruff's start needs (configuration, selection, discovery) loads without the
    analysis behind the rules, so ruff's process runs while that loads."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "import verifier.lint.runner, verifier.lint.discovery, verifier.lint.ruff_runner\n"
        "from verifier.rules import rule_codes\n"
        "rule_codes()\n"
        "loaded = [m for m in sys.modules if m.startswith(('verifier.rules.analysis', "
        "'verifier.rules.rda', 'verifier.lint.engine', 'verifier.lint.ruff_filters'))]\n"
        "print(','.join(loaded))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == ""


# A file the per-file hook lints: ruff and the RDA rules both find something in it.
TASKS = '''"""Tasks: the model, its engine and two operations."""

import os
from datetime import datetime

from sqlalchemy.ext.asyncio import create_async_engine
from sqlmodel import Field, SQLModel, select
from sqlmodel.ext.asyncio.session import AsyncSession


class Task(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    title: str
    created_at: datetime = Field(default_factory=datetime.utcnow)


engine = create_async_engine("postgresql+asyncpg://localhost/app", pool_pre_ping=True)


async def add_task(session: AsyncSession, title: str) -> Task:
    task = Task(title=title)
    session.add(task)
    session.commit()
    return task


async def list_tasks(session: AsyncSession) -> list[Task]:
    return list((await session.exec(select(Task))).all())
'''
TASKS_CODES = ["F401", "RDA101", "RDA201", "RDA304"]


def imported_modules(args: list[str]) -> tuple[set[str], subprocess.CompletedProcess[str]]:
    """What ``python -X importtime ARGS`` (run from this checkout) imports beyond what the
    interpreter's start imports anyway, and the run itself."""

    def run(more: list[str]) -> tuple[set[str], subprocess.CompletedProcess[str]]:
        result = subprocess.run(
            [sys.executable, "-X", "importtime", *more],
            capture_output=True,
            text=True,
            timeout=120,
            cwd=Path(__file__).parents[2],
        )
        lines = result.stderr.splitlines()
        names = {
            line.rsplit("|", 1)[-1].strip() for line in lines if line.startswith("import time:")
        }
        return names, result

    started, _ = run(["-c", "pass"])
    names, result = run(args)
    return names - started, result


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_a_lint_process_imports_neither_dataclasses_nor_typing(tmp_path: Path, fmt: str) -> None:
    """``dataclasses`` imports ``inspect``: with the 26 records it made at import, they were
    about a quarter of what a one-file ``rda lint`` spends importing; ``typing`` and the
    NamedTuples that replaced them were about 10 % of the whole run. So the records on that path
    are ``verifier.records.Record``s, ``TYPE_CHECKING = False`` stands in for ``typing``'s, and the
    rule catalogue is listed with ``os.listdir``, not ``pkgutil`` (which imports ``inspect``). A
    dataclass, a NamedTuple or a ``typing`` import added anywhere on the path fails this.
    ``tokenize`` (its regular expressions) is needed only for a file with a BOM, a coding line or
    a ``noqa`` comment, which this one has not."""
    path = tmp_path / "tasks.py"
    path.write_text(TASKS, encoding="utf-8")
    names, result = imported_modules(["-m", "verifier", "lint", "--format", fmt, str(path)])
    assert "verifier.rules.analysis.queries" in names  # the run went through the rules
    assert {"json", "verifier.lint.ruff_filters"} <= names  # and read ruff's F401
    # ruff's package and argparse's default formatter import these; the binary and the terminal's
    # width are found without them (sysconfig: in a virtualenv, where the binary's place is known)
    unwanted = {"dataclasses", "inspect", "typing", "tokenize", "shutil"}
    assert not names & (unwanted | ({"sysconfig"} if sys.prefix != sys.base_prefix else set()))
    assert result.returncode == 1, result.stdout
    if fmt == "json":
        codes = [f["code"] for f in json.loads(result.stdout)["findings"]]
        assert sorted(codes) == TASKS_CODES
    else:
        assert all(f" {code} " in result.stdout for code in TASKS_CODES), result.stdout


def test_a_run_large_enough_to_fork_imports_no_typing_either(tmp_path: Path) -> None:
    """The forked AST pass (``verifier.lint.forked``) is on the path of every large run, from
    the number of files ``--help`` gives."""
    from verifier.lint.engine import PARALLEL_MIN_FILES

    for i in range(PARALLEL_MIN_FILES):
        (tmp_path / f"m{i}.py").write_text(f"LIMIT_{i} = {i}\n", encoding="utf-8")
    names, result = imported_modules(["-m", "verifier", "lint", str(tmp_path)])
    assert result.returncode == 0, result.stdout + result.stderr
    assert "verifier.lint.forked" in names and "typing" not in names
    _, helped = imported_modules(["-m", "verifier", "lint", "--help"])
    assert f"for {PARALLEL_MIN_FILES}+ files" in " ".join(helped.stdout.split())


def test_a_clean_file_is_linted_without_importing_json(tmp_path: Path) -> None:
    """ruff prints ``[]`` when it finds nothing: ``json`` (five modules and their patterns) is
    imported only to read findings, and the filter of ruff's findings only to filter some. The
    run above, with ruff's F401, does both."""
    path = tmp_path / "clean.py"
    path.write_text('"""Nothing to find."""\n\nLIMIT = 10\n', encoding="utf-8")
    names, result = imported_modules(["-m", "verifier", "lint", str(path)])
    assert result.returncode == 0 and "All checks passed" in result.stdout, result.stdout
    assert "verifier.lint.ruff_runner" in names
    assert not names & {"json", "verifier.lint.ruff_filters"}


@pytest.mark.parametrize(
    "data",
    [
        b"x = 'caf\xc3\xa9'\n",
        b"\xef\xbb\xbfx = 1\n",
        b"# -*- coding: latin-1 -*-\nx = '\xe9'\n",
        b"#!/usr/bin/env python\n# coding: latin-1\nx = '\xe9'\n",
        b"x = 1\n\n# coding: latin-1 only counts on the first two lines\ny = '\xc3\xa9'\n",
        b"# coding: no-such-codec\nx = 1\n",
        b"x = '\xe9'\n",
        b"x = 1\ny = '\xe9'\n",
        b"x = 1\r# coding: latin-1\rx = '\xe9'\r",
        b"",
    ],
)
def test_decoding_without_tokenize_agrees_with_it(data: bytes) -> None:
    """Files without a BOM or a coding line are decoded as UTF-8 without ``tokenize``: the text
    (or the refusal) must be what ``tokenize.detect_encoding`` and that encoding give."""
    import tokenize

    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        expected: str | None = data.decode(encoding).removeprefix("\ufeff")
    except (SyntaxError, UnicodeDecodeError, LookupError):
        expected = None
    found = decode_source(data, "f.py")
    assert found.text == expected
    assert (found.problem is None) == (expected is not None)
