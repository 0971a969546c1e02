"""Draw the plugin's icon: a database cylinder with a check badge, as a square PNG.

Claude Code's plugin directory wants a square PNG of 512 to 2048 px at `.claude-plugin/icon.png`
(`claude plugin validate --strict --profile directory` fails without one). The icon is drawn
here from a handful of shapes rather than kept as an opaque binary, so anyone can change it and
regenerate it: ``python tools/draw_icon.py`` rewrites the committed file, ``--check`` says
whether the committed file is what this script draws (exit 1 when it is not).

Pure Python (zlib + struct), no imaging library: each shape is a signed distance function, and
the pixel's coverage of a shape is read off its distance to the edge, which anti-aliases the
edges without supersampling. The output is byte-for-byte deterministic.
"""

from __future__ import annotations

import argparse
import itertools
import math
import struct
import sys
import zlib
from collections.abc import Callable
from pathlib import Path

DEFAULT_OUTPUT = Path(__file__).resolve().parent.parent / ".claude-plugin" / "icon.png"
DEFAULT_SIZE = 512
MIN_SIZE, MAX_SIZE = 512, 2048

Rgb = tuple[float, float, float]
Distance = Callable[[float, float], float]
Bounds = tuple[float, float, float, float]
Layer = tuple[Distance, Rgb, Bounds]

BACKGROUND: Rgb = (0.09, 0.20, 0.38)
CYLINDER_SIDE: Rgb = (0.20, 0.55, 0.85)
CYLINDER_TOP: Rgb = (0.55, 0.80, 0.98)
BAND: Rgb = (0.09, 0.30, 0.55)
BADGE: Rgb = (0.16, 0.70, 0.36)
BADGE_RIM: Rgb = (1.0, 1.0, 1.0)
CHECK: Rgb = (1.0, 1.0, 1.0)


def rounded_square(half: float, radius: float) -> Distance:
    """Distance to a square of half-width `half` centred on (0.5, 0.5) with rounded corners."""

    def distance(x: float, y: float) -> float:
        qx = abs(x - 0.5) - half + radius
        qy = abs(y - 0.5) - half + radius
        outside = math.hypot(max(qx, 0.0), max(qy, 0.0))
        return outside + min(max(qx, qy), 0.0) - radius

    return distance


def ellipse(cx: float, cy: float, rx: float, ry: float) -> Distance:
    """Approximate distance to an ellipse: the implicit function over its gradient's length."""

    def distance(x: float, y: float) -> float:
        dx, dy = (x - cx) / rx, (y - cy) / ry
        value = dx * dx + dy * dy - 1.0
        gradient = 2.0 * math.hypot(dx / rx, dy / ry)
        return value / gradient if gradient > 1e-9 else -min(rx, ry)

    return distance


def box(x0: float, y0: float, x1: float, y1: float) -> Distance:
    """Distance to an axis-aligned rectangle."""

    cx, cy, hx, hy = (x0 + x1) / 2, (y0 + y1) / 2, (x1 - x0) / 2, (y1 - y0) / 2

    def distance(x: float, y: float) -> float:
        qx, qy = abs(x - cx) - hx, abs(y - cy) - hy
        return math.hypot(max(qx, 0.0), max(qy, 0.0)) + min(max(qx, qy), 0.0)

    return distance


def circle(cx: float, cy: float, r: float) -> Distance:
    return lambda x, y: math.hypot(x - cx, y - cy) - r


def stroke(points: list[tuple[float, float]], width: float) -> Distance:
    """Distance to a polyline drawn with round caps and joins."""

    segments = list(itertools.pairwise(points))

    def distance(x: float, y: float) -> float:
        best = math.inf
        for (ax, ay), (bx, by) in segments:
            vx, vy = bx - ax, by - ay
            t = max(0.0, min(1.0, ((x - ax) * vx + (y - ay) * vy) / (vx * vx + vy * vy)))
            best = min(best, math.hypot(x - ax - t * vx, y - ay - t * vy))
        return best - width / 2

    return distance


def union(*shapes: Distance) -> Distance:
    return lambda x, y: min(shape(x, y) for shape in shapes)


def intersect(*shapes: Distance) -> Distance:
    return lambda x, y: max(shape(x, y) for shape in shapes)


def ring(shape: Distance, width: float) -> Distance:
    return lambda x, y: abs(shape(x, y)) - width / 2


def layers() -> list[Layer]:
    """The icon, back to front, in unit coordinates (0..1, y down), each shape with its bounds
    (x0, y0, x1, y1): outside them its coverage is 0, so render() does not evaluate it there."""
    cx, rx, ry = 0.46, 0.27, 0.085
    top, bottom = 0.24, 0.74
    side = box(cx - rx, top, cx + rx, bottom)
    body = union(ellipse(cx, top, rx, ry), side, ellipse(cx, bottom, rx, ry))
    bands = [
        intersect(
            ring(ellipse(cx, y, rx, ry), 0.022), box(cx - rx, y, cx + rx, y + ry + 0.02), body
        )
        for y in (top + (bottom - top) / 3, top + 2 * (bottom - top) / 3)
    ]
    badge_x, badge_y, badge_r = 0.70, 0.70, 0.17
    check = stroke([(0.625, 0.705), (0.68, 0.76), (0.785, 0.64)], 0.045)
    cylinder = (cx - rx, top - ry, cx + rx, bottom + ry)
    rim = badge_r + 0.025
    badge = (badge_x - rim, badge_y - rim, badge_x + rim, badge_y + rim)
    return [
        (rounded_square(0.5, 0.16), BACKGROUND, (0.0, 0.0, 1.0, 1.0)),
        (body, CYLINDER_SIDE, cylinder),
        (ellipse(cx, top, rx, ry), CYLINDER_TOP, (cx - rx, top - ry, cx + rx, top + ry)),
        *[(band, BAND, cylinder) for band in bands],
        (circle(badge_x, badge_y, rim), BADGE_RIM, badge),
        (circle(badge_x, badge_y, badge_r), BADGE, badge),
        (check, CHECK, badge),
    ]


def render(size: int) -> bytes:
    """RGBA rows of the icon, each prefixed with PNG filter byte 0."""
    pixel = 1.0 / size
    margin = 2 * pixel
    shapes = layers()
    rows = bytearray()
    for j in range(size):
        rows.append(0)
        y = (j + 0.5) * pixel
        in_row = [
            (shape, colour, x0 - margin, x1 + margin)
            for shape, colour, (x0, y0, x1, y1) in shapes
            if y0 - margin <= y <= y1 + margin
        ]
        for i in range(size):
            x = (i + 0.5) * pixel
            r = g = b = a = 0.0
            for shape, (sr, sg, sb), left, right in in_row:
                if not left <= x <= right:
                    continue
                coverage = min(1.0, max(0.0, 0.5 - shape(x, y) / pixel))
                if coverage <= 0.0:
                    continue
                r = sr * coverage + r * (1 - coverage)
                g = sg * coverage + g * (1 - coverage)
                b = sb * coverage + b * (1 - coverage)
                a = coverage + a * (1 - coverage)
            if a > 0.0:
                r, g, b = r / a, g / a, b / a
            rows += bytes(round(channel * 255) for channel in (r, g, b, a))
    return bytes(rows)


def png(size: int, rows: bytes) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows, 9))
        + chunk(b"IEND", b"")
    )


def draw(size: int = DEFAULT_SIZE) -> bytes:
    """The icon as PNG bytes, `size` px square."""
    if not MIN_SIZE <= size <= MAX_SIZE:
        raise ValueError(f"size must be {MIN_SIZE} to {MAX_SIZE} px, not {size}")
    return png(size, render(size))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=DEFAULT_SIZE, help="side in px (512-2048)")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="PNG to write")
    parser.add_argument(
        "--check", action="store_true", help="exit 1 if --output differs from what is drawn"
    )
    args = parser.parse_args(argv)
    if not MIN_SIZE <= args.size <= MAX_SIZE:
        parser.error(f"--size must be {MIN_SIZE} to {MAX_SIZE}")
    data = draw(args.size)
    if args.check:
        current = args.output.read_bytes() if args.output.is_file() else b""
        if current != data:
            print(f"{args.output} is not what tools/draw_icon.py draws; run it", file=sys.stderr)
            return 1
        print(f"{args.output} is up to date")
        return 0
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_bytes(data)
    print(f"wrote {args.output} ({args.size}x{args.size}, {len(data)} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
