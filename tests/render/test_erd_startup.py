"""What keeps ``rda erd SPEC`` fast gives what the slow way gives, and stays on the path.

``rda erd SPEC`` has a 0.5 s goal (``bench/render_speed.py``) and most of it is imports and
building pydantic validators, so the spec path takes shortcuts: one parser instead of every
subcommand's, operation settings read off the fields instead of ``model_dump``, the default
operations built without a validator. Each test here fails if a
shortcut stops giving the same result, or if the path starts paying again for what it skips.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys

import pytest

from tests.render.conftest import EXAMPLE_NAMES, EXAMPLES, ROOT
from verifier.cli import SUBCOMMANDS, build_parser, main
from verifier.render.layer import _options
from verifier.render.load import load_spec
from verifier.render.spec import DEFAULT_OPERATIONS, OPERATION_MODELS, Operations
from verifier.render.spec import default_operations as make_default_operations


def _fields_set(ops: Operations) -> dict[str, object]:
    return {
        "top": sorted(ops.model_fields_set),
        **{k: sorted(getattr(ops, k).model_fields_set) for k in ops.model_fields_set},
    }


@pytest.mark.parametrize("kinds", [tuple(DEFAULT_OPERATIONS), ("create", "list"), ()])
def test_default_operations_equal_the_validated_ones(kinds: tuple[str, ...]) -> None:
    built = make_default_operations(kinds)
    validated = Operations.model_validate({kind: {} for kind in kinds})
    assert built == validated
    assert built.model_dump() == validated.model_dump()
    assert _fields_set(built) == _fields_set(validated)


def test_operation_settings_are_what_model_dump_gives() -> None:
    seen = set()
    paths = [EXAMPLES / f"{name}.yaml" for name in EXAMPLE_NAMES]
    for path in [*paths, ROOT / "tests" / "render" / "every_type.yaml"]:
        for entity in load_spec(path).entities.values():
            for kind in OPERATION_MODELS:
                op = getattr(entity.operations, kind)
                if op is not None:
                    seen.add(kind)
                    options = _options(op)
                    assert options == op.model_dump()
                    for value in options.values():  # copies: a caller cannot edit the spec
                        if isinstance(value, list):
                            assert all(value is not v for v in vars(op).values())
    assert seen == set(OPERATION_MODELS), "the examples no longer use every operation"


def test_a_subcommand_parser_alone_parses_as_the_full_one() -> None:
    argv = ["erd", "spec.yaml", "--format", "dot", "-o", "x.dot", "--svg", "x.svg"]
    alone = vars(build_parser("erd").parse_args(argv))
    full = vars(build_parser().parse_args(argv))
    assert alone == full
    for name in SUBCOMMANDS:  # every module can be registered on its own
        build_parser(name)


def test_erd_of_a_spec_imports_only_what_it_draws() -> None:
    """A process drawing a spec: no other subcommand, no Jinja, no report machinery, no
    SQLAlchemy, and one pydantic validator built (the spec's), not one per model."""
    code = (
        "import contextlib, io, json, sys\n"
        "from verifier.cli import main\n"
        "for name in sys.argv[1:]:\n"
        "    with contextlib.redirect_stdout(io.StringIO()):\n"
        "        assert main(['erd', name]) == 0\n"
        "from verifier.render import spec\n"
        "built = sorted(n for n, m in vars(spec).items() if isinstance(m, type)\n"
        "    and issubclass(m, spec.BaseModel) and m.__pydantic_complete__)\n"
        "print(json.dumps({'modules': sorted(sys.modules), 'built': built}))\n"
    )
    specs = [str(EXAMPLES / f"{name}.yaml") for name in EXAMPLE_NAMES]
    result = subprocess.run(
        [sys.executable, "-c", code, *specs],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    modules = set(report["modules"])
    others = {f"verifier.cli.{name}" for name in SUBCOMMANDS if name != "erd"}
    assert not modules & others
    for heavy in ("jinja2", "sqlalchemy", "verifier.report", "verifier.render.files", "html"):
        assert heavy not in modules, f"rda erd SPEC imports {heavy}"
    assert report["built"] == ["Spec"]


def test_a_command_line_without_a_handler_prints_the_full_help(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import verifier.cli.erd as erd_cli

    real = erd_cli.register

    def register(subparsers: argparse._SubParsersAction) -> None:
        real(subparsers)
        subparsers.choices["erd"].set_defaults(handler=None)

    monkeypatch.setattr(erd_cli, "register", register)
    assert main(["erd", "spec.yaml"]) == 2
    out = capsys.readouterr().out
    assert all(f"    {name}" in out for name in SUBCOMMANDS), out
