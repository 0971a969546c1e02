"""Which files make up a skill, read once and shared by every check.

A skill is a folder with a ``SKILL.md``; its Markdown files are parsed here. ``evals/`` holds
test material for the skill, not the skill itself: its Markdown is not read as skill content
and it is left out of the package.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from verifier.errors import UsageError
from verifier.skill.markdown import MarkdownFile, parse_markdown

SKILL_FILE = "SKILL.md"
NOT_CONTENT = ("evals",)  # top-level folders that are not skill content
JUNK_NAMES = ("__pycache__", ".DS_Store", ".pytest_cache", ".ruff_cache", ".mypy_cache")
JUNK_SUFFIXES = (".pyc", ".pyo")


def is_junk(relative: Path) -> bool:
    """Caches, bytecode and editor litter: never part of a skill."""
    return any(part in JUNK_NAMES for part in relative.parts) or relative.suffix in JUNK_SUFFIXES


@dataclass
class Skill:
    root: Path
    docs: dict[str, MarkdownFile] = field(default_factory=dict)  # "references/x.md" -> parsed

    @property
    def skill_md(self) -> MarkdownFile | None:
        return self.docs.get(SKILL_FILE)

    @property
    def name(self) -> str | None:
        doc = self.skill_md
        if doc is None or doc.frontmatter is None:
            return None
        name = doc.frontmatter.get("name")
        return name if isinstance(name, str) else None

    def relative(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()


def load_skill(path: Path) -> Skill:
    """Parse every Markdown file of the skill at ``path`` (a folder, possibly a symlink)."""
    if not path.exists():
        raise UsageError(f"{path} does not exist", hint="give the folder that holds SKILL.md")
    if not path.is_dir():
        raise UsageError(f"{path} is not a folder", hint="give the folder that holds SKILL.md")
    root = path.resolve()
    skill = Skill(root)
    for file in sorted(root.rglob("*.md")):
        relative = file.relative_to(root)
        if relative.parts[0] in NOT_CONTENT or is_junk(relative) or not file.is_file():
            continue
        try:
            skill.docs[relative.as_posix()] = parse_markdown(file)
        except (OSError, UnicodeDecodeError) as exc:
            raise UsageError(f"cannot read {file}: {exc}") from exc
    return skill
