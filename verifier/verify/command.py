"""Glue between ``rda verify``'s arguments and the pipeline: targets, provider, jobs, output."""

from __future__ import annotations

import argparse
import json
from concurrent.futures import ThreadPoolExecutor
from typing import TextIO

from verifier.errors import UsageError
from verifier.report.model import Report
from verifier.sandbox.runner import Limits


def verify(args: argparse.Namespace, stages: tuple[str, ...], out: TextIO, err: TextIO) -> int:
    from verifier.verify.pipeline import Options, ProviderGate, verify_target
    from verifier.verify.target import load_target

    if args.jobs < 1:
        raise UsageError("--jobs must be at least 1")
    if args.timeout <= 0 or args.check_timeout <= 0:
        raise UsageError("--timeout and --check-timeout must be positive")
    targets = [load_target(path, args.contract) for path in args.targets]
    options = Options(
        split_migrations=args.jobs == 1,
        stages=stages,
        limits=Limits(
            timeout=args.timeout,
            memory_mb=args.memory,
            check_timeout=min(args.check_timeout, args.timeout),
        ),
    )
    progress = None
    if not args.quiet:

        def progress(target: str, stage: str, status: str) -> None:
            label = target if len(targets) > 1 else ""
            print(f"rda: {label + ' ' if label else ''}{stage}: {status}", file=err, flush=True)

    provider = None
    if any(s != "static" for s in stages):
        from verifier.db import get_provider

        provider = get_provider(args.db)
        provider.start()
    gate = ProviderGate(provider) if provider is not None else None
    try:
        with ThreadPoolExecutor(max_workers=args.jobs) as pool:
            reports = list(
                pool.map(
                    lambda t: verify_target(t, gate, options, progress),  # type: ignore[arg-type]
                    targets,
                )
            )
    except BaseException:
        if provider is not None:
            close_quietly(provider)  # the first error is the one worth reading
        raise
    if provider is not None:
        provider.close()
    text = render_all(reports, args.format)
    if args.output:
        args.output.write_text(text, encoding="utf-8")
    else:
        out.write(text if text.endswith("\n") else text + "\n")
    return max(r.exit_code for r in reports)


def close_quietly(provider: object) -> None:
    try:
        provider.close()  # type: ignore[attr-defined]
    except Exception:
        pass


def render_all(reports: list[Report], fmt: str) -> str:
    from verifier.report.render import render

    if len(reports) == 1:
        return render(reports[0], fmt)
    if fmt == "json":
        return json.dumps({"reports": [r.to_dict() for r in reports]}, indent=2)
    if fmt == "text":
        return "\n".join(render(r, fmt) for r in reports)
    return render(merge(reports), fmt)


def merge(reports: list[Report]) -> Report:
    """One report for formats that hold one run (SARIF, JUnit, annotations)."""
    from dataclasses import replace
    from pathlib import Path

    merged = Report(tool="verify", target=", ".join(r.target for r in reports))
    for r in reports:
        base = Path(r.target).name
        merged.findings += [
            replace(f, file=f"{base}/{f.file}" if f.file else base) for f in r.findings
        ]
        merged.stages += r.stages
        merged.tool_versions = r.tool_versions
        merged.seconds += r.seconds
    return merged
