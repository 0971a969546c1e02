"""What ``rda render`` wrote last time, kept in the layer as ``.rda-render.json``.

The record holds the SHA-256 of every file as it was rendered, and the schema the spec
described then. A file whose bytes still match its hash is ours to replace; one that does not
(or that was never rendered) is the user's, and a render that would change it reports a
conflict instead (``--force`` overwrites). The schema lets the next render tell that the spec's
tables changed, which is when a new Alembic revision is due.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from verifier.errors import UsageError

RECORD_FILE = ".rda-render.json"
FORMAT = 1


def digest(content: str | bytes) -> str:
    data = content.encode("utf-8") if isinstance(content, str) else content
    return hashlib.sha256(data).hexdigest()


@dataclass
class Record:
    files: dict[str, str] = field(default_factory=dict)  # path -> sha256 as rendered
    schema: dict[str, list[str]] = field(default_factory=dict)  # table -> column signatures
    spec: str | None = None
    revisions: list[str] = field(default_factory=list)  # revision files rda render wrote

    def to_json(self) -> str:
        data = {
            "format": FORMAT,
            "spec": self.spec,
            "schema": self.schema,
            "files": dict(sorted(self.files.items())),
            "revisions": self.revisions,
        }
        return json.dumps(data, indent=2, sort_keys=False) + "\n"


def read_record(root: Path) -> Record | None:
    path = root / RECORD_FILE
    if not path.is_file():
        return None
    try:
        data: Any = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise UsageError(
            f"{path} is not a render record rda can read: {exc}",
            "delete it to treat every existing file as yours (then --force overwrites them)",
        ) from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise UsageError(f"{path} is not a render record of this rda version", "delete it")
    return Record(
        files={str(k): str(v) for k, v in dict(data.get("files") or {}).items()},
        schema={str(k): list(v) for k, v in dict(data.get("schema") or {}).items()},
        spec=data.get("spec"),
        revisions=[str(r) for r in data.get("revisions") or []],
    )


def write_record(root: Path, record: Record) -> None:
    (root / RECORD_FILE).write_text(record.to_json(), encoding="utf-8")
