"""Glue between ``rda verify``'s arguments and the pipeline: targets, provider, sandbox, output.

Everything that can be refused is refused before any work (an output file that cannot be
written, a bad option), and an interrupt (Ctrl-C, SIGTERM) kills the sandbox at once, so every
child dies with it, then drops the run's databases and roles before ``rda`` exits 130.
"""

from __future__ import annotations

import argparse
import json
import signal
from typing import TYPE_CHECKING, TextIO

from verifier.errors import UsageError
from verifier.report.model import Report
from verifier.report.output import check_output, exit_code, write_output
from verifier.sandbox.runner import Limits

if TYPE_CHECKING:
    from verifier.verify.pipeline import Options, Progress, ProviderGate
    from verifier.verify.target import Target

CLEANUP_SECONDS = 1.5  # after an interrupt: what the lanes may take to drop their databases


def verify(args: argparse.Namespace, stages: tuple[str, ...], out: TextIO, err: TextIO) -> int:
    from verifier.verify.pipeline import Options, ProviderGate, sandbox_for

    if args.jobs < 1:
        raise UsageError("--jobs must be at least 1")
    if args.timeout <= 0 or args.check_timeout <= 0 or args.import_timeout <= 0:
        raise UsageError("--timeout, --check-timeout and --import-timeout must be positive")
    check_output(args.output)
    targets: list[Target] = []
    options = Options(
        split_migrations=args.jobs == 1,
        stages=stages,
        limits=Limits(
            timeout=args.timeout,
            memory_mb=args.memory,
            check_timeout=min(args.check_timeout, args.timeout),
            import_timeout=min(args.import_timeout, args.timeout),
        ),
    )
    progress = None
    if not args.quiet:

        def progress(target: str, stage: str, status: str) -> None:
            label = target if len(targets) > 1 else ""
            print(f"rda: {label + ' ' if label else ''}{stage}: {status}", file=err, flush=True)

    provider = None
    gate = None
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        if any(s != "static" for s in stages):
            from verifier.db import get_provider

            provider = get_provider(args.db)
            gate = ProviderGate(provider)
            # The sandbox's fork server takes most of a second to import what the children
            # need, and every child waits for it: it starts first and warms up while the
            # targets are read and the provider starts.
            if provider.sandbox_access_known():
                options.sandbox = sandbox_for(gate).start()
        from verifier.verify.target import load_target

        targets.extend(load_target(path, args.contract) for path in args.targets)
        if provider is not None:
            provider.start()
            if options.sandbox is None or options.sandbox.access != provider.sandbox_access():
                if options.sandbox is not None:
                    options.sandbox.close()  # the server moved its socket meanwhile
                options.sandbox = sandbox_for(gate).start()
        reports = _run_all(targets, gate, options, progress, args.jobs)
    except BaseException:
        if options.sandbox is not None:
            options.sandbox.close()  # every child dies with it, at once
        if provider is not None:
            close_quietly(provider)  # the first error is the one worth reading
        raise
    finally:
        signal.signal(signal.SIGTERM, previous)
    if options.sandbox is not None:
        options.sandbox.close()
    if provider is not None:
        provider.close()
    text = render_all(reports, args.format)
    if args.output:
        write_output(args.output, text)
    else:
        out.write(text if text.endswith("\n") else text + "\n")
    return exit_code((f for r in reports for f in r.findings), args.fail_on)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _run_all(
    targets: list[Target],
    gate: ProviderGate | None,
    options: Options,
    progress: Progress | None,
    jobs: int,
) -> list[Report]:
    """Verify every target, ``jobs`` at a time; on an interrupt, stop the lanes quickly."""
    from concurrent.futures import ThreadPoolExecutor, wait

    from verifier.verify.pipeline import verify_target

    pool = ThreadPoolExecutor(max_workers=jobs)
    futures = [pool.submit(verify_target, t, gate, options, progress) for t in targets]
    try:
        return [future.result() for future in futures]
    except BaseException:
        for future in futures:
            future.cancel()
        if options.sandbox is not None:
            options.sandbox.close()  # the lanes see their children die and drop their databases
        wait(futures, timeout=CLEANUP_SECONDS)
        raise
    finally:
        pool.shutdown(wait=False, cancel_futures=True)


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
        from verifier.report.paths import from_cwd

        return json.dumps({"reports": [from_cwd(r).to_dict() for r in reports]}, indent=2)
    if fmt == "text":  # each report under its target: their relative paths would read alike
        return "\n".join(f"== {r.target} ==\n{render(r, fmt)}" for r in reports)
    return render(merge(reports), fmt)


def merge(reports: list[Report]) -> Report:
    """One report for formats that hold one run (SARIF, JUnit, annotations)."""
    from verifier.report.paths import from_cwd

    merged = Report(tool="verify", target=", ".join(r.target for r in reports))
    for r in reports:
        merged.findings += from_cwd(r).findings  # paths from the cwd tell the targets apart
        merged.stages += r.stages
        merged.tool_versions = r.tool_versions
        merged.seconds += r.seconds
    return merged
