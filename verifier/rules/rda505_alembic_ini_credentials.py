"""A database URL with a password in `alembic.ini`.

## What it does
Finds a `sqlalchemy.url` line in `alembic.ini` whose URL carries a password
(`postgresql://user:password@host/db`), unless the password is an interpolation (`%(...)s`,
`${...}`). The placeholder `alembic init` writes, `driver://user:pass@localhost/dbname`, names
no database anyone can connect to and is left alone (most projects keep it and set the real URL
in `env.py`).

## Why is this bad?
`alembic.ini` is committed with the project: the password ends up in the repository history,
in every clone and CI log, and the same file points every environment at one database. Set the
URL at run time in `env.py` from the environment (`config.set_main_option("sqlalchemy.url",
...)`) and leave the ini without credentials.

## Example
```ini
# file: alembic.ini
[alembic]
script_location = alembic
sqlalchemy.url = postgresql+asyncpg://app:s3cret@db.internal/app
```

## Use instead
```ini
# file: alembic.ini
[alembic]
script_location = alembic
# sqlalchemy.url is set in env.py from the DATABASE_URL environment variable
```
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from verifier import skill_refs
from verifier.rules.analysis.context import FileContext
from verifier.rules.base import Rule, Violation

_URL_LINE = r"^\s*sqlalchemy\.url\s*=\s*(?P<url>\S+)"
_PASSWORD = r"(?i)^(?P<scheme>[a-z][\w+.-]*)://[^:/@\s]*:(?P<password>[^@\s]+)@"
# `alembic init` writes this scheme as a placeholder; it is no dialect and holds no secret.
PLACEHOLDER_SCHEME = "driver"


class AlembicIniCredentials(Rule):
    code = "RDA505"
    name = "alembic-ini-credentials"
    skill_ref = skill_refs.ENGINE_SECURITY
    kinds = frozenset({"alembic_ini"})

    def check(self, ctx: FileContext) -> Iterator[Violation]:
        for number, line in enumerate(ctx.source.splitlines(), start=1):
            match = re.match(_URL_LINE, line)
            if not match:
                continue
            creds = re.match(_PASSWORD, match.group("url"))
            if not creds:
                continue
            password = creds.group("password")
            if password.startswith(("%(", "${", "$")):
                continue
            if creds.group("scheme").lower() == PLACEHOLDER_SCHEME:
                continue
            yield self.violation(
                ctx,
                number,
                "`sqlalchemy.url` in alembic.ini carries a password: it is committed with the "
                "project and shared by every environment.",
                fix="remove it and set the URL in env.py from the environment "
                '(`config.set_main_option("sqlalchemy.url", os.environ["DATABASE_URL"])`)',
            )
