"""Private glue to Sionna PHY: lazy import, device names, seeded AWGN, cached LDPC blocks.

Sionna's global ``config`` is never modified. Importing ``sionna.phy`` re-seeds
torch's default generators; :func:`sionna_phy` restores their state so the
import leaves no global RNG changed.
"""

from __future__ import annotations

import functools

import torch

from semcom_core.models import cached_model, resolve_device

__all__ = ["ldpc_blocks", "seeded_awgn", "sionna_device", "sionna_phy"]


@functools.cache
def sionna_phy():
    """Import ``sionna.phy`` once, keeping torch's global RNG states unchanged."""
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
            "semcom_channels needs Sionna 2.x PHY: pip install 'sionna-no-rt>=2.0.1'"
        ) from err
    finally:
        torch.set_rng_state(cpu_state)
        if cuda_states is not None:
            torch.cuda.set_rng_state_all(cuda_states)
    return phy


def sionna_device(device: str) -> str:
    """``auto|cpu|cuda|cuda:N`` -> a device name Sionna accepts (``cpu`` or ``cuda:N``)."""
    dev = resolve_device(device)
    if dev == "cuda":
        dev = f"cuda:{torch.cuda.current_device()}"
    return dev


@functools.cache
def _seeded_awgn_class():
    class _SeededAWGN(sionna_phy().channel.AWGN):
        @property
        def torch_rng(self) -> torch.Generator:
            return self._generator

    return _SeededAWGN


def seeded_awgn(device: str, seed: int):
    """Sionna's ``AWGN`` block drawing its noise from a private ``torch.Generator``.

    The block normally uses ``sionna.phy.config``'s global generator; here the
    generator is explicit and seeded, so runs are reproducible and independent
    of any other Sionna user in the process.
    """
    block = _seeded_awgn_class()(device=device)
    gen = torch.Generator(device=device)
    gen.manual_seed(int(seed))
    block._generator = gen
    return block


def ldpc_blocks(k: int, n: int, device: str, num_iter: int, cn_update: str):
    """Cached ``(LDPC5GEncoder(k, n), LDPC5GDecoder(encoder))`` pair for ``device``."""

    def build():
        ldpc = sionna_phy().fec.ldpc
        enc = ldpc.LDPC5GEncoder(k, n, device=device, check_input=False)
        dec = ldpc.LDPC5GDecoder(
            enc,
            cn_update=cn_update,
            num_iter=num_iter,
            hard_out=True,
            return_infobits=True,
            device=device,
        )
        return enc.eval(), dec.eval()

    return cached_model(("semcom_channels.ldpc5g", k, n, device, num_iter, cn_update), build)
