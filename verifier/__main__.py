"""``python -m verifier`` is ``rda``."""

from verifier.cli import entry

entry()
