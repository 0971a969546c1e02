"""``rda rules`` lists the RDA rule catalogue; ``rda rule CODE`` prints one rule's documentation.

Codes that are not RDA codes (``rda rule DTZ005``) are handed to ``ruff rule``, whose rules
``rda lint`` also reports.
"""

from __future__ import annotations

import argparse
import sys


def register(subparsers: argparse._SubParsersAction) -> None:
    listing = subparsers.add_parser(
        "rules",
        help="list the RDA rules",
        description="List the RDA rules: code, name, severity, whether --fix fixes it, summary.",
    )
    listing.add_argument("--format", choices=("text", "json"), default="text")
    listing.set_defaults(handler=run)
    one = subparsers.add_parser(
        "rule",
        help="explain one rule (RDA code, or a ruff code such as DTZ005)",
        description="Print a rule's documentation: what it does, why it is bad, examples.",
    )
    one.add_argument("code", help="rule code, e.g. RDA104")
    one.add_argument("--format", choices=("text", "json"), default="text")
    one.set_defaults(handler=run_rule)


def run(args: argparse.Namespace) -> int:
    from verifier.rules import all_rules

    rules = all_rules()
    if args.format == "json":
        import json

        print(json.dumps([r.to_dict() for r in rules.values()], indent=2))
        return 0
    width = max(len(r.name) for r in rules.values())
    for rule in rules.values():
        fix = "fix" if rule.fixable else "   "
        print(f"{rule.code}  {rule.name:<{width}}  {rule.severity!s:<7}  {fix}  {rule.summary}")
    from verifier.stages.codes import CODES

    print(f"\nDynamic checks of rda verify ({len(CODES)}):")
    name_width = max(len(c.name) for c in CODES.values())
    for entry in CODES.values():
        print(f"{entry.code}  {entry.name:<{name_width}}  {entry.summary}")
    print(f"\n{len(rules)} rules, {len(CODES)} dynamic checks. 'rda rule CODE' explains one.")
    return 0


def run_rule(args: argparse.Namespace) -> int:
    from verifier.errors import UsageError
    from verifier.rules import get_rule

    code = args.code.strip().upper()
    rule = get_rule(code)
    if rule is not None:
        if args.format == "json":
            import json

            data = rule.to_dict() | {"doc": rule.render_doc()}
            print(json.dumps(data, indent=2))
        else:
            sys.stdout.write(rule.render_doc())
        return 0
    from verifier.stages.codes import CODES

    runtime = CODES.get(code)
    if runtime is not None:
        if args.format == "json":
            import json

            print(json.dumps(runtime.to_dict() | {"doc": runtime.render_doc()}, indent=2))
        else:
            sys.stdout.write(runtime.render_doc())
        return 0
    if code.startswith("RDA"):
        raise UsageError(f"unknown rule {code}", hint="run 'rda rules' to list the codes")
    import subprocess

    from verifier.lint.ruff_runner import ruff_binary

    cmd = [ruff_binary(), "rule", code]
    if args.format == "json":
        cmd += ["--output-format", "json"]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise UsageError(
            f"unknown rule {code}", hint="RDA codes: 'rda rules'; ruff codes: 'ruff rule --all'"
        )
    sys.stdout.write(proc.stdout)
    return 0
