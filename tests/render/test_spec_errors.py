"""A malformed spec: one clear error per problem, with its line; exit 2; nothing written."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.render.conftest import rda_main

GOOD_HEAD = "package: shop\nentities:\n"


def _render(tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str) -> tuple[int, str]:
    spec = tmp_path / "spec.yaml"
    spec.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    code, _, stderr = rda_main(capsys, "render", str(spec), "--out", str(out), "-q")
    assert not out.exists(), "a bad spec must not write anything"
    assert "Traceback" not in stderr
    return code, stderr


CASES = {
    "unknown type": (
        GOOD_HEAD + "  Order:\n    fields:\n      total: {type: money}\n",
        ["spec.yaml:5:", "unknown type 'money'", "use one of: str, text"],
    ),
    "relationship to a missing entity": (
        GOOD_HEAD
        + "  Order:\n    fields:\n      note: {type: str}\n"
        + "    relationships:\n      customer: {target: Customer}\n",
        ["spec.yaml:7:", "refers to 'Customer', which is not an entity", "use one of: Order"],
    ),
    "duplicate field": (
        GOOD_HEAD + "  Order:\n    fields:\n      note: {type: str}\n      note: {type: text}\n",
        ["spec.yaml:6:", "duplicate key 'note' (first written at line 5)"],
    ),
    "cycle of required foreign keys": (
        GOOD_HEAD
        + "  A:\n    relationships:\n      b: {target: B}\n"
        + "  B:\n    relationships:\n      a: {target: A}\n",
        ["spec.yaml:5:", "required foreign keys form a cycle: A.b -> B.a -> A", "nullable: true"],
    ),
    "bad YAML": (
        GOOD_HEAD + "  Order:\n    fields: [\n",
        ["spec.yaml:5:", "bad YAML"],
    ),
    "unknown key": (
        GOOD_HEAD + "  Order:\n    fields:\n      note: {type: str, colour: red}\n",
        ["spec.yaml:5:", "unknown key 'colour'", "use one of: type, nullable"],
    ),
    "enum not defined": (
        GOOD_HEAD + "  Order:\n    fields:\n      state: {type: enum, enum: OrderState}\n",
        ["spec.yaml:5:", "enum 'OrderState' of Order.state is not defined"],
    ),
    "set null on a required reference": (
        GOOD_HEAD
        + "  A:\n    fields: {x: {type: int}}\n"
        + "  B:\n    relationships:\n      a: {target: A, ondelete: SET NULL}\n",
        ["spec.yaml:7:", "`ondelete: SET NULL` needs `nullable: true`"],
    ),
    "gin index on a text column": (
        GOOD_HEAD
        + "  A:\n    fields: {x: {type: str}}\n    indexes:\n      - {columns: [x], using: gin}\n",
        ["spec.yaml:6:", "GIN index on A.x"],
    ),
    "tree over a relationship that is not a self-reference": (
        GOOD_HEAD
        + "  A:\n    fields: {x: {type: int}}\n"
        + "    operations:\n      get:\n      tree: {relationship: children}\n",
        ["spec.yaml:7:", "'children' is not a self-referential collection of A"],
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_malformed_spec_names_the_line_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], case: str
) -> None:
    text, expected = CASES[case]
    code, stderr = _render(tmp_path, capsys, text)
    assert code == 2
    for part in expected:
        assert part in stderr, f"{part!r} missing from:\n{stderr}"
    assert "1 problem in the spec, nothing was written" in stderr


def test_every_problem_of_a_spec_is_reported_at_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = (
        GOOD_HEAD
        + "  Order:\n    fields:\n      total: {type: money}\n"
        + "      note: {type: str}\n      note: {type: text}\n"
        + "  Invoice:\n    fields:\n      amount: {type: decimal, colour: red}\n"
    )
    code, stderr = _render(tmp_path, capsys, text)
    assert code == 2
    lines = [line for line in stderr.splitlines() if line.startswith(str(tmp_path))]
    assert [line.split(":")[1] for line in lines] == ["5", "7", "10"]
    assert "3 problems in the spec" in stderr


def test_a_missing_spec_file_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, stderr = rda_main(capsys, "render", str(tmp_path / "nope.yaml"), "--out", "x")
    assert code == 2
    assert "no spec at" in stderr


def test_every_example_spec_is_valid() -> None:
    from tests.render.conftest import EXAMPLE_NAMES, EXAMPLES
    from verifier.render.load import load_spec

    for name in EXAMPLE_NAMES:
        assert load_spec(EXAMPLES / f"{name}.yaml").entities
