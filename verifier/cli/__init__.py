"""The ``rda`` command: a thin layer that parses arguments and hands off to the packages.

Each subcommand lives in its own module under ``verifier.cli`` with two functions:
``register(subparsers)`` adds its parser (cheap: no heavy imports) and ``run(args) -> int``
does the work, importing what it needs only then. ``rda lint`` must start fast, so nothing
here imports sqlalchemy, sqlmodel or alembic.

A command line that starts with a subcommand's module name (``rda erd ...``) builds only that
module's parser: the other modules' imports (the report machinery, JSON, dataclasses) would
cost every command for nothing, and argparse parses ``erd ...`` the same way whether or not the
other subparsers exist. Anything else (``rda --help``, ``rda rule X``, a typo) gets them all.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import os
import sys
from collections.abc import Sequence
from functools import cache

from verifier import __version__
from verifier.errors import RdaError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, NoReturn

# Subcommand modules, in the order ``rda --help`` lists them.
SUBCOMMANDS = ("verify", "lint", "rules", "db", "skill", "eval", "reflect", "render", "erd")


def terminal_columns() -> int:
    """``shutil.get_terminal_size().columns`` (``COLUMNS``, else the terminal of stdout, else
    80), without importing ``shutil``: argparse's formatters ask for it on every
    ``add_argument``, and ``shutil`` brings ``bz2``, ``lzma`` and ``zlib`` with it (~4 ms of a
    one-file ``rda lint``)."""
    try:
        columns = int(os.environ.get("COLUMNS", ""))
    except ValueError:
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns or 80


@cache
def _sized(formatter: type[argparse.HelpFormatter]) -> type[argparse.HelpFormatter]:
    """``formatter`` with argparse's default width, measured by ``terminal_columns``."""

    class Sized(formatter):  # type: ignore[valid-type,misc]
        def __init__(self, prog: str, *args: Any, width: int | None = None, **kwargs: Any) -> None:
            width = terminal_columns() - 2 if width is None else width
            super().__init__(prog, *args, width=width, **kwargs)

    Sized.__name__ = Sized.__qualname__ = formatter.__name__
    return Sized


class Parser(argparse.ArgumentParser):
    """The parser of ``rda`` and of each of its commands (``add_subparsers`` makes them of the
    same class): argparse's, with a formatter that sizes itself without ``shutil``."""

    def __init__(
        self,
        *args: Any,
        formatter_class: type[argparse.HelpFormatter] = argparse.HelpFormatter,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, formatter_class=_sized(formatter_class), **kwargs)


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The ``rda`` parser; with ``only`` (a name in ``SUBCOMMANDS``), that module's commands."""
    parser = Parser(
        prog="rda",
        description=(
            "relational-db-agent: lint and verify async SQLModel / SQLAlchemy database layers "
            "against a real PostgreSQL."
        ),
        epilog=(
            "Exit codes: 0 clean, 1 findings, 2 usage, infrastructure or internal error, "
            "3 'rda db status': not running, 130 interrupted. "
            "Run 'rda COMMAND --help' for a command's options."
        ),
    )
    parser.add_argument("--version", action="version", version=f"rda {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in (only,) if only else SUBCOMMANDS:
        module = importlib.import_module(f"verifier.cli.{name}")
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    first = arguments[0] if arguments else None
    parser = build_parser(first if first in SUBCOMMANDS else None)
    args = parser.parse_args(arguments)
    if not getattr(args, "handler", None):
        build_parser().print_help()  # the help that lists every command
        return 2
    try:
        return int(args.handler(args))
    except RdaError as exc:
        print(exc.render(), file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("rda: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the reader went away (rda ... | head): nothing left to say
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except Exception as exc:  # a bug of ours: one line and exit 2, never a traceback
        import traceback

        from verifier.errors import InternalError
        from verifier.stages.blame import own_frame

        where = own_frame(exc)
        message = f"{type(exc).__name__}: {exc}" + (f" ({where})" if where else "")
        print(InternalError(message, traceback.format_exc()).render(), file=sys.stderr)
        return 2


def entry() -> NoReturn:
    """The ``rda`` console script and ``python -m verifier``: ``main()``, then exit.

    Before the interpreter shuts down, every object the run made is frozen out of the garbage
    collector: shutdown's last collection would otherwise walk them all only to free memory the
    process returns anyway (30 ms of a 0.19 s ``rda lint`` of one file, measured). Exit handlers
    and finalizers still run; only garbage in reference cycles is left to the operating system.
    ``main()`` itself does not freeze, as tests call it in their own process.
    """
    code = main()
    gc.freeze()
    sys.exit(code)


if __name__ == "__main__":  # pragma: no cover
    entry()
