"""Decide, file by file, what a render does to the output folder (before touching anything).

``create`` (new), ``update`` (ours, changed by the spec), ``unchanged``, ``conflict`` (the
user's bytes would be lost: edited since the render, or never rendered by us), ``remove`` (we
rendered it before, the spec no longer has it, and nobody edited it), ``history`` (an Alembic
revision that exists already: applied revisions are never rewritten).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from verifier.render.files import RenderedFile
from verifier.render.record import Record, digest


@dataclass
class Action:
    path: str
    group: str
    status: str
    content: str | None = None
    reason: str = ""


@dataclass
class Plan:
    actions: list[Action] = field(default_factory=list)
    has_history: bool = False  # alembic/versions held revisions before this render

    @property
    def conflicts(self) -> list[Action]:
        return [a for a in self.actions if a.status == "conflict"]

    def writes(self) -> list[Action]:
        return [a for a in self.actions if a.status in ("create", "update")]


def existing_revisions(root: Path) -> list[Path]:
    versions = root / "alembic" / "versions"
    if not versions.is_dir():
        return []
    return sorted(p for p in versions.glob("*.py") if p.name != "__init__.py")


def make_plan(root: Path, files: list[RenderedFile], record: Record | None, force: bool) -> Plan:
    plan = Plan(has_history=bool(existing_revisions(root)))
    recorded = record.files if record else {}
    rendered_paths = set()
    for file in files:
        rendered_paths.add(file.path)
        target = root / file.path
        if file.is_revision and plan.has_history:
            plan.actions.append(Action(file.path, file.group, "history"))
            continue
        if not target.exists():
            plan.actions.append(Action(file.path, file.group, "create", file.content))
            continue
        current = target.read_bytes()
        if current == file.content.encode("utf-8"):
            plan.actions.append(Action(file.path, file.group, "unchanged", file.content))
            continue
        ours = recorded.get(file.path) == digest(current)
        if ours or force:
            plan.actions.append(Action(file.path, file.group, "update", file.content))
            continue
        reason = (
            "edited since it was rendered"
            if file.path in recorded
            else "exists and was not rendered by rda render"
        )
        plan.actions.append(Action(file.path, file.group, "conflict", file.content, reason))
    for path, sha in sorted(recorded.items()):
        if path in rendered_paths or path.startswith("alembic/versions/"):
            continue
        target = root / path
        if not target.exists():
            continue
        if digest(target.read_bytes()) == sha:
            plan.actions.append(Action(path, _group_of(path), "remove"))
        else:
            plan.actions.append(
                Action(path, _group_of(path), "conflict", None, "no longer rendered, but edited")
            )
    return plan


def _group_of(path: str) -> str:
    if path.startswith("tests/"):
        return "tests"
    if path.startswith("alembic"):
        return "alembic"
    if "/models/" in path:
        return "models"
    if "/crud/" in path:
        return "crud"
    return "project"
