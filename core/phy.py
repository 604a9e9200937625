"""Physical-layer basics shared by the channels and the learned codec.

One of each, so the digital link, the analog link and DeepJSCC (training and
evaluation) cannot drift apart:

- :func:`esno_db_to_no`: Es/N0 in dB -> noise power ``N0 = 10**(-Es/N0 / 10)`` per
  complex channel use for unit average symbol energy (floats or tensors, one SNR
  per example);
- :func:`seeded_awgn`: Sionna 2.x's ``AWGN`` block (complex noise ``CN(0, N0)``,
  ``N0 / 2`` per real dimension; ``no`` may be a ``(B,)`` tensor, one noise power
  per example) drawing from a private, seeded ``torch.Generator``;
- :func:`qam16_points`: Sionna's Gray-labelled unit-energy 16QAM constellation
  ``("qam", 4)``; :func:`nearest_point` and :func:`snap_to_points` map symbols onto
  it (the learned codec's straight-through snap is ``snap_to_points(..., straight_through=True)``).

Sionna is imported on first use (:func:`sionna_phy`), never at import time, and
without changing torch's global random state or Sionna's global ``config``.
"""

from __future__ import annotations

import functools
from typing import Any, overload

__all__ = [
    "esno_db_to_no",
    "nearest_point",
    "qam16_points",
    "seeded_awgn",
    "sionna_device",
    "sionna_phy",
    "snap_to_points",
]


@functools.cache
def sionna_phy() -> Any:
    """Import ``sionna.phy`` once, keeping torch's global RNG states unchanged.

    (Importing Sionna seeds torch's default generators; their state is restored.)
    """
    import torch

    cpu_state = torch.get_rng_state()
    cuda_states = torch.cuda.get_rng_state_all() if torch.cuda.is_initialized() else None
    try:
        import sionna.phy.channel
        import sionna.phy.fec.interleaving
        import sionna.phy.fec.ldpc
        import sionna.phy.mapping
        import sionna.phy.utils  # noqa: F401
        from sionna import phy
    except ImportError as err:  # pragma: no cover - sionna is a core dependency
        raise ImportError(
            "the channels need Sionna 2.x PHY: pip install 'sionna-no-rt>=2.0.1'"
        ) from err
    finally:
        torch.set_rng_state(cpu_state)
        if cuda_states is not None:
            torch.cuda.set_rng_state_all(cuda_states)
    return phy


def sionna_device(device: str | None) -> str:
    """``auto|cpu|cuda|cuda:N`` -> a device name Sionna accepts (``cpu`` or ``cuda:N``)."""
    import torch

    from semcom_core.models import resolve_device

    dev = resolve_device(device)
    if dev == "cuda":
        dev = f"cuda:{torch.cuda.current_device()}"
    return dev


@overload
def esno_db_to_no(esno_db: float) -> float: ...
@overload
def esno_db_to_no(esno_db: Any) -> Any: ...
def esno_db_to_no(esno_db: Any) -> Any:
    """Noise power per complex channel use for unit symbol energy: ``10 ** (-Es/N0 / 10)``.

    ``esno_db``: a float (returns a float) or a tensor / array of any shape (returns
    the same type, element-wise; a ``(B,)`` tensor gives one ``N0`` per example).

    >>> esno_db_to_no(10.0)
    0.1
    """
    if isinstance(esno_db, int | float):
        return 10.0 ** (-float(esno_db) / 10.0)
    return 10.0 ** (-esno_db / 10.0)


@functools.cache
def _seeded_awgn_class():  # unannotated: its base class is only known at run time
    import torch

    class _SeededAWGN(sionna_phy().channel.AWGN):
        @property
        def torch_rng(self) -> torch.Generator:
            return self._generator

    return _SeededAWGN


def seeded_awgn(device: str, seed: int) -> Any:
    """Sionna's ``AWGN`` block drawing its noise from a private ``torch.Generator``.

    Called as ``block(x, no)``: ``x`` complex of any shape, ``no`` a float or a tensor
    broadcast from the first axis (``(B,)``: one noise power per example); returns
    ``x + n`` with ``n ~ CN(0, no)``. The generator is explicit and seeded with
    ``seed``, so runs are reproducible and independent of any other Sionna user in the
    process. ``device`` is a name Sionna accepts (``cpu`` or ``cuda:N``).
    """
    import torch

    block = _seeded_awgn_class()(device=device)
    gen = torch.Generator(device=device)
    gen.manual_seed(int(seed))
    block._generator = gen
    return block


def qam16_points(device: str = "cpu") -> Any:
    """Sionna's 16QAM ``("qam", 4)``: complex64 ``(16,)``, Gray labels, unit average energy.

    Point ``i`` carries the 4-bit label ``i``; real and imaginary parts take the
    values ``{-3, -1, 1, 3} / sqrt(10)``.
    """
    return _qam16_points(str(device)).clone()


@functools.cache
def _qam16_points(device: str) -> Any:
    return sionna_phy().mapping.Constellation("qam", 4, device=device)().detach()


def nearest_point(z: Any, points: Any) -> Any:
    """Index (int64, shape of ``z``) of the nearest constellation point of each complex symbol."""
    return (z.unsqueeze(-1) - points.to(z.device, z.dtype)).abs().argmin(dim=-1)


def snap_to_points(z: Any, points: Any, *, straight_through: bool = False) -> Any:
    """Each complex symbol of ``z`` replaced by its nearest point of ``points``.

    With ``straight_through`` the backward pass is the identity
    (``z + (q(z) - z).detach()``), so a network can train through the quantiser.
    """
    pts = points.to(z.device, z.dtype)
    q = pts[nearest_point(z.detach(), pts)]
    return z + (q - z).detach() if straight_through else q
