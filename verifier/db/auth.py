"""Passwords on the embedded cluster: nobody logs in, superuser included, without one.

A cluster made with ``--auth=trust`` lets every local process log in as any role, the
superuser included, which would make the least-privilege role of each throwaway database
(``verifier.db.roles``) pointless: the code under test could simply connect as ``postgres``.
So the cluster authenticates every connection with SCRAM, and the superuser's password lives
in a file only the invoking user can read (``<cluster>/superuser.password``, mode 0600). A
cluster made by an earlier version with ``trust`` is switched over on its next start.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from verifier.errors import InfrastructureError

PASSWORD_FILE = "superuser.password"
HBA = """\
# Written by rda: every connection authenticates with a password (verifier/db/auth.py).
# TYPE  DATABASE  USER  ADDRESS       METHOD
local   all       all                 scram-sha-256
host    all       all   127.0.0.1/32  scram-sha-256
host    all       all   ::1/128       scram-sha-256
"""


def password_file(root: Path) -> Path:
    return root / PASSWORD_FILE


def read_password(root: Path) -> str:
    """The superuser's password (made on first use: a new cluster's initdb takes it)."""
    path = password_file(root)
    try:
        return path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        pass
    except OSError as exc:
        raise InfrastructureError(
            f"cannot read {path}: {exc}",
            hint="the embedded cluster belongs to another user; set RDA_DATA_DIR to your own",
        ) from None
    password = secrets.token_hex(24)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        file.write(password + "\n")
    return password


def trusts_anyone(pgdata: Path) -> bool:
    """Whether the cluster's pg_hba.conf lets someone in without a password."""
    try:
        lines = (pgdata / "pg_hba.conf").read_text(encoding="utf-8").splitlines()
    except OSError:
        return False
    for line in lines:
        words = line.split("#", 1)[0].split()
        if words and words[-1] in ("trust", "peer", "ident"):
            return True
    return False


def write_hba(pgdata: Path) -> None:
    (pgdata / "pg_hba.conf").write_text(HBA, encoding="utf-8")
