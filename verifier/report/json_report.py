"""JSON report: ``Report.to_dict()`` (versioned schema, timings, tool versions), indented."""

from __future__ import annotations

import json

from verifier.report.model import Report


def render_json(report: Report) -> str:
    return json.dumps(report.to_dict(), indent=2, ensure_ascii=False) + "\n"
