"""Image codecs driven by a target bpp (JPEG, JPEG2000, BPG, DeepJSCC) and safe decoding.

Import name ``semcom_codecs`` (the folder is ``codecs/``; a top-level
``codecs`` package would shadow the standard library's).
"""

from semcom_codecs.base import Codec, Encoded, bpp_of
from semcom_codecs.registry import available_codecs, build_codec
from semcom_codecs.safe import DecodeResult, safe_decode

__all__ = [
    "Codec",
    "DecodeResult",
    "Encoded",
    "available_codecs",
    "bpp_of",
    "build_codec",
    "safe_decode",
]
