"""Reading Markdown: anchors as GitHub makes them, and lines as an editor shows them."""

from __future__ import annotations

from pathlib import Path

import pytest

from verifier.skill.markdown import github_slug, parse_markdown, split_frontmatter


@pytest.mark.parametrize(
    ("heading", "anchor"),
    [
        ("Expire on commit", "expire-on-commit"),
        ("The N+1 problem", "the-n1-problem"),
        ("Async env.py", "async-envpy"),
        ("script.py.mako", "scriptpymako"),
        ("One operation, one commit", "one-operation-one-commit"),
        ("IntegrityError and rollback", "integrityerror-and-rollback"),
        ("SQLite for tests?", "sqlite-for-tests"),
        ("snake_case stays", "snake_case-stays"),
    ],
)
def test_github_slug(heading: str, anchor: str) -> None:
    assert github_slug(heading) == anchor


def test_headings_links_and_blocks_carry_file_lines(tmp_path: Path) -> None:
    text = (
        "---\nname: demo\ndescription: d\n---\n"  # lines 1-4
        "# Title\n"  # 5
        "\n"
        "See [a](a.md#x) and\n"  # 7
        "[b](#title).\n"  # 8
        "\n"
        "## `exec`, not *execute*\n"  # 10
        "\n"
        "```python\n"  # 12
        "# expect: RDA108\n"  # 13: first code line
        "x = 1\n"
        "```\n"
        "\n"
        "## Title\n"  # 17: a repeated heading gets -1
        "\n"
        "| a | [c](c.md) |\n"  # 19
        "|---|---|\n"
    )
    doc = parse_markdown(tmp_path / "doc.md", text)
    assert doc.frontmatter == {"name": "demo", "description": "d"}
    assert doc.body_start == 5
    assert [(h.anchor, h.line) for h in doc.headings] == [
        ("title", 5),
        ("exec-not-execute", 10),
        ("title-1", 17),
    ]
    assert [(link.target, link.line) for link in doc.links] == [
        ("a.md#x", 7),
        ("#title", 8),
        ("c.md", 19),
    ]
    [block] = doc.code_blocks
    assert (block.language, block.line) == ("python", 13)
    assert block.code.startswith("# expect: RDA108")


def test_a_hash_inside_a_code_block_is_not_a_heading(tmp_path: Path) -> None:
    doc = parse_markdown(tmp_path / "d.md", "# Real\n\n```bash\n# not a heading\n```\n")
    assert [h.text for h in doc.headings] == ["Real"]


def test_unclosed_or_missing_frontmatter(tmp_path: Path) -> None:
    assert split_frontmatter("# no frontmatter\n") == (None, 1)
    assert split_frontmatter("---\nname: x\n# never closed\n") == (None, 1)
    doc = parse_markdown(tmp_path / "d.md", "---\n- a list\n---\nbody\n")
    assert doc.frontmatter is None and doc.frontmatter_error is not None
    broken = parse_markdown(tmp_path / "d.md", "---\nname: [unclosed\n---\nbody\n")
    assert broken.frontmatter_error is not None and "YAML" in broken.frontmatter_error
