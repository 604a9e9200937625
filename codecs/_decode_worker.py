"""Child process of :mod:`semcom_codecs.safe`: decodes requests read from stdin.

Protocol (binary, on the inherited pipes): each message is an 8-byte
big-endian length followed by a pickle. Request: ``(codec, data, shape)``;
reply: ``(image | None, salvaged, reason)``. Started as
``python -m semcom_codecs._decode_worker`` so it never re-imports the
caller's main module. The original stdout is kept for the protocol and fd 1 is
pointed at stderr, so library chatter cannot corrupt the replies.
"""

from __future__ import annotations

import os
import pickle
import struct
import sys


def _read_exact(fd: int, n: int) -> bytes | None:
    buf = bytearray()
    while len(buf) < n:
        chunk = os.read(fd, n - len(buf))
        if not chunk:
            return None
        buf.extend(chunk)
    return bytes(buf)


def main() -> int:  # pragma: no cover - runs in the child process
    out_fd = os.dup(1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    in_fd = sys.stdin.fileno()
    from semcom_codecs.safe import _attempt

    ready = pickle.dumps("ready")
    os.write(out_fd, struct.pack(">Q", len(ready)) + ready)
    while True:
        head = _read_exact(in_fd, 8)
        if head is None:
            return 0
        body = _read_exact(in_fd, struct.unpack(">Q", head)[0])
        if body is None:
            return 0
        try:
            codec, data, shape = pickle.loads(body)
            reply = _attempt(codec, data, shape)
        except BaseException as exc:  # noqa: BLE001 - report anything, keep serving
            reply = (None, False, f"worker: {type(exc).__name__}: {exc}"[:300])
        blob = pickle.dumps(reply, protocol=pickle.HIGHEST_PROTOCOL)
        os.write(out_fd, struct.pack(">Q", len(blob)) + blob)


if __name__ == "__main__":
    raise SystemExit(main())
