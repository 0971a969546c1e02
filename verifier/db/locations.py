"""Where the embedded cluster lives when nobody says otherwise.

``RDA_DATA_DIR`` wins (tests point it at a private directory so they never stop the shared
server). Otherwise a normal user gets their cache directory (``~/.cache/rda/postgres`` on
Linux). Root gets ``/var/cache/rda/postgres``: the server then runs as a system account that
must be able to enter every parent directory, and a home directory is not one to open up.
"""

from __future__ import annotations

import os
from pathlib import Path

from verifier.db.binaries import running_as_root

DATA_DIR_ENV = "RDA_DATA_DIR"
ROOT_DEFAULT = Path("/var/cache/rda/postgres")


def default_cluster_dir() -> Path:
    """The directory holding the embedded cluster (its data directory, socket, log and lock)."""
    configured = os.environ.get(DATA_DIR_ENV)
    if configured:
        return Path(configured).expanduser().absolute()
    if running_as_root():
        return ROOT_DEFAULT
    import platformdirs

    return platformdirs.user_cache_path("rda") / "postgres"
