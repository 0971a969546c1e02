"""``rda lint --claude-hook``: lint the file Claude Code just wrote or edited.

Claude Code runs PostToolUse hooks with a JSON object on stdin (``tool_name``, ``tool_input``
with ``file_path``, ``cwd``, ``hook_event_name``...). Its contract, checked against the hooks
reference: exit 0 is silent success; exit 2 feeds stderr back to Claude, which then fixes the
file; any other exit status is a non-blocking error shown to the user only. So:

- not a Python/Alembic file, no ``file_path``, a file that no longer exists, or a clean file:
  exit 0, print nothing;
- findings (errors or warnings): exit 2 with them on stderr, worded for the agent;
- input that is not a hook's JSON object (someone ran it by hand): exit 2 with one line, the
  usage error of every other rda command;
- anything going wrong inside rda itself: exit 1 with one line on stderr, so a verifier bug
  never blocks the agent.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TextIO

from verifier.findings import Severity

BLOCK = 2
USAGE = 2
INTERNAL_ERROR = 1


class HookInputError(ValueError):
    """stdin does not hold a hook event (a JSON object)."""


def _target(payload: object) -> Path | None:
    if not isinstance(payload, dict):
        raise HookInputError("the input is JSON but not an object")
    tool_input = payload.get("tool_input") or {}
    if not isinstance(tool_input, dict):
        return None
    raw = tool_input.get("file_path") or tool_input.get("path")
    if not isinstance(raw, str) or not raw.strip():
        return None
    path = Path(raw)
    if not path.is_absolute():
        cwd = payload.get("cwd")
        path = Path(cwd) / path if isinstance(cwd, str) and cwd else path
    return path


def run_hook(stdin: TextIO, stderr: TextIO) -> int:
    """The hook's whole behaviour; returns the exit status."""
    try:
        raw = stdin.read()
        try:
            payload = json.loads(raw) if raw.strip() else {}
        except json.JSONDecodeError as exc:
            raise HookInputError(f"the input is not JSON ({exc.msg})") from exc
        path = _target(payload)
        if path is None:
            return 0
        from verifier.lint.discovery import lintable

        if not lintable(path.name) or not path.is_file():
            return 0
        from verifier.lint.runner import lint_paths
        from verifier.report.text import render_text

        report = lint_paths([path])
        report.findings = [f for f in report.findings if f.severity is not Severity.INFO]
        if not report.findings:
            return 0
        count = len(report.findings)
        stderr.write(
            f"rda lint found {count} problem{'s' if count != 1 else ''} in {path.name}; "
            "fix them (each line says how) before moving on:\n\n"
        )
        stderr.write(render_text(report, summary=False))
        if any(f.details.get("fixable") for f in report.findings):
            stderr.write("\n[*] `rda lint --fix FILE` applies the fix for you.")
        stderr.write("\nSuppress a deliberate exception with `# noqa: CODE` on its line.\n")
        return BLOCK
    except HookInputError as exc:
        stderr.write(
            f"rda lint --claude-hook: {exc}: it reads the event a Claude Code hook passes on "
            "stdin; to lint files yourself, run rda lint PATH\n"
        )
        return USAGE
    except Exception as exc:  # never block the agent on our own failure
        message = " ".join(str(exc).split()) or type(exc).__name__
        stderr.write(f"rda lint --claude-hook: internal error: {message}\n")
        return INTERNAL_ERROR
