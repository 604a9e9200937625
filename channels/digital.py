"""Digital link: bytes -> 5G LDPC -> (interleaver) -> Sionna Mapper -> AWGN -> Demapper -> LDPC BP -> bytes.

Every block of every file of a batch goes through the same Sionna blocks in
batched calls (the receiver splits very large batches into chunks of at most
``max_chunk_bits`` coded bits: to bound memory, and on the CPU because Sionna's
decoder runs faster on chunks whose messages stay in cache). Noise is drawn per file from
its own seeded generator, so a file's result depends only on its payload, the
SNR and its seed, never on the rest of the batch.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np
import torch
from tqdm.auto import tqdm

from semcom_channels._sionna import ldpc_blocks, seeded_awgn, sionna_device, sionna_phy
from semcom_channels.modulation import get_modulation
from semcom_channels.snr import check_snr_def, ebno_to_esno_db, esno_db_to_no, validate_snr_db
from semcom_core.seeds import derive_seed, validate_seed

__all__ = ["K_MAX", "K_MIN", "DigitalLink", "LinkRecord", "bits_to_bytes", "bytes_to_bits"]

K_MAX = 8448  # largest 5G LDPC information block (base graph 1)
K_MIN = 12  # smallest block Sionna's LDPC5GEncoder accepts
# Default receiver chunk (coded bits) per device kind. On the 2-core CPU box a
# 100 KB QPSK file (95 blocks of n = 16896) took 8.3 s with 2**17 (7 blocks per
# chunk) against 12.5 s with 2**19 and 22 s with 2**21 (benchmarks/bench_channels.py
# --max-chunk-bits); on the GPU larger chunks keep the device busy.
DEFAULT_CHUNK_BITS = {"cpu": 2**17, "cuda": 2**19}
CODINGS = ("ldpc", "none")


def bytes_to_bits(payload: bytes) -> np.ndarray:
    """``bytes`` -> uint8 array of ``8 * len(payload)`` bits (MSB first)."""
    return np.unpackbits(np.frombuffer(payload, dtype=np.uint8))


def bits_to_bytes(bits: np.ndarray) -> bytes:
    """uint8/bool bit array (length a multiple of 8, MSB first) -> ``bytes``."""
    return np.packbits(np.asarray(bits, dtype=np.uint8)).tobytes()


@dataclass
class LinkRecord:
    """What one payload went through and how it arrived.

    ``bit_errors_uncoded`` counts hard decisions on the demapper LLRs against
    the transmitted coded bits (``coded_bits`` of them, padding included);
    ``bit_errors`` counts decoded payload bits against the sent ones
    (``bits`` of them, padding excluded). ``block_errors`` counts codewords
    with any decoded information-bit error.
    """

    snr_db: float
    snr_def: str
    esno_db: float
    modulation: str
    bits_per_symbol: int
    coding: str
    code_rate: float
    effective_code_rate: float
    block_bits: int
    codeword_bits: int
    n_blocks: int
    channel_uses: int
    bits: int
    coded_bits: int
    bit_errors_uncoded: int
    bit_errors: int
    block_errors: int
    payload_intact: bool
    seed: int
    interleave: bool
    decoder_iterations: int
    device: str

    @property
    def ber_uncoded(self) -> float:
        return self.bit_errors_uncoded / self.coded_bits if self.coded_bits else 0.0

    @property
    def ber(self) -> float:
        return self.bit_errors / self.bits if self.bits else 0.0

    def to_dict(self) -> dict:
        d = asdict(self)
        d["ber_uncoded"] = self.ber_uncoded
        d["ber"] = self.ber
        return d


class DigitalLink:
    """Bytes over 5G LDPC + a Sionna constellation + AWGN.

    Parameters
    ----------
    modulation : ``bpsk | qpsk | 16qam | 64qam``.
    code_rate : LDPC rate in ``[0.2, 0.95]`` (default 1/2); ignored for ``coding="none"``.
    snr_def : ``"Es/N0"`` (default; unit symbol energy, ``N0 = 10**(-snr/10)``) or
        ``"Eb/N0"`` (per information bit; converted with Sionna's ``ebnodb2no``).
    interleave : apply Sionna's ``RandomInterleaver`` (fixed ``interleaver_seed``
        shared by TX and RX) to each codeword before mapping.
    device : ``cpu | cuda | cuda:N | auto``; on CPU torch's allowed thread count is used.
    coding : ``"ldpc"`` (default) or ``"none"`` (uncoded bits, for reference curves).
    block_bits : information bits per codeword ``k``; ``None`` (default) picks, per
        file, the fewest blocks of at most 8448 bits that carry it, with ``k``
        equalised across them (padding < one bit per block). Files of one batch that
        get the same layout share the batched Sionna calls; a file's result never
        depends on the other files of its batch.
    num_iter, cn_update : LDPC BP iterations (20) and check-node rule (``boxplus-phi``).
    demapping : ``"app"`` (default) or ``"maxlog"`` LLRs.
    max_chunk_bits : coded bits per receiver call (at least one block); ``None``
        picks :data:`DEFAULT_CHUNK_BITS` for the device. Results do not depend on it.

    Notes
    -----
    Each file's bits are cut into blocks of ``k`` bits, the last zero-padded;
    the codeword length is ``n = ceil(k / code_rate / bps) * bps`` so a codeword
    fills whole symbols. Channel uses per file: ``n_blocks * n / bps``.
    ``Es/N0 = Eb/N0 + 10 log10(bps * k / n)``.

    Examples
    --------
    >>> link = DigitalLink("qpsk", code_rate=0.5)
    >>> data, rec = link.transmit(b"hello", snr_db=10.0, seed=1)
    >>> data == b"hello", rec.payload_intact
    (True, True)
    """

    def __init__(
        self,
        modulation: str = "qpsk",
        code_rate: float = 0.5,
        snr_def: str = "Es/N0",
        interleave: bool = False,
        device: str = "cpu",
        *,
        coding: str = "ldpc",
        block_bits: int | None = None,
        num_iter: int = 20,
        cn_update: str = "boxplus-phi",
        demapping: str = "app",
        interleaver_seed: int = 1234,
        max_chunk_bits: int | None = None,
        progress: bool = True,
    ) -> None:
        self.modulation = get_modulation(modulation)
        if coding not in CODINGS:
            raise ValueError(f"unknown coding {coding!r}; valid: {', '.join(CODINGS)}")
        self.coding = coding
        rate = 1.0 if coding == "none" else code_rate
        if isinstance(rate, bool) or not isinstance(rate, int | float) or not math.isfinite(rate):
            raise ValueError(f"code_rate must be a number, got {code_rate!r}")
        if coding == "ldpc" and not 0.2 <= rate <= 0.95:
            raise ValueError(f"code_rate must be in [0.2, 0.95] for 5G LDPC, got {rate}")
        self.code_rate = float(rate)
        self.snr_def = check_snr_def(snr_def)
        self.interleave = bool(interleave)
        if block_bits is not None and not (
            isinstance(block_bits, int) and K_MIN <= block_bits <= K_MAX
        ):
            raise ValueError(f"block_bits must be an int in [{K_MIN}, {K_MAX}] or None")
        self.block_bits = block_bits
        if not isinstance(num_iter, int) or num_iter < 1:
            raise ValueError(f"num_iter must be a positive int, got {num_iter!r}")
        self.num_iter = num_iter
        self.cn_update = cn_update
        if demapping not in ("app", "maxlog"):
            raise ValueError(f"demapping must be 'app' or 'maxlog', got {demapping!r}")
        self.demapping = demapping
        self.interleaver_seed = validate_seed(interleaver_seed)
        self.progress = progress
        self.device = sionna_device(device)
        if max_chunk_bits is None:
            max_chunk_bits = DEFAULT_CHUNK_BITS[self.device.split(":")[0]]
        if (
            isinstance(max_chunk_bits, bool)
            or not isinstance(max_chunk_bits, int)
            or max_chunk_bits < 1
        ):
            raise ValueError(f"max_chunk_bits must be a positive int, got {max_chunk_bits!r}")
        self.max_chunk_bits = max_chunk_bits
        self._blocks = None

    # -- Sionna blocks ---------------------------------------------------------------------
    def _mapping_blocks(self):
        if self._blocks is None:
            phy = sionna_phy()
            m = self.modulation
            const = phy.mapping.Constellation(
                m.constellation_type, m.bits_per_symbol, device=self.device
            )
            mapper = phy.mapping.Mapper(constellation=const, device=self.device)
            demapper = phy.mapping.Demapper(self.demapping, constellation=const, device=self.device)
            inter = phy.fec.interleaving.RandomInterleaver(
                seed=self.interleaver_seed, keep_state=True, axis=-1, device=self.device
            )
            deinter = phy.fec.interleaving.Deinterleaver(inter)
            self._blocks = (mapper, demapper, inter, deinter)
        return self._blocks

    def block_layout(self, n_bits: Sequence[int]) -> tuple[int, int]:
        """``(k, n)`` used for a batch whose files hold ``n_bits`` payload bits each."""
        bps = self.modulation.bits_per_symbol
        if self.block_bits is not None:
            k = self.block_bits
        else:
            longest = max([0, *n_bits])
            nb = max(1, math.ceil(longest / K_MAX))
            k = max(K_MIN, math.ceil(longest / nb))
        n = math.ceil(k / self.code_rate / bps) * bps
        if self.coding == "ldpc" and k / n > 0.95:
            n += bps
        return k, n

    def _no(self, snr_db: float, k: int, n: int) -> tuple[float, float]:
        """``(Es/N0 dB, N0)`` for this link's SNR definition."""
        bps = self.modulation.bits_per_symbol
        if self.snr_def == "Es/N0":
            return snr_db, esno_db_to_no(snr_db)
        no = sionna_phy().utils.ebnodb2no(snr_db, bps, k / n, device="cpu")
        return ebno_to_esno_db(snr_db, bps, k / n), float(no)

    # -- public API ----------------------------------------------------------------------
    def transmit(self, payload: bytes, snr_db: float, seed: int) -> tuple[bytes, LinkRecord]:
        """Send one payload; returns the received bytes and its :class:`LinkRecord`.

        Same result as ``transmit_batch([payload], snr_db, seeds=[seed])[0]``.
        """
        return self.transmit_batch([payload], snr_db, seeds=[seed])[0]

    def transmit_batch(
        self,
        payloads: Sequence[bytes],
        snr_db: float,
        seed: int | None = None,
        *,
        seeds: Sequence[int] | None = None,
    ) -> list[tuple[bytes, LinkRecord]]:
        """Send several payloads at one SNR in batched Sionna calls.

        Give either ``seed`` (file ``i`` then uses ``derive_seed(seed, i)``) or one
        seed per payload in ``seeds``. Returns ``[(received_bytes, record), ...]``
        in payload order; received bytes always have the sent length.
        """
        snr = validate_snr_db(snr_db)
        data = [_as_bytes(p, i) for i, p in enumerate(payloads)]
        if (seed is None) == (seeds is None):
            raise ValueError("give exactly one of seed= (batch seed) or seeds= (one per payload)")
        if seeds is None:
            base = validate_seed(seed)
            file_seeds = [derive_seed(base, i) for i in range(len(data))]
        else:
            file_seeds = [validate_seed(s) for s in seeds]
            if len(file_seeds) != len(data):
                raise ValueError(f"got {len(file_seeds)} seeds for {len(data)} payloads")
        groups: dict[tuple[int, int], list[int]] = {}
        for i, d in enumerate(data):
            groups.setdefault(self.block_layout([8 * len(d)]), []).append(i)
        out: dict[int, tuple[bytes, LinkRecord]] = {}
        with torch.inference_mode():
            for (k, n), idx in groups.items():
                done = self._run([data[i] for i in idx], snr, [file_seeds[i] for i in idx], k, n)
                out.update(zip(idx, done, strict=True))
        return [out[i] for i in range(len(data))]

    # -- the link ------------------------------------------------------------------------
    def _run(self, data: list[bytes], snr: float, file_seeds: list[int], k: int, n: int):
        bps = self.modulation.bits_per_symbol
        bits = [bytes_to_bits(d) for d in data]
        esno_db, no = self._no(snr, k, n)
        nblk = [math.ceil(b.size / k) for b in bits]
        starts = np.concatenate([[0], np.cumsum(nblk)]).astype(int)
        total = int(starts[-1])
        info = np.zeros((total, k), dtype=np.float32)
        for i, b in enumerate(bits):
            flat = info[starts[i] : starts[i + 1]].reshape(-1)
            flat[: b.size] = b
        blk_err, raw_err, dec_bits = self._through_link(info, nblk, starts, file_seeds, k, n, no)

        out = []
        for i, b in enumerate(bits):
            sl = slice(starts[i], starts[i + 1])
            rx_bits = dec_bits[sl].reshape(-1)[: b.size]
            bit_errors = int(np.count_nonzero(rx_bits != b))
            rec = LinkRecord(
                snr_db=snr,
                snr_def=self.snr_def,
                esno_db=esno_db,
                modulation=self.modulation.name,
                bits_per_symbol=bps,
                coding=self.coding,
                code_rate=self.code_rate,
                effective_code_rate=k / n,
                block_bits=k,
                codeword_bits=n,
                n_blocks=nblk[i],
                channel_uses=nblk[i] * n // bps,
                bits=int(b.size),
                coded_bits=nblk[i] * n,
                bit_errors_uncoded=int(raw_err[sl].sum()),
                bit_errors=bit_errors,
                block_errors=int(blk_err[sl].sum()),
                payload_intact=bit_errors == 0,
                seed=file_seeds[i],
                interleave=self.interleave,
                decoder_iterations=self.num_iter if self.coding == "ldpc" else 0,
                device=self.device,
            )
            out.append((bits_to_bytes(rx_bits), rec))
        return out

    def _through_link(
        self,
        info: np.ndarray,
        nblk: list[int],
        starts: np.ndarray,
        file_seeds: list[int],
        k: int,
        n: int,
        no: float,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Info blocks ``(total, k)`` -> TX, per-file seeded AWGN, RX.

        Returns per block: block errors (bool), raw (pre-decoding) bit errors, decoded bits.
        """
        mapper, demapper, inter, deinter = self._mapping_blocks()
        dev = self.device
        u = torch.from_numpy(info).to(dev)
        total = int(starts[-1])

        if total:
            # TX: encode, interleave, map -- one call each for the whole batch
            if self.coding == "ldpc":
                enc, dec = ldpc_blocks(k, n, dev, self.num_iter, self.cn_update)
                c = enc(u)
            else:
                dec = None
                c = torch.nn.functional.pad(u, (0, n - k))
            if self.interleave:
                c = inter(c)
            x = mapper(c)  # [total, n / bps] complex
            # channel: per-file seeded AWGN (Sionna block)
            y = torch.empty_like(x)
            for i, s in enumerate(file_seeds):
                if nblk[i]:
                    sl = slice(starts[i], starts[i + 1])
                    y[sl] = seeded_awgn(dev, s)(x[sl], no)
            # RX in chunks of <= max_chunk_bits coded bits
            per_chunk = max(1, self.max_chunk_bits // n)
            chunks = range(0, total, per_chunk)
            raw_err_t = torch.zeros(total, dtype=torch.int64, device=dev)
            u_hat = torch.empty_like(u)
            it = tqdm(
                chunks,
                desc="ldpc decode",
                leave=False,
                disable=not self.progress or len(chunks) < 2,
            )
            no_t = torch.tensor(no, dtype=torch.float32, device=dev)
            for a in it:
                sl = slice(a, min(a + per_chunk, total))
                llr = demapper(y[sl], no_t)
                raw_err_t[sl] = ((llr > 0).to(c.dtype) != c[sl]).sum(dim=1)
                if self.interleave:
                    llr = deinter(llr)
                u_hat[sl] = dec(llr) if dec is not None else (llr[:, :k] > 0).to(u.dtype)
            blk_err = (u_hat != u).any(dim=1).cpu().numpy()
            raw_err = raw_err_t.cpu().numpy()
            dec_bits = u_hat.cpu().numpy().astype(np.uint8)
        else:
            blk_err = raw_err = np.zeros(0, dtype=np.int64)
            dec_bits = np.zeros((0, k), dtype=np.uint8)

        return blk_err, raw_err, dec_bits


def _as_bytes(p: object, i: int) -> bytes:
    if isinstance(p, bytes | bytearray | memoryview):
        return bytes(p)
    raise TypeError(f"payload {i} must be bytes, got {type(p).__name__}")
