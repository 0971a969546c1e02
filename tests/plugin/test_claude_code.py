"""The plugin as Claude Code itself sees it: validated, installed from its marketplace, costed.

Claude Code 2.1.328 from npm (see ``claude_code.py``) runs offline here: ``plugin validate``
with the plugin directory's profile (what a submission is held to), ``plugin install`` from
the marketplace in this repository, and ``plugin details`` (component inventory and the token
cost every session pays). Copies of the plugin with one part removed or broken prove that each
check can fail.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from .claude_code import ClaudeCode
from .helpers import ROOT

SKILLS = {
    "relational-db-agent": ROOT / "skills" / "relational-db-agent",
    "building-with-sqlmodel-async": ROOT / ".claude" / "skills" / "building-with-sqlmodel-async",
}
ALWAYS_ON_BUDGET = 300  # tokens every session pays for the plugin


def validate(claude: ClaudeCode, target: Path, home: Path, *flags: str) -> tuple[int, dict]:
    result = claude.run("plugin", "validate", "--json", *flags, str(target), home=home)
    assert result.stdout.strip(), result.stderr
    return result.returncode, json.loads(result.stdout)


def strict_directory(claude: ClaudeCode, target: Path, home: Path) -> tuple[int, dict]:
    return validate(claude, target, home, "--strict", "--profile", "directory")


def problems(report: dict[str, Any]) -> list[str]:
    """Every error, warning and directory finding of a validate --json report, one line each."""
    entries = [report.get("manifest") or {}, *report.get("contents", [])]
    lines = [
        f"{entry.get('file')}: {item['path']}: {item['message']}"
        for entry in entries
        for item in [*entry.get("errors", []), *entry.get("warnings", [])]
    ]
    directory = report.get("directory") or {}
    lines += [json.dumps(finding) for finding in directory.get("findings", [])]
    return lines


# -- validate ----------------------------------------------------------------------------------


def test_strict_directory_profile_passes(claude: ClaudeCode, home: Path) -> None:
    code, report = strict_directory(claude, ROOT, home)
    assert (code, problems(report)) == (0, [])
    assert report["success"] and report["strict"]
    assert report["directory"]["profile"] == "directory"
    assert not report["directory"]["incomplete"] and report["directory"]["failure"] is None
    # the README's install line is found: no advice to add one
    assert report["advice"] == []
    provides = report["provides"]
    assert sorted(provides["skills"]) == [f"relational-db-agent:{name}" for name in sorted(SKILLS)]
    assert provides["commands"] == ["relational-db-agent:verify-db"]
    [hook] = provides["hooks"]
    assert (hook["event"], hook["matcher"]) == ("PostToolUse", "Write|Edit")
    assert hook["type"] == "command"
    assert "rda lint --claude-hook" in hook["command"]
    # the hosts the parts reach are declared (none)
    assert report["hosts"]["declared"]["plugin"] is True
    assert report["hosts"]["named"] == []


@pytest.mark.parametrize("manifest", ["plugin.json", "marketplace.json"])
def test_each_manifest_passes_strict(claude: ClaudeCode, home: Path, manifest: str) -> None:
    code, report = validate(claude, ROOT / ".claude-plugin" / manifest, home, "--strict")
    assert (code, problems(report)) == (0, [])
    assert report["manifest"]["type"] == manifest.removesuffix(".json")


def test_the_copy_that_the_failing_checks_use_passes_too(
    claude: ClaudeCode, home: Path, plugin_copy: Path
) -> None:
    code, report = strict_directory(claude, plugin_copy, home)
    assert (code, problems(report)) == (0, [])


def test_without_the_icon_strict_validation_fails(
    claude: ClaudeCode, home: Path, plugin_copy: Path
) -> None:
    (plugin_copy / ".claude-plugin" / "icon.png").unlink()
    code, report = strict_directory(claude, plugin_copy, home)
    assert code == 1 and not report["success"]
    codes = [f.get("code") for f in report["directory"]["findings"]]
    assert codes == ["ICON_MISSING"], problems(report)


def test_an_icon_that_is_not_an_image_fails(
    claude: ClaudeCode, home: Path, plugin_copy: Path
) -> None:
    """Claude Code 2.1.328 checks the icon's format; its size (square, 512-2048 px) is checked
    by test_icon.py, as the plugin directory states it."""
    (plugin_copy / ".claude-plugin" / "icon.png").write_bytes(b"not an image")
    code, report = strict_directory(claude, plugin_copy, home)
    assert code == 1
    assert [f.get("code") for f in report["directory"]["findings"]] == ["ICON_INVALID"]


def test_undeclared_hosts_and_a_readme_without_install_line_are_reported(
    claude: ClaudeCode, home: Path, plugin_copy: Path
) -> None:
    manifest = plugin_copy / ".claude-plugin" / "plugin.json"
    data = json.loads(manifest.read_text())
    del data["network"]
    manifest.write_text(json.dumps(data))
    readme = plugin_copy / "README.md"
    readme.write_text(re.sub(r".*plugin install.*\n", "", readme.read_text()))
    _, report = strict_directory(claude, plugin_copy, home)
    assert report["hosts"]["declared"]["plugin"] is False
    [advice] = report["advice"]
    assert "no line that installs" in advice["message"]


# -- the skills, as Claude Code reads them ---------------------------------------------------


def skills_dir_with(tmp_path: Path, name: str, source: Path) -> Path:
    """A `skills/` folder holding the skill as a session loads it (symlinks followed)."""
    folder = tmp_path / "skills"
    shutil.copytree(source.resolve(), folder / name, ignore=shutil.ignore_patterns("__pycache__"))
    return folder


@pytest.mark.parametrize("name", sorted(SKILLS))
def test_each_skill_folder_passes_strict(
    claude: ClaudeCode, home: Path, tmp_path: Path, name: str
) -> None:
    folder = skills_dir_with(tmp_path, name, SKILLS[name])
    code, report = validate(claude, folder, home, "--strict")
    assert (code, problems(report)) == (0, [])
    assert report["manifest"] is None  # read as a skills folder, not as a plugin


def test_a_skill_without_description_fails_strict(
    claude: ClaudeCode, home: Path, tmp_path: Path
) -> None:
    folder = skills_dir_with(tmp_path, "relational-db-agent", SKILLS["relational-db-agent"])
    skill_md = folder / "relational-db-agent" / "SKILL.md"
    skill_md.write_text(re.sub(r"(?m)^description: .*\n", "", skill_md.read_text(), count=1))
    code, report = validate(claude, folder, home, "--strict")
    assert code == 1
    assert any("description" in line for line in problems(report)), problems(report)


# -- install from the marketplace, then details ------------------------------------------------


def details(claude: ClaudeCode, home: Path, *flags: str) -> str:
    result = claude.run(*flags, "plugin", "details", "relational-db-agent", home=home)
    assert result.returncode == 0, result.stderr
    return result.stdout


def parse_details(text: str) -> dict[str, Any]:
    rows = re.findall(r"(?m)^  (Skills|Agents|Hooks|MCP servers|LSP servers) \((\d+)\)(.*)$", text)
    inventory = {kind: (int(count), re.findall(r"[\w-]+", rest)) for kind, count, rest in rows}
    always_on = re.search(r"Always-on:\s+~([\d.]+)(k?) tok", text)
    assert always_on, text
    tokens = float(always_on.group(1)) * (1000 if always_on.group(2) else 1)
    return {"inventory": inventory, "always_on": tokens}


def check_details(text: str) -> None:
    parsed = parse_details(text)
    inventory = parsed["inventory"]
    assert inventory["Skills"] == (2, sorted(SKILLS)), text
    assert inventory["Agents"][0] == 0 and inventory["MCP servers"][0] == 0
    assert inventory["Hooks"][0] == 1 and "PostToolUse" in inventory["Hooks"][1]
    assert "no model context cost" in text
    assert 0 < parsed["always_on"] < ALWAYS_ON_BUDGET, text


def test_details_of_the_plugin_dir(claude: ClaudeCode, home: Path) -> None:
    check_details(details(claude, home, "--plugin-dir", str(ROOT)))


def test_install_from_the_marketplace_in_one_step(
    claude: ClaudeCode, home: Path, plugin_copy: Path
) -> None:
    """`plugin install NAME --marketplace SOURCE`, the README's line, with this checkout as the
    source (a GitHub owner/repo is cloned to the same layout)."""
    result = claude.run(
        "plugin", "install", "relational-db-agent", "--marketplace", str(plugin_copy), home=home
    )
    assert result.returncode == 0, result.stdout + result.stderr
    listed = claude.run("plugin", "list", home=home)
    assert "relational-db-agent@relational-db-agent" in listed.stdout, listed.stdout
    text = details(claude, home)
    assert "Source: relational-db-agent@relational-db-agent" in text
    check_details(text)


def test_a_longer_skill_description_would_break_the_budget(
    claude: ClaudeCode, home: Path, plugin_copy: Path
) -> None:
    """The budget is a real limit: the expertise skill's description as it was (437 chars) put
    the plugin at ~310 tokens always on."""
    skill_md = plugin_copy / ".claude" / "skills" / "building-with-sqlmodel-async" / "SKILL.md"
    text = skill_md.read_text()
    description = re.search(r"(?m)^description: (.*)$", text)
    assert description
    longer = description.group(1) + " " + "Covers every async SQLModel pattern in depth." * 4
    skill_md.write_text(text.replace(description.group(1), longer, 1))
    parsed = parse_details(details(claude, home, "--plugin-dir", str(plugin_copy)))
    assert parsed["always_on"] >= ALWAYS_ON_BUDGET
