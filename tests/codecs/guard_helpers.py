"""Misbehaving codecs for the safe-decode tests; importable by the decode child via PYTHONPATH."""

from __future__ import annotations

import os
import time

from semcom_codecs.jpeg import JPEG


class HangingJPEG(JPEG):
    """A decoder stuck in a loop (as a corrupt stream could make a C library)."""

    name = "hanging_jpeg"

    def decode(self, data, shape):
        time.sleep(600)


class CrashingJPEG(JPEG):
    """A decoder that takes the interpreter down (SIGABRT, as OpenJPEG can)."""

    name = "crashing_jpeg"

    def decode(self, data, shape):
        os.abort()
