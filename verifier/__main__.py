"""``python -m verifier`` is ``rda``."""

import sys

from verifier.cli import main

sys.exit(main())
