"""``rda skill package``: the ``.skill`` file, a zip of the skill folder as Claude installs it.

Entries sit under the skill's folder name (``relational-db-agent/SKILL.md``), like skill-creator's
packager writes them. Left out: ``evals/`` (test material for the skill, not part of it), hidden
files, caches and bytecode. Entries are sorted and dated 1980-01-01, so packaging the same skill
twice gives the same bytes. A skill whose frontmatter is invalid would not load, so it is not
packaged.
"""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

from verifier.errors import UsageError
from verifier.skill.frontmatter import check_frontmatter
from verifier.skill.package_files import NOT_CONTENT, is_junk, load_skill

FIXED_DATE = (1980, 1, 1, 0, 0, 0)
SUFFIX = ".skill"


def skill_files(root: Path) -> list[Path]:
    """The files that belong in the package, relative to ``root``, sorted."""
    found: list[Path] = []
    for folder, dirs, files in os.walk(root):
        relative_folder = Path(folder).relative_to(root)
        dirs[:] = sorted(
            d
            for d in dirs
            if not d.startswith(".")
            and not (relative_folder == Path(".") and d in NOT_CONTENT)
            and not is_junk(relative_folder / d)
        )
        for name in files:
            relative = relative_folder / name
            if name.startswith(".") or is_junk(relative):
                continue
            found.append(relative)
    return sorted(found)


def package_skill(path: Path, out: Path | None = None) -> Path:
    """Write the ``.skill`` zip of the skill at ``path``; return its path.

    ``out`` is the zip's path (ending in ``.skill``), or a folder to put ``<name>.skill`` in
    (default: the current one).
    """
    skill = load_skill(path)
    doc = skill.skill_md
    if doc is None:
        raise UsageError(f"{path} has no SKILL.md", hint="a skill is a folder holding SKILL.md")
    problems = list(check_frontmatter(doc, skill.root.name))
    if problems:
        listed = "; ".join(f"{p.code} {p.message}" for p in problems)
        raise UsageError(
            f"not packaging {path}: {listed}", hint=f"run 'rda skill check {path}' and fix it"
        )
    name = skill.root.name
    if out is None:
        target = Path.cwd() / f"{name}{SUFFIX}"
    elif out.suffix == SUFFIX and not out.is_dir():
        target = out
    else:
        target = out / f"{name}{SUFFIX}"
    target.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for relative in skill_files(skill.root):
            info = zipfile.ZipInfo(f"{name}/{relative.as_posix()}", date_time=FIXED_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, (skill.root / relative).read_bytes())
    return target
