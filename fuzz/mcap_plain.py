#!/usr/bin/env python3
"""Rewrites an MCAP recording for fuzzing (seeds of fuzz/corpus/fuzz_replay/):

    fuzz/mcap_plain.py IN.mcap OUT.mcap

Every Chunk is stored uncompressed ("") with no CRC (0: not checked, as the MCAP specification
allows), the DataEnd CRC is 0 and the summary section is left out (a Footer with no summary).
Mutations of such a file reach the replay's decoding instead of failing at a zstd frame or a
CRC. Message indexes stay valid: their offsets count in the chunk's uncompressed records.
Needs the zstd and lz4 command-line tools for compressed chunks.
"""
import struct
import subprocess
import sys

MAGIC = b"\x89MCAP0\r\n"
OP_FOOTER, OP_CHUNK, OP_DATA_END = 0x02, 0x06, 0x0F


def decompress(how, data, size):
    if how == b"":
        return data
    tool = {b"zstd": ["zstd", "-d", "-c"], b"lz4": ["lz4", "-d", "-c"]}[how]
    out = subprocess.run(tool, input=data, stdout=subprocess.PIPE, check=True).stdout
    assert len(out) == size, "chunk decompressed to %d bytes, expected %d" % (len(out), size)
    return out


def main(src, dst):
    buf = open(src, "rb").read()
    assert buf.startswith(MAGIC), "%s is not an MCAP file" % src
    out = bytearray(MAGIC)
    off = len(MAGIC)
    while off + 9 <= len(buf):
        op = buf[off]
        (n,) = struct.unpack_from("<Q", buf, off + 1)
        body = buf[off + 9 : off + 9 + n]
        off += 9 + n
        if op == OP_CHUNK:
            start, end, usize, _crc = struct.unpack_from("<QQQI", body, 0)
            p = 28
            (clen,) = struct.unpack_from("<I", body, p)
            how = body[p + 4 : p + 4 + clen]
            p += 4 + clen
            (rlen,) = struct.unpack_from("<Q", body, p)
            records = decompress(how, body[p + 8 : p + 8 + rlen], usize)
            body = struct.pack("<QQQII", start, end, len(records), 0, 0)
            body += struct.pack("<Q", len(records)) + records
        elif op == OP_DATA_END:
            body = struct.pack("<I", 0)
        elif op == OP_FOOTER:
            break
        out += bytes([op]) + struct.pack("<Q", len(body)) + body
        if op == OP_DATA_END:
            break
    footer = struct.pack("<QQI", 0, 0, 0)
    out += bytes([OP_FOOTER]) + struct.pack("<Q", len(footer)) + footer + MAGIC
    open(dst, "wb").write(out)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: fuzz/mcap_plain.py IN.mcap OUT.mcap")
    main(sys.argv[1], sys.argv[2])
