"""Database URLs as they appear in code: string literals and where a URL comes from."""

from __future__ import annotations

import ast
import re

TYPE_CHECKING = False
if TYPE_CHECKING:
    from verifier.rules.analysis.context import FileContext

DB_SCHEMES = (
    "postgresql",
    "postgres",
    "mysql",
    "mariadb",
    "mssql",
    "oracle",
    "cockroachdb",
    "sqlite",
)
URL = (
    r"(?i)^(?P<scheme>(?:" + "|".join(DB_SCHEMES) + r")(?:\+\w+)?)://"
    r"(?:(?P<user>[^:/@\s]*)(?::(?P<password>[^@\s]*))?@)?(?P<rest>\S*)$"
)
_PLACEHOLDER = r"(?i)^(\{.*\}|%\(.*\)s|%s|\$\{.*\}|\$\w+|\*+|<[^>]*>|x+|\.\.\.)$"


def parse_url(text: str) -> re.Match[str] | None:
    return re.match(URL, text.strip())


def has_real_password(match: re.Match[str]) -> bool:
    password = match.group("password")
    return bool(password) and not re.match(_PLACEHOLDER, password)


def is_docstring(ctx: FileContext, node: ast.Constant) -> bool:
    parent = ctx.parent(node)
    if not isinstance(parent, ast.Expr):
        return False
    owner = ctx.parent(parent)
    body = getattr(owner, "body", None)
    return isinstance(body, list) and bool(body) and body[0] is parent


def env_read(ctx: FileContext, node: ast.AST) -> bool:
    """``os.environ["X"]``, ``os.environ.get("X")``, ``os.getenv("X")``."""
    if isinstance(node, ast.Subscript):
        return ctx.text(node.value) in ("os.environ", "environ")
    if isinstance(node, ast.Call):
        name = ctx.text(node.func)
        return name in ("os.getenv", "getenv", "os.environ.get", "environ.get")
    return False
