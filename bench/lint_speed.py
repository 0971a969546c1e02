"""How fast ``rda lint`` is as a whole process, beside plain ``ruff check`` on the same input.

Two inputs, both generated here (a realistic async SQLModel layer: models, CRUD, engine):

1. one 300-line file, the per-file editor/agent hook case (goal: median <= 0.15 s);
2. a tree of 200 generated-layer files, the CI case (goal: >= 200 files/s).

Every figure is a whole process started from scratch (interpreter start, imports, ruff
subprocess, the RDA rules), timed around ``subprocess.run``; medians over several runs, the
configurations measured in turn (round-robin) so that load from other work on the machine hits
them alike. The ruff baseline is the same ruff binary with the same selection.

``rda`` runs as ``python -m verifier`` from a copy of the package, so that its bytecode cache is
under control: "warm" is a normal install (``.pyc`` files written on first run and reused),
"cold" has ``PYTHONDONTWRITEBYTECODE=1`` and no ``.pyc`` (every import of rda compiled from
source, as in environments that set that variable). The tree is also run with one process for
the AST pass (``--jobs 1``) beside the default.

``--against DIR`` measures a second source tree (a checkout, e.g. a ``git worktree`` of the code
before a change) beside this one: its package is copied the same way, every configuration runs
for both in the same round-robin, and the report gives both medians and their ratio (new/old).
On a shared machine absolute figures drift with the load; the interleaved ratio does not. Each
run's CPU time (user + system of the process and the children it waited for) is printed beside
the wall time, as a second view that load from other work inflates less.

Run: ``python bench/lint_speed.py [--runs N] [--tree-runs N] [--against DIR]``.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
ONE_FILE_GOAL = 0.15  # seconds, median whole process (issue 10: the per-file hook)
TREE_GOAL = 200  # files per second
ENTITIES = ["Project", "Worker", "Task", "Comment", "Label", "Sprint", "Team", "Invoice", "Order"]

HEADER = '''"""Generated {name} layer: models, engine and CRUD (benchmark input)."""

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Optional

from sqlalchemy import Column
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine
from sqlalchemy.orm import selectinload
from sqlmodel import Field, Relationship, SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

engine = create_async_engine("postgresql+asyncpg://app@db/app", pool_pre_ping=True)
Sessions = async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)


def utc_now() -> datetime:
    return datetime.now(UTC)


async def get_session() -> AsyncIterator[AsyncSession]:
    async with Sessions() as session:
        yield session
'''

ENTITY = """

class {cls}Owner{i}(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    handle: str = Field(max_length=100, unique=True)
    items: list["{cls}{i}"] = Relationship(back_populates="owner")


class {cls}{i}(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=500)
    tags: list[str] = Field(default_factory=list, sa_column=Column(JSONB, nullable=False))
    owner_id: int | None = Field(default=None, foreign_key="{tbl}owner{i}.id", index=True)
    created_at: datetime = Field(default_factory=utc_now)
    deleted_at: datetime | None = None
    owner: Optional[{cls}Owner{i}] = Relationship(back_populates="items")


async def create_{fn}_{i}(session: AsyncSession, title: str, owner_id: int | None) -> {cls}{i}:
    row = {cls}{i}(title=title, owner_id=owner_id)
    session.add(row)
    try:
        await session.commit()
    except IntegrityError as exc:
        await session.rollback()
        raise ValueError(title) from exc
    return row


async def get_{fn}_{i}(session: AsyncSession, row_id: int) -> {cls}{i} | None:
    stmt = (
        select({cls}{i})
        .where({cls}{i}.id == row_id, col({cls}{i}.deleted_at).is_(None))
        .options(selectinload({cls}{i}.owner))
    )
    return (await session.exec(stmt)).one_or_none()


async def list_{fn}_{i}(
    session: AsyncSession, limit: int = 50, offset: int = 0
) -> list[{cls}{i}]:
    stmt = (
        select({cls}{i})
        .where(col({cls}{i}.deleted_at).is_(None))
        .options(selectinload({cls}{i}.owner))
        .order_by(col({cls}{i}.created_at).desc())
        .offset(offset)
        .limit(limit)
    )
    rows = (await session.exec(stmt)).all()
    return [row for row in rows if row.owner is None or row.owner.handle]


async def tag_{fn}_{i}(session: AsyncSession, row_id: int, tag: str) -> None:
    row = await session.get({cls}{i}, row_id)
    if row is not None:
        row.tags = [*row.tags, tag]
        await session.commit()
"""


def layer(name: str, entities: int) -> str:
    parts = [HEADER.format(name=name)]
    for i in range(entities):
        cls = ENTITIES[i % len(ENTITIES)]
        parts.append(ENTITY.format(cls=cls, i=i, fn=cls.lower(), tbl=cls.lower()))
    return "".join(parts)


def write_inputs(root: Path) -> tuple[Path, Path]:
    single = root / "single" / "layer.py"
    single.parent.mkdir(parents=True)
    text = layer("single", 5)
    while len(text.splitlines()) < 300:
        text += f"\n\ndef helper_{len(text)}() -> int:\n    return {len(text)}\n"
    single.write_text(text, encoding="utf-8")
    tree = root / "tree"
    for index in range(200):
        package = tree / f"pkg{index // 20}"
        package.mkdir(parents=True, exist_ok=True)
        (package / f"layer{index}.py").write_text(layer(f"layer{index}", 1), encoding="utf-8")
    return single, tree


def copy_package(target: Path, source: Path = REPO) -> Path:
    """A copy of ``source``'s verifier package without bytecode, importable from ``target``."""
    shutil.copytree(
        source / "verifier", target / "verifier", ignore=shutil.ignore_patterns("__pycache__")
    )
    return target


def run_once(cmd: list[str], env: dict[str, str], cwd: Path) -> tuple[float, float]:
    """Wall and CPU seconds of one whole process (CPU: its own plus its waited-for children)."""
    started = time.perf_counter()
    proc = subprocess.Popen(
        cmd, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    _stdout, stderr = proc.communicate()
    elapsed = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(cmd[:4])} failed ({proc.returncode}): {stderr[-800:]}")
    return elapsed, usage.ru_utime + usage.ru_stime


@dataclass
class Times:
    """The runs of one configuration."""

    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.wall)

    @property
    def cpu_median(self) -> float:
        return statistics.median(self.cpu)


def round_robin(
    configs: dict[str, tuple[list[str], dict[str, str]]], runs: int, cwd: Path
) -> dict[str, Times]:
    times = {name: Times() for name in configs}
    for _ in range(runs):
        for name, (cmd, env) in configs.items():
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            wall, after = run_once(cmd, env, cwd)
            times[name].wall.append(wall)
            times[name].cpu.append(after - (before.ru_utime + before.ru_stime))
    return times


def with_against(
    configs: dict[str, tuple[list[str], dict[str, str]]],
    rda: set[str],
    envs: dict[str, dict[str, str]],
) -> dict[str, tuple[list[str], dict[str, str]]]:
    """Each rda configuration also run with the ``--against`` copy (same command, its env)."""
    out = dict(configs)
    for name in rda:
        cmd, env = configs[name]
        out[f"{name}@against"] = (cmd, envs[env["PYTHONPATH"]])
    return out


def against_line(times: dict[str, Times], name: str) -> str:
    other = times.get(f"{name}@against")
    if other is None:
        return ""
    new = times[name]
    return (
        f"\n   {'':34}against: median {other.median:.3f} s  cpu {other.cpu_median:.3f} s  "
        f"-> new/old wall {new.median / other.median:.2f}, cpu "
        f"{new.cpu_median / other.cpu_median:.2f}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="runs per single-file measurement")
    parser.add_argument("--tree-runs", type=int, default=7, help="runs per tree measurement")
    parser.add_argument(
        "--against",
        type=Path,
        help="a second source tree (holding verifier/) measured beside this one, interleaved",
    )
    args = parser.parse_args()
    if args.against is not None and not (args.against / "verifier" / "__main__.py").is_file():
        parser.error(f"--against {args.against}: no verifier package there")

    sys.path.insert(0, str(REPO))
    from verifier.lint.ruff_runner import ruff_binary
    from verifier.lint.selection import RUFF_DEFAULT

    ruff = [ruff_binary(), "check", "--isolated", "--exit-zero", "--select", ",".join(RUFF_DEFAULT)]

    with tempfile.TemporaryDirectory(prefix="rda-bench-") as tmp:
        root = Path(tmp)
        single, tree = write_inputs(root)
        lines = len(single.read_text(encoding="utf-8").splitlines())
        files = len(list(tree.rglob("*.py")))
        base = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
        warm = base | {"PYTHONPATH": str(copy_package(root / "warm"))}
        cold = base | {
            "PYTHONPATH": str(copy_package(root / "cold")),
            "PYTHONDONTWRITEBYTECODE": "1",
        }
        rda = [sys.executable, "-m", "verifier", "lint"]
        run_once([*rda, str(single)], warm, root)  # writes the warm copy's bytecode
        envs: dict[str, dict[str, str]] = {}
        if args.against is not None:
            other = args.against.resolve()
            envs[warm["PYTHONPATH"]] = base | {
                "PYTHONPATH": str(copy_package(root / "against-warm", other))
            }
            envs[cold["PYTHONPATH"]] = base | {
                "PYTHONPATH": str(copy_package(root / "against-cold", other)),
                "PYTHONDONTWRITEBYTECODE": "1",
            }
            run_once([*rda, str(single)], envs[warm["PYTHONPATH"]], root)

        print(f"inputs: one file of {lines} lines; a tree of {files} generated-layer files")
        print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}")
        print(f"python: {sys.executable} ({sys.version.split()[0]})")
        if args.against is not None:
            print(f"against: {args.against.resolve()} (interleaved with {REPO})")
        print()

        single_configs = {
            "ruff": ([*ruff, "--no-cache", str(single)], warm),
            "ruff-cache": ([*ruff, str(single)], warm),
            "python": ([sys.executable, "-c", "pass"], warm),
            "warm": ([*rda, str(single)], warm),
            "cold": ([*rda, str(single)], cold),
        }
        if envs:
            single_configs = with_against(single_configs, {"warm", "cold"}, envs)
        single_times = round_robin(single_configs, args.runs, root)
        med = {k: t.median for k, t in single_times.items()}
        print(f"1. one {lines}-line file (goal: rda lint median <= {ONE_FILE_GOAL} s)")
        print(f"   ruff check --no-cache           median {med['ruff']:.3f} s")
        print(f"   ruff check (with its cache)     median {med['ruff-cache']:.3f} s")
        for key, label in (("warm", "bytecode cached"), ("cold", "no bytecode")):
            verdict = "meets" if med[key] <= ONE_FILE_GOAL else "MISSES"
            print(
                f"   rda lint ({label:<15})      median {med[key]:.3f} s  "
                f"min {min(single_times[key].wall):.3f} s  cpu {single_times[key].cpu_median:.3f} s"
                f"  {med[key] / med['ruff']:5.1f}x ruff  -> {verdict} the goal"
                + against_line(single_times, key)
            )
        print(f"   (bare interpreter start-up:     median {med['python']:.3f} s)\n")

        tree_configs = {
            "ruff": ([*ruff, "--no-cache", str(tree)], warm),
            "warm": ([*rda, str(tree)], warm),
            "warm-jobs1": ([*rda, "--jobs", "1", str(tree)], warm),
            "cold": ([*rda, str(tree)], cold),
        }
        if envs:
            tree_configs = with_against(tree_configs, {"warm", "warm-jobs1", "cold"}, envs)
        tree_times = round_robin(tree_configs, args.tree_runs, root)
        med = {k: t.median for k, t in tree_times.items()}
        print(f"2. tree of {files} generated-layer files (goal: >= {TREE_GOAL} files/s)")
        print(
            f"   ruff check --no-cache           median {med['ruff']:.3f} s  "
            f"{files / med['ruff']:6.0f} files/s"
        )
        for key, label in (
            ("warm", "bytecode cached"),
            ("warm-jobs1", "cached, --jobs 1"),
            ("cold", "no bytecode"),
        ):
            rate = files / med[key]
            verdict = "meets" if rate >= TREE_GOAL else "MISSES"
            print(
                f"   rda lint ({label:<16})     median {med[key]:.3f} s  {rate:6.0f} files/s  "
                f"cpu {tree_times[key].cpu_median:.3f} s  {med[key] / med['ruff']:5.1f}x ruff  "
                f"-> {verdict} the goal" + against_line(tree_times, key)
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
