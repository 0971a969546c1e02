"""``rda erd``: markers and cardinalities, the three text formats, images, and targets.

A target's models are imported only inside the sandbox; its ERD must agree with the ERD of the
spec that rendered it, and layers written in other styles (``tests/corpus``) draw too.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.render.conftest import EXAMPLES, ROOT, rda, rda_main
from verifier.erd import erd_from_schema_event, erd_from_spec, to_dot, to_markdown, to_mermaid
from verifier.render.load import load_spec

SPEC = """\
package: shop
entities:
  Customer:
    fields:
      email: {type: str, max_length: 320, unique: true}
  Account:
    fields:
      number: {type: str, max_length: 20}
    relationships:
      customer: {target: Customer}
  Passport:
    fields:
      code: {type: str}
    relationships:
      customer: {target: Customer, nullable: true}
  Order:
    fields:
      total: {type: decimal, precision: 10, scale: 2}
    relationships:
      customer: {target: Customer, back_populates: orders}
      referrer: {target: Customer, nullable: true}
    unique_together:
      - [customer, total]
"""


@pytest.fixture
def shop(tmp_path: Path):
    spec = tmp_path / "shop.yaml"
    spec.write_text(SPEC, encoding="utf-8")
    return load_spec(spec)


def test_mermaid_marks_keys_and_cardinalities(shop) -> None:
    text = to_mermaid(erd_from_spec(shop))
    assert text.startswith("erDiagram\n")
    assert "        integer id PK\n" in text
    assert "        varchar(320) email UK\n" in text
    assert "        integer customer_id FK\n" in text
    assert '        integer referrer_id FK "nullable"\n' in text
    assert '    customer ||--o{ account : "customer"' in text  # required: exactly one
    assert '    customer |o--o{ passport : "customer"' in text  # nullable: zero or one
    assert '    customer |o--o{ order : "referrer"' in text
    assert "numeric" in text and "numeric(10,2)" not in text  # a comma breaks Mermaid keys


def test_a_unique_foreign_key_is_one_to_one() -> None:
    data = {
        "tables": [
            {
                "name": "person",
                "columns": [{"name": "id", "type": "integer"}],
                "primary_key": ["id"],
            },
            {
                "name": "profile",
                "columns": [
                    {"name": "id", "type": "integer"},
                    {"name": "person_id", "type": "integer", "nullable": False},
                ],
                "primary_key": ["id"],
                "foreign_keys": [
                    {
                        "columns": ["person_id"],
                        "referred_table": "person",
                        "referred_columns": ["id"],
                    }
                ],
                "unique": [["person_id"]],
            },
        ]
    }
    erd = erd_from_schema_event(data)
    (relation,) = erd.relations
    assert (relation.parent_side, relation.child_side) == ("exactly one", "zero or one")
    assert '    person ||--o| profile : "person"' in to_mermaid(erd)
    assert "integer person_id FK, UK" in to_mermaid(erd)


def test_dot_is_accepted_by_graphviz_and_markdown_fences_the_diagram(shop) -> None:
    erd = erd_from_spec(shop)
    dot = to_dot(erd)
    assert '"order":"customer_id" -> "customer":"id" [arrowhead=teetee' in dot
    assert "arrowhead=teeodot" in dot
    markdown = to_markdown(erd)
    assert markdown.count("```mermaid") == 1 and "| `email` | varchar(320) | no | UK |" in markdown
    if shutil.which("dot") is None:
        pytest.skip("Graphviz is not installed")
    result = subprocess.run(["dot", "-Tsvg"], input=dot, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "<svg" in result.stdout


def test_png_and_svg_are_written_through_dot(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    if shutil.which("dot") is None:
        pytest.skip("Graphviz is not installed")
    png, svg = tmp_path / "erd.png", tmp_path / "erd.svg"
    code, out, _ = rda_main(
        capsys, "erd", str(EXAMPLES / "chat.yaml"), "--png", str(png), "--svg", str(svg)
    )
    assert code == 0 and out == ""
    assert png.read_bytes().startswith(b"\x89PNG")
    assert "<svg" in svg.read_text()


def test_without_graphviz_the_message_says_what_to_install(tmp_path: Path) -> None:
    import os
    import sys

    result = subprocess.run(
        [sys.executable, "-m", "verifier", "erd", str(EXAMPLES / "chat.yaml"), "--png", "x.png"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={**os.environ, "PATH": "/nonexistent", "PYTHONPATH": str(ROOT)},
    )
    assert result.returncode == 2
    assert "Graphviz" in result.stderr and "apt-get install graphviz" in result.stderr
    assert not (tmp_path / "x.png").exists()


def test_formats_and_output_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "erd.md"
    code, stdout, _ = rda_main(
        capsys, "erd", str(EXAMPLES / "multitenant.yaml"), "--format", "markdown", "-o", str(out)
    )
    assert code == 0 and stdout == ""
    text = out.read_text()
    assert "membership" in text and "organization ||--o{ membership" in text
    code, stdout, _ = rda_main(capsys, "erd", str(EXAMPLES / "chat.yaml"), "--format", "dot")
    assert code == 0 and stdout.startswith('digraph "chat"')


def test_a_bad_spec_or_a_missing_path_is_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("package: x\nentities:\n  A:\n    fields: {n: {type: money}}\n")
    code, _, err = rda_main(capsys, "erd", str(bad))
    assert code == 2 and "bad.yaml:4:" in err
    code, _, err = rda_main(capsys, "erd", str(tmp_path / "nowhere"))
    assert code == 2 and "no spec or target" in err


def _shape(erd) -> tuple[dict[str, list[tuple[str, bool, tuple[str, ...]]]], set[tuple]]:
    tables = {
        t.name: [(c.name, c.nullable, tuple(c.markers)) for c in t.columns] for t in erd.tables
    }
    relations = {(r.child, r.parent, r.columns, r.required, r.one_to_one) for r in erd.relations}
    return tables, relations


@pytest.mark.parametrize("name", ["taskapi", "multitenant"])
def test_the_erd_of_a_rendered_layer_equals_the_erd_of_its_spec(rendered_example, name) -> None:
    from verifier.erd.target import schema_of_target

    layer = rendered_example(name)
    from_models = erd_from_schema_event(schema_of_target(layer))
    from_spec = erd_from_spec(load_spec(EXAMPLES / f"{name}.yaml"))
    assert _shape(from_models) == _shape(from_spec)


@pytest.mark.parametrize("style", ["uow", "mixins", "pkg_split"])
def test_layers_in_other_styles_draw_from_their_models(style: str) -> None:
    result = rda("erd", str(ROOT / "tests" / "corpus" / style))
    assert result.returncode == 0, result.stderr
    for relation in (
        'project ||--o{ task : "project"',
        'worker |o--o{ task : "assignee"',
        'task |o--o{ task : "parent_task"',
    ):
        assert relation in result.stdout


def test_a_target_whose_models_do_not_import_is_exit_2(tmp_path: Path) -> None:
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "__init__.py").write_text("")
    (tmp_path / "app" / "models.py").write_text("import not_installed_anywhere\n")
    (tmp_path / "pyproject.toml").write_text('[tool.rda]\nmodels = "app.models"\n')
    result = rda("erd", str(tmp_path))
    assert result.returncode == 2
    assert (
        "could not read the models" in result.stderr and "not_installed_anywhere" in result.stderr
    )
    assert "Traceback" not in result.stderr
