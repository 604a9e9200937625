"""The learned codec: DeepJSCC (deep joint source-channel coding), standing in for LSCI.

``kind = "analog"``: the codec's output is channel symbols, not a file. The
analog path is :meth:`DeepJSCCCodec.encode_symbols` -> channel (e.g.
``semcom_channels`` AWGN at Es/N0) -> :meth:`DeepJSCCCodec.decode_symbols`.

Rate: the image is replicate-padded to multiples of 8 (``Hp x Wp``); at rate
``k`` (1..``max_symbols``) the encoder emits ``n = k * Hp/8 * Wp/8`` complex
symbols, i.e. ``n / (H*W)`` channel uses per pixel. In ``16qam`` mode each
symbol carries 4 bits: ``bpp = 4 * n / (H * W)`` (for the shipped model,
8 symbols per 8x8 block at most: 0.0625 .. 0.5 bpp on sizes divisible by 8).
In ``analog`` mode the same formula with ``bits_per_symbol`` (default 4) gives
the bpp-equivalent used to place it on a bpp axis.

In ``16qam`` mode :meth:`encode` / :meth:`decode` also offer a byte form for
noiseless experiments (experiment A): each symbol's 4-bit constellation index
``4 * i_real + i_imag`` (levels ``{-3,-1,1,3}/sqrt(10)``), two per byte, high
nibble first; ``len(data) * 8 / (H*W)`` equals the bpp above (rounded up to a
whole byte).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from semcom_codecs.base import Codec, Encoded, bpp_of, check_image, check_target, pick_closest

__all__ = ["CHECKPOINT_DIR", "SHIPPED_CHECKPOINT", "DeepJSCCCodec", "load_deepjscc"]

CHECKPOINT_DIR = Path(__file__).resolve().parent / "checkpoints"
#: the small checkpoint trained on the bundled images (see its JSON beside it)
SHIPPED_CHECKPOINT = "deepjscc-16qam-979a0c8231.pt"


def _missing(path: Path):
    from semcom_core.weights import MissingWeightsError

    return MissingWeightsError(
        f"deepjscc: checkpoint '{path}' not found. The package ships "
        f"{CHECKPOINT_DIR / SHIPPED_CHECKPOINT}; train another with "
        "`snakemake train_deepjscc` (workflow/rules/train.smk) or "
        "`python -m semcom_codecs.jscc_train --out-dir resources/checkpoints`, "
        "and point `codecs: deepjscc: checkpoint:` in config.yaml at the .pt file."
    )


def load_deepjscc(
    checkpoint: str | Path | None = None, device: str = "auto", mode: str | None = None
):
    """Load (once per process) a :class:`~semcom_codecs.jscc_model.DeepJSCC` in eval mode.

    ``checkpoint``: a ``.pt`` path, a file name under ``codecs/checkpoints``, or
    None for the shipped one. ``mode`` overrides the trained symbol mode
    (``analog`` / ``16qam``). Loaded with ``map_location`` and ``weights_only=True``.
    """
    import torch

    from semcom_codecs.jscc_model import DeepJSCC
    from semcom_core.models import cached_model, resolve_device

    p = Path(checkpoint) if checkpoint else CHECKPOINT_DIR / SHIPPED_CHECKPOINT
    if not p.is_file() and not p.is_absolute() and (CHECKPOINT_DIR / p).is_file():
        p = CHECKPOINT_DIR / p
    if not p.is_file():
        raise _missing(p)
    dev = resolve_device(device)

    def build():
        blob = torch.load(p, map_location=dev, weights_only=True)
        if not isinstance(blob, dict) or blob.get("format") != "deepjscc-v1":
            raise ValueError(f"deepjscc: '{p}' is not a DeepJSCC checkpoint (format deepjscc-v1)")
        cfg = dict(blob["model"])
        if mode:
            cfg["mode"] = mode
        model = DeepJSCC(**cfg)
        model.load_state_dict(blob["state_dict"])
        return model.to(dev).eval()

    return cached_model(("deepjscc", str(p.resolve()), dev, mode), build), p


class DeepJSCCCodec(Codec):
    """DeepJSCC autoencoder as a codec (see module docstring).

    Args:
        checkpoint: ``.pt`` path or None for the shipped checkpoint.
        mode: ``analog`` | ``16qam`` | None (the mode it was trained in).
        device: ``auto`` | ``cpu`` | ``cuda``.
        bits_per_symbol: bits one channel symbol stands for in bpp figures (4 = 16QAM).
    """

    name = "deepjscc"
    display_name = "DeepJSCC"
    kind = "analog"
    guard_decode = False  # tensor maths on a fixed-size input: cannot hang or crash

    def __init__(
        self,
        checkpoint: str | None = None,
        mode: str | None = None,
        device: str = "auto",
        bits_per_symbol: int = 4,
    ) -> None:
        self.checkpoint = checkpoint
        self.device = device
        self.bits_per_symbol = int(bits_per_symbol)
        self._mode = mode
        self._model = None
        self._path: Path | None = None

    def __getstate__(self) -> dict:
        return {**self.__dict__, "_model": None}

    @property
    def model(self):
        if self._model is None:
            self._model, self._path = load_deepjscc(self.checkpoint, self.device, self._mode)
        return self._model

    @property
    def mode(self) -> str:
        return self.model.mode

    # -- rate ------------------------------------------------------------------------------
    @staticmethod
    def _blocks(shape: tuple[int, ...]) -> int:
        from semcom_codecs.jscc_model import DOWN

        return (-(-int(shape[0]) // DOWN)) * (-(-int(shape[1]) // DOWN))

    def bpp_for(self, k: int, shape: tuple[int, ...]) -> float:
        """bpp of rate ``k`` on an image of ``shape``: ``bits_per_symbol * n_symbols / (H*W)``."""
        return self.bits_per_symbol * k * self._blocks(shape) / (shape[0] * shape[1])

    def supported_bpp(self, shape: tuple[int, ...]) -> list[float]:
        """The bpp of every rate ``k = 1..max_symbols`` for ``shape``, ascending."""
        return [self.bpp_for(k, shape) for k in range(1, self.model.max_symbols + 1)]

    def symbols_for_bpp(self, target_bpp: float, shape: tuple[int, ...]) -> dict[str, Any]:
        """The largest rate whose bpp is not above ``target_bpp`` (else the lowest rate).

        Returns ``{"k", "n_symbols", "bpp", "channel_uses_per_pixel", "reached", "note"}``.
        """
        target = check_target(target_bpp, self.name)
        rates = {k: self.bpp_for(k, shape) for k in range(1, self.model.max_symbols + 1)}
        pick = pick_closest(rates, target, self.tolerance, top=self.model.max_symbols, label="k")
        k, bpp, note = pick.param, pick.bpp, pick.note
        n = k * self._blocks(shape)
        return {
            "k": k,
            "n_symbols": n,
            "bpp": bpp,
            "channel_uses_per_pixel": n / (shape[0] * shape[1]),
            "reached": pick.reached,
            "note": note,
        }

    def rate_for_channel_uses(
        self, channel_uses_per_pixel: float, shape: tuple[int, ...]
    ) -> dict[str, Any]:
        """:meth:`symbols_for_bpp` for a budget of complex channel uses per pixel.

        Picks the largest ``k`` whose ``n_symbols / (H*W)`` is not above the budget
        (``bpp = bits_per_symbol * channel uses per pixel``).
        """
        if not channel_uses_per_pixel > 0:
            raise ValueError(
                f"deepjscc: channel uses per pixel must be positive, got {channel_uses_per_pixel}"
            )
        return self.symbols_for_bpp(self.bits_per_symbol * channel_uses_per_pixel, shape)

    # -- analog path -----------------------------------------------------------------------
    def encode_symbols(
        self, image: np.ndarray, target_bpp: float | None = None, *, k: int | None = None
    ) -> np.ndarray:
        """uint8 ``(H, W, 3)`` image -> complex64 ``(n,)`` channel symbols, mean energy 1.

        Give ``target_bpp`` (see :meth:`symbols_for_bpp`) or the rate ``k``. In
        ``16qam`` mode every symbol is a point of the unit-energy 16QAM constellation
        (the mean energy is then that of the points used, close to 1).
        """
        import torch

        from semcom_codecs.jscc_model import pad_to_multiple

        check_image(image, self.name)
        if k is None:
            if target_bpp is None:
                raise ValueError("deepjscc: give target_bpp or k")
            k = self.symbols_for_bpp(target_bpp, image.shape)["k"]
        model = self.model
        dev = next(model.parameters()).device
        x = (
            torch.from_numpy(np.array(image, copy=True)).to(dev).permute(2, 0, 1)[None].float()
            / 255
        )
        x, _ = pad_to_multiple(x)
        with torch.no_grad():
            z = model.encode(x, int(k))
        return z[0].cpu().numpy().astype(np.complex64)

    def decode_symbols(self, symbols: np.ndarray, shape: tuple[int, int, int]) -> np.ndarray:
        """Received complex ``(n,)`` symbols -> uint8 image of ``shape``; the rate follows from n."""
        import torch

        from semcom_codecs.jscc_model import DOWN

        h, w = int(shape[0]), int(shape[1])
        sym = np.asarray(symbols).reshape(-1)
        if not np.iscomplexobj(sym):
            raise ValueError(f"deepjscc: symbols must be complex, got {sym.dtype}")
        blocks = self._blocks(shape)
        if (
            sym.size == 0
            or sym.size % blocks
            or not 1 <= sym.size // blocks <= self.model.max_symbols
        ):
            raise ValueError(
                f"deepjscc: {sym.size} symbols do not fit a {h}x{w} image "
                f"(need k * {blocks} with k in 1..{self.model.max_symbols})"
            )
        k = sym.size // blocks
        model = self.model
        dev = next(model.parameters()).device
        z = torch.from_numpy(sym.astype(np.complex64))[None].to(dev)
        hp, wp = -(-h // DOWN) * DOWN, -(-w // DOWN) * DOWN
        with torch.no_grad():
            y = model.decode(z, k, (hp, wp))[0, :, :h, :w]
        return (y.permute(1, 2, 0).cpu().numpy() * 255.0).round().clip(0, 255).astype(np.uint8)

    # -- noiseless byte form (16qam only) ----------------------------------------------------
    def encode(self, image: np.ndarray, target_bpp: float) -> Encoded:
        """16QAM mode: the constellation indices as bytes (noiseless transmission)."""
        import torch

        from semcom_codecs.jscc_model import qam16_indices

        if self.mode != "16qam":
            raise NotImplementedError(
                "deepjscc: analog mode has no bitstream; use encode_symbols() -> channel -> "
                "decode_symbols(), or mode='16qam' for a byte form"
            )
        check_image(image, self.name)
        target_bpp = check_target(target_bpp, self.name)
        rate = self.symbols_for_bpp(target_bpp, image.shape)
        sym = self.encode_symbols(image, k=rate["k"])
        idx = qam16_indices(torch.from_numpy(sym)).numpy()
        if idx.size % 2:
            idx = np.append(idx, 0)
        data = ((idx[0::2] << 4) | idx[1::2]).astype(np.uint8).tobytes()
        achieved = bpp_of(len(data), image.shape)
        return Encoded(
            data=data,
            target_bpp=float(target_bpp),
            achieved_bpp=achieved,
            payload_bpp=achieved,
            reached=rate["reached"],
            params={
                "k": rate["k"],
                "n_symbols": rate["n_symbols"],
                "mode": "16qam",
                "channel_uses_per_pixel": rate["channel_uses_per_pixel"],
            },
            note=rate["note"],
        )

    def decode(self, data: bytes, shape: tuple[int, int, int]) -> np.ndarray:
        import torch

        from semcom_codecs.jscc_model import qam16_from_indices

        raw = np.frombuffer(bytes(data), dtype=np.uint8)
        idx = np.stack([raw >> 4, raw & 15], axis=1).reshape(-1)
        blocks = self._blocks(shape)
        n = (idx.size // blocks) * blocks  # drop the padding nibble
        if idx.size - n > 1 or n == 0:
            raise ValueError(
                f"deepjscc: {len(data)} bytes do not fit a {shape[0]}x{shape[1]} image"
            )
        sym = qam16_from_indices(torch.from_numpy(idx[:n].astype(np.int64))).numpy()
        return self.decode_symbols(sym, shape)

    def describe(self) -> dict[str, Any]:
        import torch

        from semcom_core.weights import sha256_of

        model = self.model
        info = {}
        side = self._path.with_suffix(".json") if self._path else None
        if side and side.is_file():
            rec = json.loads(side.read_text())
            info = {
                "trained_on": rec.get("config", {}).get("data"),
                "train_snr_db": rec.get("config", {}).get("snr_db"),
            }
        return {
            **super().describe(),
            "library": f"torch {torch.__version__}",
            "checkpoint": self._path.name if self._path else None,
            "checkpoint_sha256": sha256_of(self._path) if self._path else None,
            "mode": model.mode,
            "max_symbols": model.max_symbols,
            "bits_per_symbol": self.bits_per_symbol,
            **info,
        }
