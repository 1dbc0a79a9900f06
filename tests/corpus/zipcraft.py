"""Hand-written zip files for hostile-input tests: a deflate "zip bomb" small on disk, and xlsx rewrites."""

from __future__ import annotations

import struct
import zipfile
import zlib
from pathlib import Path

CHUNK = 1 << 20


def _deflate(data: bytes) -> bytes:
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    return c.compress(data) + c.flush()


def _bomb_stream(head: bytes, unit: bytes, repeats: int, tail: bytes) -> tuple[bytes, int, int]:
    """A raw deflate stream of head + unit * repeats + tail without compressing the repeated part more
    than once: a full flush makes each compressed chunk independent, so its bytes can be repeated."""
    chunk = unit * (CHUNK // len(unit))
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = c.compress(head) + c.flush(zlib.Z_FULL_FLUSH)
    c2 = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = c2.compress(chunk) + c2.flush(zlib.Z_FULL_FLUSH)
    c3 = zlib.compressobj(9, zlib.DEFLATED, -15)
    last = c3.compress(tail) + c3.flush()
    crc = zlib.crc32(head)
    for _ in range(repeats):
        crc = zlib.crc32(chunk, crc)
    crc = zlib.crc32(tail, crc)
    size = len(head) + len(chunk) * repeats + len(tail)
    return first + block * repeats + last, crc, size


def write_zip(path: Path, members: list[tuple[str, bytes, int, int]]) -> Path:
    """members: (name, raw deflate data, crc32, uncompressed size). Plain zip (sizes < 4 GiB)."""
    out, central = bytearray(), bytearray()
    for name, data, crc, size in members:
        n = name.encode()
        offset = len(out)
        out += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0x21, crc, len(data), size, len(n), 0)
        out += n + data
        central += struct.pack(
            "<IHHHHHHIIIHHHHHII",
            0x02014B50,
            20,
            20,
            0,
            8,
            0,
            0x21,
            crc,
            len(data),
            size,
            len(n),
            0,
            0,
            0,
            0,
            0,
            offset,
        )
        central += n
    eocd = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(central), len(out), 0)
    path.write_bytes(bytes(out + central + eocd))
    return path


def rewrite_xlsx(src: Path, dst: Path, replace: dict[str, bytes]) -> Path:
    """Copy an xlsx, replacing the named members' bytes."""
    members = []
    with zipfile.ZipFile(src) as zf:
        for info in zf.infolist():
            data = replace.get(info.filename, zf.read(info.filename))
            members.append((info.filename, _deflate(data), zlib.crc32(data), len(data)))
    return write_zip(dst, members)


def shared_strings_bomb(src: Path, dst: Path, expanded_bytes: int) -> Path:
    """The xlsx `src` with a sharedStrings.xml that really inflates to about `expanded_bytes`."""
    head = (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>'
    )
    unit = b"A"  # one shared string of gigabytes: deflate's best ratio (~1000:1)
    tail = b"</t></si></sst>"
    members = []
    with zipfile.ZipFile(src) as zf:
        for info in zf.infolist():
            if info.filename == "xl/sharedStrings.xml":
                continue
            data = zf.read(info.filename)
            members.append((info.filename, _deflate(data), zlib.crc32(data), len(data)))
    data, crc, size = _bomb_stream(head, unit, max(1, expanded_bytes // CHUNK), tail)
    members.append(("xl/sharedStrings.xml", data, crc, size))
    return write_zip(dst, members)
