"""The plugin's icon: what the plugin directory asks for, and what tools/draw_icon.py draws.

The directory wants a square PNG or JPEG of 512 to 2048 px a side, under 2 MB (Claude Code's
ICON_MISSING fix text); `claude plugin validate` 2.1.328 checks only that the file is an image
(test_claude_code.py), so the size is checked here, from the PNG itself.
"""

from __future__ import annotations

import struct
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

from .helpers import ROOT, load_tool

ICON = ROOT / ".claude-plugin" / "icon.png"
DRAW = ROOT / "tools" / "draw_icon.py"


def chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    """The PNG's chunks, each CRC checked."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    out, at = [], 8
    while at < len(data):
        (length,) = struct.unpack(">I", data[at : at + 4])
        kind, body = data[at + 4 : at + 8], data[at + 8 : at + 8 + length]
        (crc,) = struct.unpack(">I", data[at + 8 + length : at + 12 + length])
        assert zlib.crc32(kind + body) == crc, f"{kind!r} CRC"
        out.append((kind, body))
        at += 12 + length
    return out


def test_icon_is_a_square_png_the_directory_accepts() -> None:
    data = ICON.read_bytes()
    found = chunks(data)
    assert [kind for kind, _ in found] == [b"IHDR", b"IDAT", b"IEND"]
    width, height, depth, colour = struct.unpack(">IIBB", found[0][1][:10])
    assert width == height and 512 <= width <= 2048
    assert (depth, colour) == (8, 6)  # 8-bit RGBA
    assert len(data) < 2 * 1024 * 1024
    rows = zlib.decompress(found[1][1])
    stride = 1 + 4 * width
    assert len(rows) == stride * height
    assert all(rows[i * stride] == 0 for i in range(height))  # filter byte of each row
    centre = (height // 2) * stride + 1 + 4 * (width // 2)
    assert rows[1 + 3] == 0 and rows[centre + 3] == 255  # corner transparent, centre opaque


def test_committed_icon_is_what_the_script_draws() -> None:
    result = subprocess.run(
        [sys.executable, str(DRAW), "--check"], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert "up to date" in result.stdout


def test_check_fails_on_an_icon_that_differs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    draw_icon = load_tool("draw_icon")
    committed = ICON.read_bytes()
    monkeypatch.setattr(draw_icon, "draw", lambda size: committed)  # as drawn: see the test above
    other = tmp_path / "icon.png"
    other.write_bytes(committed[:-1])
    assert draw_icon.main(["--check", "--output", str(other)]) == 1
    assert "not what tools/draw_icon.py draws" in capsys.readouterr().err
    assert draw_icon.main(["--output", str(other)]) == 0
    assert other.read_bytes() == committed
    assert draw_icon.main(["--check", "--output", str(other)]) == 0


@pytest.mark.parametrize("size", [511, 2049])
def test_sizes_outside_the_directory_range_are_refused(size: int) -> None:
    with pytest.raises(ValueError, match="512 to 2048"):
        load_tool("draw_icon").draw(size)
