"""HTML pages: ``rda verify --format html`` and the building blocks ``rda eval`` draws with.

One self-contained file each: the style is inline, the charts are inline SVG, nothing is
fetched from the network, so the page opens from a CI artefact or a mail attachment as it is.
The verify page shows the findings grouped by file with the code around each line, the SQL
statements an N+1 check counted, what each stage did, and the ERD of the target's models
(``verifier.erd``: inline SVG through Graphviz's ``dot`` when installed, else Mermaid text).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from html import escape
from pathlib import Path

from verifier.findings import Finding
from verifier.report.model import Report

CONTEXT_LINES = 3  # lines of code shown above and below a finding's line
BAR_WIDTH = 360

STYLE = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem;color:#1d2330;
background:#fafbfc;line-height:1.45}
h1{font-size:1.5rem;margin-bottom:.2rem}h2{font-size:1.15rem;margin-top:2rem;
border-bottom:1px solid #d8dde6;padding-bottom:.2rem}h3{font-size:1rem;margin:1.2rem 0 .4rem}
.meta{color:#5b6475;font-size:.9rem}
table{border-collapse:collapse;margin:.5rem 0;font-size:.9rem;background:#fff}
th,td{border:1px solid #d8dde6;padding:.3rem .6rem;text-align:left;vertical-align:top}
th{background:#eef1f6}
.passed{color:#1a7f37;font-weight:600}.failed{color:#cf222e;font-weight:600}
.skipped,.notrun{color:#7d8594}
.finding{background:#fff;border:1px solid #d8dde6;border-left:4px solid #cf222e;
margin:.6rem 0;padding:.5rem .8rem;border-radius:4px}
.finding.warning{border-left-color:#bf8700}.finding.info{border-left-color:#0969da}
.code{font-weight:700;font-family:ui-monospace,Menlo,Consolas,monospace}
.fix{color:#1a7f37}.ref{color:#5b6475;font-size:.85rem}
pre{background:#f3f5f8;padding:.5rem;overflow-x:auto;font-size:.82rem;margin:.4rem 0}
pre .hit{background:#ffebe9;display:block}
.lineno{color:#9aa3b2;user-select:none}
svg text{font-family:system-ui,sans-serif;font-size:12px;fill:#1d2330}
details summary{cursor:pointer}
.with_skill{fill:#2f6fde}.without_skill{fill:#e0a10b}.other{fill:#8a63d2}
.legend span{display:inline-block;width:.8rem;height:.8rem;margin:0 .3rem 0 1rem;
vertical-align:middle}
"""


def page(title: str, body: str) -> str:
    """A whole HTML document around ``body``."""
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{escape(title)}</title><style>{STYLE}</style></head>"
        f"<body>\n{body}\n</body></html>\n"
    )


def table(headers: Sequence[str], rows: Sequence[Sequence[str]], raw: bool = False) -> str:
    """A table; cells are escaped unless ``raw`` (then they are HTML already)."""

    def cell(value: str) -> str:
        return value if raw else escape(value)

    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{cell(v)}</td>" for v in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def status(value: str) -> str:
    return f'<span class="{escape(value.replace(" ", ""))}">{escape(value)}</span>'


def bar_chart(
    rows: Sequence[tuple[str, float, float, str, str]], maximum: float, title: str
) -> str:
    """Horizontal bars as inline SVG: each row is (label, value, spread, css class, text).

    ``spread`` draws a whisker of ± that much around the bar's end (0: none); ``text`` is
    printed after the bar, so the figures are in the page, not only in the picture.
    """
    label_width, row_height = 330, 22
    height = row_height * len(rows) + 10
    width = label_width + BAR_WIDTH + 170
    scale = BAR_WIDTH / maximum if maximum > 0 else 0.0
    parts = [
        f'<svg role="img" aria-label="{escape(title)}" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg">'
    ]
    for index, (label, value, spread, css, text) in enumerate(rows):
        y = 5 + index * row_height
        length = max(value * scale, 0.0)
        parts.append(
            f'<text x="{label_width - 8}" y="{y + 15}" text-anchor="end">{escape(label)}</text>'
            f'<rect class="{escape(css)}" x="{label_width}" y="{y + 3}" width="{length:.1f}" '
            f'height="{row_height - 7}" rx="2"/>'
        )
        if spread > 0:
            low = label_width + max(value - spread, 0.0) * scale
            high = label_width + min(value + spread, maximum) * scale
            mid = y + row_height / 2
            parts.append(
                f'<line x1="{low:.1f}" y1="{mid:.1f}" x2="{high:.1f}" y2="{mid:.1f}" '
                'stroke="#1d2330" stroke-width="1.5"/>'
                f'<line x1="{low:.1f}" y1="{mid - 5:.1f}" x2="{low:.1f}" y2="{mid + 5:.1f}" '
                'stroke="#1d2330"/>'
                f'<line x1="{high:.1f}" y1="{mid - 5:.1f}" x2="{high:.1f}" y2="{mid + 5:.1f}" '
                'stroke="#1d2330"/>'
            )
        parts.append(f'<text x="{label_width + BAR_WIDTH + 8}" y="{y + 15}">{escape(text)}</text>')
    parts.append("</svg>")
    return "".join(parts)


# -- rda verify --format html ----------------------------------------------------------------


def render_html(report: Report) -> str:
    root = Path(report.target)
    errors = len(report.errors)
    body = [
        f"<h1>rda verify: {escape(report.target)}</h1>",
        f'<p class="meta">exit code {report.exit_code} · {errors} error-level finding(s) of '
        f"{len(report.findings)} · {report.seconds:.2f} s</p>",
        "<h2>Stages</h2>",
        table(
            ("stage", "status", "seconds", "note"),
            [
                (escape(s.name), status(s.status), f"{s.seconds:.2f}", escape(s.note or ""))
                for s in report.stages
            ],
            raw=True,
        ),
    ]
    body.append(f"<h2>Findings by file ({len(report.findings)})</h2>")
    if not report.findings:
        body.append("<p>No findings.</p>")
    grouped: dict[str, list[Finding]] = defaultdict(list)
    for found in sorted(report.findings, key=Finding.sort_key):
        grouped[found.file or "(the target as a whole)"].append(found)
    for file, findings in grouped.items():
        body.append(f"<h3>{escape(file)} ({len(findings)})</h3>")
        lines = _source_lines(root, findings[0].file)
        body += [_finding_html(found, lines) for found in findings]
    body.append(erd_section(root))
    if report.assumptions:
        body.append("<h2>Assumptions</h2><ul>")
        body += [f"<li>{escape(a)}</li>" for a in report.assumptions]
        body.append("</ul>")
    sandbox = [(k, v) for k, v in report.sandbox.items()]
    versions = [(k, v) for k, v in report.tool_versions.items()]
    if sandbox:
        body.append("<h2>Sandbox</h2>" + table(("what", "how"), sandbox))
    if versions:
        body.append("<h2>Tool versions</h2>" + table(("tool", "version"), versions))
    return page(f"rda verify {report.target}", "\n".join(body))


def erd_section(root: Path) -> str:
    """The ERD of the target's models (``verifier.erd``), as inline SVG when Graphviz is
    installed, else as Mermaid text; a note saying why when the models cannot be read."""
    if not root.is_dir():
        return ""
    from verifier.erd import erd_from_schema_event, to_dot, to_mermaid
    from verifier.erd.target import schema_of_target
    from verifier.errors import RdaError

    try:
        erd = erd_from_schema_event(schema_of_target(root, timeout=30.0))
    except RdaError as exc:
        return f'<h2>Schema</h2><p class="meta">ERD not drawn: {escape(exc.message)}</p>'
    svg = _dot_svg(to_dot(erd))
    if svg is not None:
        return f'<h2>Schema</h2><div class="erd">{svg}</div>'
    return (
        '<h2>Schema</h2><p class="meta">Mermaid ER diagram (install Graphviz to see it drawn)'
        f"</p><pre>{escape(to_mermaid(erd))}</pre>"
    )


def _dot_svg(source: str) -> str | None:
    import shutil
    import subprocess

    binary = shutil.which("dot")
    if binary is None:
        return None
    try:
        done = subprocess.run(
            [binary, "-Tsvg"], input=source.encode(), capture_output=True, timeout=30, check=True
        )
    except (OSError, subprocess.SubprocessError):
        return None
    svg = done.stdout.decode("utf-8", "replace")
    start = svg.find("<svg")
    return svg[start:] if start >= 0 else None


def _source_lines(root: Path, file: str | None) -> list[str] | None:
    if not file:
        return None
    for path in (root / file, Path(file)):  # relative to the target, else as given
        try:
            return path.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            continue
    return None


def _finding_html(found: Finding, lines: list[str] | None) -> str:
    where = f"line {found.line}" if found.line else "no line"
    parts = [
        f'<div class="finding {escape(str(found.severity))}" id="{escape(found.code)}-'
        f'{found.line or 0}">',
        f'<div><span class="code">{escape(found.code)}</span> {escape(str(found.severity))} · '
        f"{escape(found.stage)} · {where}</div>",
        f"<div>{escape(found.message)}</div>",
    ]
    if lines is not None and found.line:
        parts.append(_excerpt(lines, found.line))
    if found.fix:
        parts.append(f'<div class="fix">fix: {escape(found.fix)}</div>')
    if found.skill_ref:
        parts.append(f'<div class="ref">skill: {escape(found.skill_ref)}</div>')
    statements = found.details.get("statements")
    if isinstance(statements, list) and statements:
        listing = "\n".join(
            f"{i}. {' '.join(str(sql).split())}" for i, sql in enumerate(statements, 1)
        )
        parts.append(
            f"<details open><summary>{len(statements)} SQL statements the check counted"
            f"</summary><pre>{escape(listing)}</pre></details>"
        )
    for key in ("stderr", "longrepr"):
        value = found.details.get(key)
        if isinstance(value, str) and value.strip():
            parts.append(f"<details><summary>{key}</summary><pre>{escape(value)}</pre></details>")
    parts.append("</div>")
    return "".join(parts)


def _excerpt(lines: list[str], line: int) -> str:
    start = max(line - CONTEXT_LINES, 1)
    end = min(line + CONTEXT_LINES, len(lines))
    if start > len(lines):
        return ""
    rows = []
    for number in range(start, end + 1):
        text = f'<span class="lineno">{number:>4} </span>{escape(lines[number - 1])}'
        rows.append(f'<span class="hit">{text}</span>' if number == line else text + "\n")
    return "<pre>" + "".join(rows) + "</pre>"
