"""SVG and PNG through Graphviz's ``dot`` program, when it is installed.

``dot`` is a system package (Debian/Ubuntu ``apt-get install graphviz``, macOS ``brew install
graphviz``); without it, ``render_image`` raises a ``UsageError`` that says so, and the text
formats still work.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from verifier.errors import UsageError

INSTALL_HINT = (
    "install Graphviz (Debian/Ubuntu: apt-get install graphviz; macOS: brew install graphviz), "
    "or draw the Mermaid or DOT text with --format"
)


def dot_binary() -> str:
    found = shutil.which("dot")
    if found is None:
        raise UsageError(
            "--svg/--png need Graphviz's 'dot' program, which is not installed", INSTALL_HINT
        )
    return found


def render_image(dot_source: str, output: Path, image_format: str) -> None:
    """Write ``dot_source`` drawn as ``image_format`` (``svg`` or ``png``) to ``output``."""
    binary = dot_binary()
    try:
        result = subprocess.run(
            [binary, f"-T{image_format}", "-o", str(output)],
            input=dot_source.encode("utf-8"),
            capture_output=True,
            check=False,
            timeout=60,
        )
    except OSError as exc:
        raise UsageError(f"could not run {binary}: {exc}", INSTALL_HINT) from None
    if result.returncode != 0:
        message = result.stderr.decode("utf-8", "replace").strip().splitlines()
        raise UsageError(
            f"dot could not write {output}: {message[-1] if message else result.returncode}"
        )
