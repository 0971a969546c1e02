"""Every right-way pattern of the skill is verified: layers of blocks go through ``rda verify``,
the remaining blocks say they are fragments, and a pattern the verifier rejects fails the check.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from verifier.cli import main
from verifier.skill import codes
from verifier.skill.examples import Example, check_markers, collect_examples, parse_example
from verifier.skill.layer_verify import _located
from verifier.skill.layers import Layer, collect_layers
from verifier.skill.markdown import CodeBlock
from verifier.skill.package_files import load_skill

from .conftest import BrokenCheck
from .helpers import (
    EXPERTISE,
    JSONB_DOC,
    SKILL,
    TREE_DOC,
    copy_skill,
    findings,
    replace_in,
    static_check,
)


def block(code: str, doc: str = "references/demo.md", line: int = 10) -> Example:
    return parse_example(doc, CodeBlock("python", code, line))


def layers_of(skill: Path) -> dict[str, Layer]:
    layers, problems = collect_layers(collect_examples(load_skill(skill)))
    assert problems == []
    return {layer.label: layer for layer in layers}


def test_layer_and_fragment_markers_are_read() -> None:
    example = block("# layer: tree\n# file: app/models.py\nx = 1\n")
    assert (example.layer, example.file, example.fragment) == ("tree", "app/models.py", False)
    assert block("# fragment\nx = 1\n").fragment


@pytest.mark.parametrize(
    ("code", "problem"),
    [
        ("# layer: Tree Loader\n# file: app/models.py\nx = 1\n", "lowercase letters"),
        ("# layer: tree\nx = 1\n", "needs '# file:'"),
        ("# layer: tree\n# file: app/models.py\n# expect: RDA104\nx = 1\n", "a layer holds"),
        ("# fragment\n# runnable\nx = 1\n", "one or the other"),
    ],
)
def test_malformed_layer_markers_are_findings(code: str, problem: str) -> None:
    [finding] = check_markers([block(code)])
    assert finding.code == codes.MARKER_INVALID and problem in finding.message


def test_a_layer_needs_models_and_one_block_per_file() -> None:
    examples = [
        block("# layer: a\n# file: app/crud.py\nx = 1\n", line=3),
        block("# layer: b\n# file: app/models.py\nx = 1\n", line=20),
        block("# layer: b\n# file: app/models.py\ny = 2\n", line=40),
    ]
    layers, problems = collect_layers(examples)
    assert [layer.name for layer in layers] == ["b"]
    assert sorted((p.line, p.code) for p in problems) == [
        (3, codes.MARKER_INVALID),
        (40, codes.MARKER_INVALID),
    ]
    assert "no models module" in problems[0].message or "no models module" in problems[1].message


def test_the_scaffold_adds_only_what_a_layer_leaves_out() -> None:
    layers = layers_of(SKILL)
    jsonb = layers[f"{JSONB_DOC}#jsonb"].files()
    assert {"app/__init__.py", "app/database.py", "alembic.ini", "alembic/env.py"} <= set(jsonb)
    manifest = tomllib.loads(jsonb["pyproject.toml"])["tool"]["rda"]
    assert manifest == {
        "models": "app.models",
        "database": "app.database",
        "crud": "app.crud",
        "alembic_ini": "alembic.ini",
        "contract": "tests",
    }
    # a layer that gives its own manifest keeps it; the capstone gets nothing added
    users = layers["references/verifying-your-layer.md#users"]
    given = next(m.content for m in users.members if m.path == "pyproject.toml")
    assert users.files()["pyproject.toml"] == given
    capstone = layers["references/capstone-task-api.md"]
    assert set(capstone.files()) == {m.path for m in capstone.members}


def test_the_real_skills_mark_every_block_they_do_not_verify(tmp_path: Path) -> None:
    for skill in (SKILL, EXPERTISE):
        assert findings(static_check(skill), codes.EXAMPLE_UNVERIFIED) == []
    copy = copy_skill(SKILL, tmp_path)
    replace_in(copy / "references" / "sessions.md", "```python\n# fragment\n", "```python\n")
    [finding] = findings(static_check(copy), codes.EXAMPLE_UNVERIFIED)
    assert finding.file == "references/sessions.md" and "'# fragment'" in (finding.fix or "")


def test_a_verifier_finding_points_at_the_block_line() -> None:
    tree = layers_of(SKILL)[f"{TREE_DOC}#tree"]
    crud = tree.member("app/crud.py")
    assert crud is not None
    root = Path("/tmp/layers/relationships-n-plus-one--tree")
    found = _located(
        tree,
        root,
        {"code": "RDA302", "stage": "static", "file": "app/crud.py", "line": 1, "message": "m"},
    )
    assert found.line == crud.example.line + crud.offset  # the block's first line of code
    text = (SKILL / TREE_DOC).read_text().splitlines()
    assert text[found.line - 1] == "from sqlalchemy.orm import selectinload"
    elsewhere = _located(tree, root, {"code": "RDA712", "file": str(root / "x.py"), "line": 3})
    assert elsewhere.line == tree.line and "added by the check" in elsewhere.message


def test_no_run_skips_the_layers(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["skill", "check", str(SKILL), "--no-run"]) == 0
    assert "layers      skipped" in capsys.readouterr().out


def test_a_tree_or_jsonb_pattern_the_verifier_rejects_fails_the_check(
    broken_check: BrokenCheck,
) -> None:
    """The acceptance: both changes lint clean, only ``rda verify`` on their layers sees them.

    The copy is ``break_where_only_running_sees``'s: the tree loaded one level deep, the model's
    JSONB server default dropped while the migration keeps it (and a runnable example broken,
    test_runnable's).
    """
    broken = broken_check.skill
    assert findings(static_check(broken), codes.EXAMPLE_NOT_CLEAN) == []  # lint sees nothing

    report = broken_check.report
    assert report["exit_code"] == 1
    rejected = {
        (f["file"], f["details"]["layer"], f["details"]["rule"])
        for f in report["findings"]
        if f["code"] == codes.LAYER_REJECTED
    }
    assert rejected == {(TREE_DOC, "tree", "RDA705"), (JSONB_DOC, "jsonb", "RDA803")}
    assert {s["name"]: s["status"] for s in report["stages"]}["layers"] == "failed"
    tree_line = next(f["line"] for f in report["findings"] if f["file"] == TREE_DOC)
    lines = (broken / TREE_DOC).read_text().splitlines()
    assert "async def test_a_seven_level_tree" in lines[tree_line - 1]
