"""The static path never imports sqlalchemy, sqlmodel or alembic (startup time, and safety)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_lint_does_not_import_the_database_libraries(tmp_path: Path) -> None:
    (tmp_path / "m.py").write_text("from sqlmodel import SQLModel\n", encoding="utf-8")
    code = (
        "import sys\n"
        "from verifier.cli import main\n"
        f"rc = main(['lint', {str(tmp_path / 'm.py')!r}])\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in "
        "('sqlalchemy', 'sqlmodel', 'alembic', 'asyncpg'))\n"
        "print(heavy)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "[]"
