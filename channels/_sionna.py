"""Private glue to Sionna PHY: cached LDPC blocks.

The lazy Sionna import, device names, the seeded AWGN and the SNR conversion are shared with the
learned codec and live in :mod:`semcom_core.phy`; they are re-exported here for the
links. Sionna's global ``config`` is never modified.
"""

from __future__ import annotations

from semcom_core.models import cached_model
from semcom_core.phy import seeded_awgn, sionna_device, sionna_phy

__all__ = ["ldpc_blocks", "seeded_awgn", "sionna_device", "sionna_phy"]


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
