#!/usr/bin/env python3
"""Counts the pixels that differ between two PNG screenshots of the same size.

Usage: pngdiff.py BEFORE.png AFTER.png   prints "WIDTH HEIGHT DIFFERING_PIXELS".
Standard library only; reads 8-bit RGB or RGBA, non-interlaced (what weston-screenshooter writes).
"""
import struct
import sys
import zlib


def decode(path):
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        sys.exit(f"{path}: not a PNG file")
    pos, idat, header = 8, [], None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat.append(body)
        elif kind == b"IEND":
            break
    width, height, depth, color, _, _, interlace = header
    channels = {2: 3, 6: 4}.get(color)
    if depth != 8 or channels is None or interlace:
        sys.exit(f"{path}: unsupported PNG (bit depth {depth}, colour type {color}, interlace {interlace})")
    raw = zlib.decompress(b"".join(idat))
    stride = width * channels
    rows, prev = [], bytearray(stride)
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1:start + 1 + stride])
        for i in range(stride):
            a = line[i - channels] if i >= channels else 0
            b = prev[i]
            c = prev[i - channels] if i >= channels else 0
            if kind == 1:
                line[i] = (line[i] + a) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + b) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + (a + b) // 2) & 0xFF
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[i] = (line[i] + pred) & 0xFF
        rows.append(bytes(line))
        prev = line
    # Compare colour only: drop alpha.
    pixels = [row[x * channels:x * channels + 3] for row in rows for x in range(width)]
    return width, height, pixels


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    w1, h1, before = decode(sys.argv[1])
    w2, h2, after = decode(sys.argv[2])
    if (w1, h1) != (w2, h2):
        sys.exit(f"sizes differ: {w1}x{h1} vs {w2}x{h2}")
    print(w1, h1, sum(1 for p, q in zip(before, after) if p != q))


if __name__ == "__main__":
    main()
