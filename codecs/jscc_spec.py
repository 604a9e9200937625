"""The DeepJSCC model's shape constants, importable without torch.

The workflow checks a training config (``train: deepjscc:``) while Snakemake
parses the Snakefile, in every job on a cluster; importing torch there costs
seconds per job. :mod:`semcom_codecs.jscc_model` re-exports these names.
"""

from __future__ import annotations

__all__ = ["DOWN", "MODES"]

#: Downsampling factor of the encoder (3 stride-2 convolutions); image sides are padded to it.
DOWN = 8
#: Channel-symbol modes: continuous (power-normalised) or snapped to 16QAM points.
MODES = ("analog", "16qam")
