"""Analog link for the learned JSCC codec: complex symbols -> Sionna AWGN -> symbols.

Same SNR definition and seeding as :class:`~semcom_channels.digital.DigitalLink`:
Es/N0 in dB with unit mean symbol energy, ``N0 = 10**(-snr_db/10)``, complex
noise of variance ``N0/2`` per real dimension, drawn by Sionna's ``AWGN`` block
from a private generator seeded with ``seed``.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np
import torch

from semcom_channels._sionna import seeded_awgn, sionna_device
from semcom_channels.snr import check_snr_def, esno_db_to_no, validate_snr_db
from semcom_core.phy import qam16_points, snap_to_points
from semcom_core.seeds import validate_seed

__all__ = ["AnalogLink", "AnalogRecord", "snap_to_qam16"]

MODES = ("analog", "qam16")
POWER_TOL = 0.05


@dataclass
class AnalogRecord:
    """``measured_snr_db = 10 log10(mean|x|^2 / mean|y - x|^2)`` on this realisation."""

    snr_db: float
    snr_def: str
    mode: str
    channel_uses: int
    measured_snr_db: float
    input_power: float
    seed: int
    device: str

    def to_dict(self) -> dict:
        return asdict(self)


def snap_to_qam16(symbols: torch.Tensor, device: str) -> torch.Tensor:
    """Replace each complex symbol by the nearest point of Sionna's unit-energy 16QAM."""
    return snap_to_points(symbols, qam16_points(device))


class AnalogLink:
    """Complex channel symbols over AWGN.

    Parameters
    ----------
    mode : ``"analog"`` (symbols sent as they are) or ``"qam16"`` (each symbol first
        snapped to the nearest normalised 16QAM point).
    snr_def : only ``"Es/N0"`` (symbols carry no bit count, so Eb/N0 is undefined).
    device : ``cpu | cuda | cuda:N | auto``.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.exp(1j * np.linspace(0, 6, 1000)).astype(np.complex64)
    >>> y, rec = AnalogLink().transmit(x, snr_db=10.0, seed=0)
    >>> y.shape, y.dtype, rec.channel_uses
    ((1000,), dtype('complex64'), 1000)
    """

    def __init__(self, mode: str = "analog", snr_def: str = "Es/N0", device: str = "cpu") -> None:
        if mode not in MODES:
            raise ValueError(f"unknown analog mode {mode!r}; valid: {', '.join(MODES)}")
        self.mode = mode
        if check_snr_def(snr_def) != "Es/N0":
            raise ValueError("AnalogLink supports snr_def='Es/N0' only (no bits, no Eb)")
        self.snr_def = snr_def
        self.device = sionna_device(device)

    def transmit(
        self, symbols: np.ndarray, snr_db: float, seed: int
    ) -> tuple[np.ndarray, AnalogRecord]:
        """1-D complex ``(n,)`` symbols of unit mean power -> received complex64 ``(n,)``.

        Raises ``ValueError`` for a non-1-D, non-complex or non-finite input, or (in
        ``analog`` mode) one whose mean power differs from 1 by more than 5 %. In
        ``qam16`` mode N0 refers to the unit average energy of the constellation, so
        an image whose symbols use mostly inner points sends less than Es = 1.
        """
        snr = validate_snr_db(snr_db)
        seed = validate_seed(seed)
        x = np.asarray(symbols)
        if x.ndim != 1:
            raise ValueError(f"symbols must be a 1-D array, got shape {x.shape}")
        if not np.iscomplexobj(x):
            raise ValueError(f"symbols must be complex, got dtype {x.dtype}")
        if not np.all(np.isfinite(x)):
            raise ValueError("symbols contain NaN or inf")
        power = float(np.mean(np.abs(x.astype(np.complex128)) ** 2)) if x.size else 1.0
        # In qam16 mode the energy reference is the unit-energy constellation (Es = 1 over
        # uniformly used points), whatever mix of points one image happens to use.
        if self.mode == "analog" and abs(power - 1.0) > POWER_TOL:
            raise ValueError(
                f"symbols must have unit mean power (got {power:.4f}); "
                "normalise with x / sqrt(mean(|x|^2))"
            )
        no = esno_db_to_no(snr)
        with torch.inference_mode():
            xt = torch.from_numpy(x.astype(np.complex64)).to(self.device)
            if self.mode == "qam16" and x.size:
                xt = snap_to_qam16(xt, self.device)
            yt = seeded_awgn(self.device, seed)(xt, no) if x.size else xt
            noise_p = float((yt - xt).abs().square().mean()) if x.size else 0.0
            sig_p = float(xt.abs().square().mean()) if x.size else 0.0
            y = yt.cpu().numpy().astype(np.complex64)
        measured = 10 * math.log10(sig_p / noise_p) if noise_p > 0 else math.inf
        rec = AnalogRecord(
            snr_db=snr,
            snr_def=self.snr_def,
            mode=self.mode,
            channel_uses=int(x.size),
            measured_snr_db=measured if x.size else math.nan,
            input_power=power,
            seed=seed,
            device=self.device,
        )
        return y, rec
