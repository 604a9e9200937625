"""semcom_core: the shared basics (seeds, files, images, logging, PHY helpers)."""

from __future__ import annotations

import hashlib
import logging
import math
import os
import stat
import subprocess
import sys
import warnings

import numpy as np
import pytest
from PIL import Image

from semcom_core.fsutil import atomic_path, current_umask, is_path, source_fingerprint
from semcom_core.imageio import ImageError, as_rgb, resize_longer_side, save_png, scan_images
from semcom_core.logs import setup_logging
from semcom_core.seeds import derive_seed, validate_seed


def test_derive_seed_is_sha256_of_the_names_and_independent_of_order_of_calls():
    text = "0|B|jpeg2000+ldpc-16qam|4|astronaut"
    expected = int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big") >> 1
    assert derive_seed(0, "B", "jpeg2000+ldpc-16qam", 4, "astronaut") == expected
    assert derive_seed(0, "B", "x", "4") == derive_seed(0, "B", "x", 4)  # parts as text
    seeds = {derive_seed(s, "B", g, i) for s in (0, 1) for g in ("a", "b") for i in ("p", "q")}
    assert len(seeds) == 8 and all(0 <= s < 2**63 for s in seeds)
    with pytest.raises(ValueError, match="integer"):
        validate_seed(1.5)
    with pytest.raises(ValueError, match="2\\*\\*64"):
        derive_seed(-1, "A")


def test_derive_seed_is_stable_across_processes():
    code = (
        "from semcom_core.seeds import derive_seed; print(derive_seed(7, 'D', 'rotation=20', 'x'))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=os.environ
    )
    assert int(out.stdout) == derive_seed(7, "D", "rotation=20", "x")


def test_atomic_path_follows_the_umask_and_leaves_nothing_on_error(tmp_path):
    with atomic_path(tmp_path / "a.txt") as tmp:
        tmp.write_text("x")
    mode = stat.S_IMODE((tmp_path / "a.txt").stat().st_mode)
    assert mode == 0o666 & ~current_umask()
    old = os.umask(0o077)
    try:
        assert current_umask() == 0o077
        with atomic_path(tmp_path / "b.txt") as tmp:
            tmp.write_text("x")
        assert stat.S_IMODE((tmp_path / "b.txt").stat().st_mode) == 0o600
    finally:
        os.umask(old)
    with pytest.raises(RuntimeError), atomic_path(tmp_path / "c.txt") as tmp:
        tmp.write_text("partial")
        raise RuntimeError
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt", "b.txt"]


def test_source_fingerprint_follows_the_code_not_its_location(tmp_path):
    pkg = tmp_path / "a" / "pkg"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "mod.py").write_text("x = 1\n")
    (pkg / "sub" / "conf.json").write_text("{}")
    (pkg / "notes.txt").write_text("not code")
    fp = source_fingerprint([pkg])
    assert len(fp) == 16 and int(fp, 16) >= 0
    moved = tmp_path / "b" / "pkg"  # another checkout or install path: same fingerprint
    moved.parent.mkdir()
    os.rename(pkg, moved)
    assert source_fingerprint([moved]) == fp
    (moved / "__pycache__").mkdir()  # byte code and other suffixes do not count
    (moved / "__pycache__" / "mod.cpython-311.py").write_text("cache")
    (moved / "notes.txt").write_text("edited")
    assert source_fingerprint([moved]) == fp
    (moved / "mod.py").write_text("x = 2\n")  # an edit, a new file, a config change count
    edited = source_fingerprint([moved])
    assert edited != fp
    (moved / "new.py").write_text("")
    assert source_fingerprint([moved]) not in (fp, edited)
    assert source_fingerprint([moved], exclude=["new.py"]) == edited
    (moved / "sub" / "conf.json").write_text('{"a": 1}')
    assert source_fingerprint([moved], exclude=["new.py"]) != edited
    assert source_fingerprint([moved / "mod.py"]) != source_fingerprint([moved])


def test_is_path_and_as_rgb(tmp_path):
    img = np.zeros((4, 5, 3), np.uint8)
    img[1, 2] = (10, 20, 30)
    p = save_png(tmp_path / "i.png", img)
    assert is_path(p) and is_path(str(p)) and not is_path(img) and not is_path(b"x")
    assert np.array_equal(as_rgb(p), img) and np.array_equal(as_rgb(str(p)), img)
    assert as_rgb(img[..., 0]).shape == (4, 5, 3)  # grey array -> RGB


def test_resize_longer_side_matches_pillow_lanczos_and_never_enlarges():
    rng = np.random.default_rng(0)
    img = rng.integers(0, 256, (90, 200, 3), dtype=np.uint8)
    ref = np.asarray(Image.fromarray(img).resize((64, 29), Image.Resampling.LANCZOS))
    assert np.array_equal(resize_longer_side(img, 64), ref)  # round(90 * 64 / 200) = 29
    assert resize_longer_side(img, 500) is img and resize_longer_side(img, None) is img
    assert resize_longer_side(img[:1, :200], 10).shape == (1, 10, 3)  # at least one pixel


def test_scan_images_keys_hidden_files_and_clashes(tmp_path):
    img = np.zeros((2, 2, 3), np.uint8)
    save_png(tmp_path / "b.png", img)
    save_png(tmp_path / "sub" / "a.png", img)
    save_png(tmp_path / ".hidden.png", img)
    (tmp_path / "notes.txt").write_text("x")
    assert list(scan_images(tmp_path)) == ["b", "a"]  # sorted by path: b.png < sub/a.png
    assert list(scan_images(tmp_path, recursive=False)) == ["b"]
    with pytest.warns(UserWarning, match="notes.txt"):
        scan_images(tmp_path, warn_skipped=True)
    save_png(tmp_path / "sub" / "b.png", img)
    with pytest.raises(ImageError, match="'b'"):
        scan_images(tmp_path)
    assert set(scan_images(tmp_path, key=lambda p: str(p.relative_to(tmp_path)))) == {
        "b.png",
        "sub/a.png",
        "sub/b.png",
    }
    with pytest.raises(ImageError, match="not found"):
        scan_images(tmp_path / "missing")


def test_setup_logging_writes_records_and_warnings_to_the_log_file(tmp_path):
    log = setup_logging("semcom.test", tmp_path / "job.log")
    log.info("hello %d", 3)
    warnings.warn("careful", UserWarning, stacklevel=1)
    for h in logging.getLogger().handlers:
        h.flush()
    text = (tmp_path / "job.log").read_text()
    assert "INFO semcom.test: hello 3" in text and "careful" in text
    logging.captureWarnings(False)


def test_phy_snr_awgn_and_16qam():
    import torch

    from semcom_core.phy import (
        esno_db_to_no,
        nearest_point,
        qam16_points,
        seeded_awgn,
        snap_to_points,
    )

    assert esno_db_to_no(10.0) == pytest.approx(0.1) and isinstance(esno_db_to_no(3), float)
    snr = torch.tensor([0.0, 10.0, 20.0])
    assert torch.allclose(esno_db_to_no(snr), torch.tensor([1.0, 0.1, 0.01]))
    # one AWGN, one noise power per example, reproducible from the seed
    x = torch.zeros(3, 100_000, dtype=torch.complex64)
    y = seeded_awgn("cpu", 5)(x, esno_db_to_no(snr))
    assert torch.allclose(y.abs().square().mean(1), esno_db_to_no(snr), rtol=0.03)
    assert torch.equal(y, seeded_awgn("cpu", 5)(x, esno_db_to_no(snr)))
    assert not torch.equal(y, seeded_awgn("cpu", 6)(x, esno_db_to_no(snr)))
    # the 16QAM grid: levels {-3,-1,1,3}/sqrt(10) on both axes, unit mean energy
    pts = qam16_points()
    levels = sorted({round(v * math.sqrt(10)) for v in pts.real.tolist()})
    assert levels == [-3, -1, 1, 3] and len(set(pts.tolist())) == 16
    assert pts.abs().square().mean().item() == pytest.approx(1.0, abs=1e-6)
    z = (pts + 0.1 * (0.3 - 0.2j)).requires_grad_(False)
    assert torch.equal(nearest_point(z, pts), torch.arange(16))
    w = z.clone().requires_grad_(True)
    q = snap_to_points(w, pts, straight_through=True)
    assert torch.equal(q.detach(), pts)
    q.real.sum().backward()
    assert torch.equal(w.grad, torch.ones(16, dtype=w.dtype))  # identity gradient


def test_one_download_and_verify_path_with_full_or_prefix_digests(tmp_path):
    from semcom_core.weights import MissingWeightsError, WeightSpec, resolve_checkpoint, sha256_of

    src = tmp_path / "src" / "w.bin"
    src.parent.mkdir()
    src.write_bytes(b"weights" * 100)
    digest = sha256_of(src)
    for expected in (digest, digest[:8], None):
        spec = WeightSpec("w.bin", src.as_uri(), expected, "x.key")
        cache = tmp_path / f"cache-{expected and len(expected)}"
        with pytest.raises(MissingWeightsError, match="x.key"):
            resolve_checkpoint(spec, cache_dir=cache)  # downloads disabled: says what to do
        got = resolve_checkpoint(spec, cache_dir=cache, allow_download=True)  # file:// URL
        assert got == cache / "w.bin" and got.read_bytes() == src.read_bytes()
        assert stat.S_IMODE(got.stat().st_mode) == 0o666 & ~current_umask()
    bad = WeightSpec("w.bin", src.as_uri(), "deadbeef", "x.key")
    with pytest.raises(MissingWeightsError, match="SHA-256"):
        resolve_checkpoint(bad, cache_dir=tmp_path / "bad", allow_download=True)
    assert not (tmp_path / "bad" / "w.bin").exists()
    with pytest.raises(MissingWeightsError, match="does not match"):
        resolve_checkpoint(bad, src)
