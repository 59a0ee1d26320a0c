"""The Hangul web font of the dashboard: NanumGothic from reports/fonts, cleaned for browsers.

The shipped TrueType files carry empty VTT source tables (TSI0–TSI3) that Chrome's font
sanitizer (OTS) rejects ("TSI3: zero-length table"), which leaves Hangul as boxes. Those
tables only matter to the hinting editor; we serve the font without them.
"""

from __future__ import annotations

import struct
from functools import lru_cache
from pathlib import Path

FONT_DIR = Path(__file__).resolve().parent.parent / "reports" / "fonts"  # SIL OFL, shipped for the PDF reports
FONTS = ("NanumGothic.ttf", "NanumGothicBold.ttf")


def _checksum(data: bytes) -> int:
    padded = data + b"\0" * (-len(data) % 4)
    return sum(struct.unpack(f">{len(padded) // 4}L", padded)) & 0xFFFFFFFF


def strip_tables(font: bytes, drop: tuple[str, ...] = ("TSI",)) -> bytes:
    """The sfnt `font` without empty tables and tables whose tag starts with one of `drop`."""
    version, num_tables = struct.unpack(">4sH", font[:6])
    entries = []
    for i in range(num_tables):
        tag, checksum, offset, length = struct.unpack(">4sLLL", font[12 + 16 * i: 28 + 16 * i])
        name = tag.decode("latin-1")
        if length == 0 or name.startswith(drop):
            continue
        entries.append((tag, checksum, font[offset: offset + length]))
    entries.sort(key=lambda e: e[0])
    n = len(entries)
    power = 1 << (n.bit_length() - 1)
    header = struct.pack(">4sHHHH", version, n, power * 16, power.bit_length() - 1, n * 16 - power * 16)
    offset = 12 + 16 * n
    directory, body = b"", b""
    head_at = None
    for tag, _, data in entries:
        if tag == b"head":
            data = data[:8] + b"\0\0\0\0" + data[12:]  # checkSumAdjustment is recomputed below
            head_at = offset + len(body)
        directory += struct.pack(">4sLLL", tag, _checksum(data), offset + len(body), len(data))
        body += data + b"\0" * (-len(data) % 4)
    out = bytearray(header + directory + body)
    if head_at is not None:
        struct.pack_into(">L", out, head_at + 8, (0xB1B0AFBA - _checksum(bytes(out))) & 0xFFFFFFFF)
    return bytes(out)


@lru_cache(maxsize=len(FONTS))
def web_font(name: str) -> bytes:
    """The cleaned font file `name` (one of FONTS)."""
    if name not in FONTS:
        raise KeyError(name)
    return strip_tables((FONT_DIR / name).read_bytes())
