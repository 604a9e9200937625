"""Deep joint source-channel coding (DeepJSCC) autoencoder: the network and its channel layers.

The model stands in for the paper's learned codec LSCI (which has no public
weights); it is named for what it is. Layout (after Bourtsoulatzes et al.,
"Deep joint source-channel coding for wireless image transmission", 2019):

* encoder: 3 stride-2 convolutions (downsampling factor :data:`DOWN` = 8) and
  two 3x3 convolutions to ``2 * max_symbols`` real channels; each spatial
  position carries ``max_symbols`` complex channel symbols (real, imaginary
  parts are channel pairs ``(2i, 2i+1)``).
* rate: only the first ``k`` complex symbols per position are sent
  (``1 <= k <= max_symbols``); the decoder sees zeros for the rest. Training
  draws ``k`` at random, so one checkpoint serves every rate.
* per-image power normalisation: the transmitted symbols of each image have
  unit mean energy ``E|x|^2 = 1``.
* mode ``analog``: the normalised symbols go to the channel as they are.
  Mode ``16qam``: each symbol is snapped to the nearest point of the
  unit-energy 16QAM constellation shared with the channels
  (:func:`semcom_core.phy.qam16_points`, levels ``{-3, -1, 1, 3} / sqrt(10)`` per
  real dimension) with a straight-through gradient; ``bpp = 4 * symbols /
  pixels``.
* channel: complex AWGN at Es/N0 ``snr_db`` with unit average symbol energy:
  ``N0 = 10^(-snr_db / 10)``, noise ``CN(0, N0)``, i.e. variance ``N0 / 2``
  per real dimension. The SNR conversion and the AWGN (Sionna 2.x's PyTorch
  block ``sionna.phy.channel.AWGN``, differentiable, one ``N0`` per example,
  seeded generator) are those of :mod:`semcom_core.phy`, shared with
  ``semcom_channels``.
* decoder: mirror of the encoder with sub-pixel (PixelShuffle) upsampling and
  a sigmoid output in [0, 1].

Tensors: images are float32 ``(B, 3, H, W)`` in [0, 1] with ``H, W``
multiples of :data:`DOWN` (callers pad, see :func:`pad_to_multiple`).
"""

from __future__ import annotations

import torch
from torch import nn

from semcom_codecs.jscc_spec import DOWN, MODES
from semcom_core.phy import esno_db_to_no, nearest_point, qam16_points, snap_to_points

__all__ = [
    "DOWN",
    "MODES",
    "DeepJSCC",
    "pad_to_multiple",
    "power_normalize",
    "qam16_from_indices",
    "qam16_indices",
    "snap_16qam",
]


def power_normalize(z: torch.Tensor, eps: float = 1e-12) -> torch.Tensor:
    """Scale each row of complex ``z`` ``(B, N)`` to unit mean energy ``mean |z|^2 = 1``."""
    power = (z.real.square() + z.imag.square()).mean(dim=1, keepdim=True)
    return z / torch.sqrt(power + eps).to(z.dtype)


def snap_16qam(z: torch.Tensor) -> torch.Tensor:
    """Nearest unit-energy 16QAM point of each complex symbol, straight-through gradient.

    Forward: ``q(z)``; backward: identity (``z + (q(z) - z).detach()``).
    """
    return snap_to_points(z, qam16_points(), straight_through=True)


def qam16_indices(z: torch.Tensor) -> torch.Tensor:
    """4-bit Gray label (uint8, 0..15) of the nearest 16QAM point of each symbol."""
    return nearest_point(z, qam16_points()).to(torch.uint8)


def qam16_from_indices(idx: torch.Tensor) -> torch.Tensor:
    """Inverse of :func:`qam16_indices`: complex64 constellation points."""
    return qam16_points().to(idx.device)[idx.long()]


def pad_to_multiple(x: torch.Tensor, m: int = DOWN) -> tuple[torch.Tensor, tuple[int, int]]:
    """Replicate-pad ``(B, C, H, W)`` so H and W are multiples of ``m``; returns the original (H, W)."""
    h, w = x.shape[-2:]
    ph, pw = (-h) % m, (-w) % m
    if ph or pw:
        x = nn.functional.pad(x, (0, pw, 0, ph), mode="replicate")
    return x, (h, w)


class DeepJSCC(nn.Module):
    """DeepJSCC autoencoder (see module docstring).

    Args:
        max_symbols: complex symbols per ``DOWN x DOWN`` block at the full rate.
        width: feature channels of the hidden layers.
        mode: ``analog`` or ``16qam``.
    """

    def __init__(self, max_symbols: int = 8, width: int = 64, mode: str = "16qam") -> None:
        super().__init__()
        if mode not in MODES:
            raise ValueError(f"deepjscc: unknown mode '{mode}', expected one of {MODES}")
        if max_symbols < 1:
            raise ValueError("deepjscc: max_symbols must be >= 1")
        self.max_symbols = int(max_symbols)
        self.width = int(width)
        self.mode = mode
        c, w2 = 2 * self.max_symbols, self.width // 2
        act = nn.PReLU
        self.encoder = nn.Sequential(
            nn.Conv2d(3, w2, 5, 2, 2), act(w2),
            nn.Conv2d(w2, width, 5, 2, 2), act(width),
            nn.Conv2d(width, width, 5, 2, 2), act(width),
            nn.Conv2d(width, width, 3, 1, 1), act(width),
            nn.Conv2d(width, c, 3, 1, 1),
        )  # fmt: skip
        self.decoder = nn.Sequential(
            nn.Conv2d(c, width, 3, 1, 1), act(width),
            nn.Conv2d(width, width, 3, 1, 1), act(width),
            nn.Conv2d(width, 4 * width, 3, 1, 1), nn.PixelShuffle(2), act(width),
            nn.Conv2d(width, 4 * width, 3, 1, 1), nn.PixelShuffle(2), act(width),
            nn.Conv2d(width, 4 * w2, 3, 1, 1), nn.PixelShuffle(2), act(w2),
            nn.Conv2d(w2, 3, 3, 1, 1), nn.Sigmoid(),
        )  # fmt: skip

    def config(self) -> dict:
        return {"max_symbols": self.max_symbols, "width": self.width, "mode": self.mode}

    # -- transmitter -------------------------------------------------------------------------
    def encode(self, x: torch.Tensor, k: int) -> torch.Tensor:
        """Images ``(B, 3, H, W)`` in [0, 1] -> channel symbols complex64 ``(B, k * H/8 * W/8)``.

        Power-normalised per image; snapped to 16QAM in ``16qam`` mode.
        Symbol order: symbol index major, then row, then column.
        """
        self._check_k(k)
        f = self.encoder(x * 2.0 - 1.0)[:, : 2 * k]  # (B, 2k, h, w)
        b = f.shape[0]
        z = torch.complex(f[:, 0::2], f[:, 1::2]).reshape(b, -1)
        z = power_normalize(z)
        if self.mode == "16qam":
            z = snap_16qam(z)
        return z

    # -- receiver ----------------------------------------------------------------------------
    def decode(self, z: torch.Tensor, k: int, hw: tuple[int, int]) -> torch.Tensor:
        """Received symbols complex ``(B, k * h * w)`` -> images ``(B, 3, 8h, 8w)`` in [0, 1].

        ``hw`` is the padded image size ``(H, W)``; the unsent symbols are zeros.
        """
        self._check_k(k)
        h, w = hw[0] // DOWN, hw[1] // DOWN
        b = z.shape[0]
        if z.shape[1] != k * h * w:
            raise ValueError(
                f"deepjscc: got {z.shape[1]} symbols per image, expected k*h*w = {k}*{h}*{w}"
            )
        z = z.reshape(b, k, h, w)
        f = torch.zeros(b, 2 * self.max_symbols, h, w, device=z.device, dtype=torch.float32)
        f[:, 0 : 2 * k : 2] = z.real.float()
        f[:, 1 : 2 * k : 2] = z.imag.float()
        return self.decoder(f)

    def forward(
        self,
        x: torch.Tensor,
        k: int,
        snr_db: torch.Tensor | float | None,
        channel: nn.Module | None = None,
    ) -> torch.Tensor:
        """Encode, pass through complex AWGN at ``snr_db`` (None: noiseless), decode.

        ``channel`` is an AWGN block called as ``channel(z, no)``
        (:func:`semcom_core.phy.seeded_awgn`); ``snr_db`` a float or one SNR per
        image ``(B,)``. Noise needs a channel: give one whenever ``snr_db`` is set.
        """
        z = self.encode(x, k)
        if snr_db is not None:
            if channel is None:
                raise ValueError("deepjscc: a noisy forward pass needs channel= (seeded_awgn)")
            snr = torch.as_tensor(snr_db, dtype=torch.float32, device=x.device)
            z = channel(z, esno_db_to_no(snr))
        return self.decode(z, k, (x.shape[-2], x.shape[-1]))

    def _check_k(self, k: int) -> None:
        if not 1 <= int(k) <= self.max_symbols:
            raise ValueError(f"deepjscc: k must be in 1..{self.max_symbols}, got {k}")
