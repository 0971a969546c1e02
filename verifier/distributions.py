"""The version of an installed distribution, read from the name of its ``.dist-info`` folder.

``importlib.metadata`` answers the same question, but importing it costs 20-40 ms (``email``,
``zipfile``, ``csv`` and more), paid before ``rda lint`` prints anything and before ``rda verify``
can start its sandbox. A wheel installs its metadata beside its packages as
``<name>-<version>.dist-info``, the name normalized (lower case, ``-`` and ``.`` as ``_``), so
a listing of the folder that holds the package says it. When no such folder is there (an egg,
a layout of another installer), ``importlib.metadata`` answers after all.
"""

from __future__ import annotations

import os
import re
from pathlib import Path


def version_beside(package_dir: Path, distribution: str) -> str | None:
    """The version of ``distribution``, whose package lives in ``package_dir``; None when it is
    not installed."""
    prefix = re.sub(r"[-_.]+", "_", distribution).lower() + "-"
    try:
        names = os.listdir(package_dir.parent)
    except OSError:
        names = []
    found = sorted(
        name[len(prefix) : -len(".dist-info")]
        for name in names
        if name.lower().startswith(prefix) and name.endswith(".dist-info")
    )
    if found:
        return found[-1]
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(distribution)
    except PackageNotFoundError:
        return None
