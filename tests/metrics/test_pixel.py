"""PSNR, SSIM and MS-SSIM against hand computations and scikit-image."""

from __future__ import annotations

import math

import numpy as np
import pytest
from skimage.metrics import structural_similarity

from semcom_core.imageio import ImageError
from semcom_metrics.pixel import PSNR
from semcom_metrics.ssim import MS_SSIM_WEIGHTS, MSSSIM, SSIM, ms_ssim_min_side

from .conftest import add_noise

# torchmetrics evaluates log(data_range) in float32: ~3e-7 dB from the float64 formula.
PSNR_TOL = 1e-5


# ---------------------------------------------------------------- PSNR
def test_psnr_matches_hand_formula(photo_pair):
    ref, test = photo_pair
    mse = np.mean((ref.astype(np.float64) - test.astype(np.float64)) ** 2)
    assert PSNR().score(ref, test) == pytest.approx(10 * math.log10(255.0**2 / mse), abs=PSNR_TOL)


def test_psnr_identical_is_inf_and_batches_mix_sizes(bundled_images):
    a, c = bundled_images["astronaut"], bundled_images["chelsea"]
    c2 = add_noise(c, 5.0, seed=2)
    vals = PSNR(batch_size=1).score_batch([a, c, a], [a, c2, add_noise(a, 5.0, 3)])
    assert vals[0] == math.inf
    mse = np.mean((c.astype(float) - c2.astype(float)) ** 2)
    assert vals[1] == pytest.approx(10 * math.log10(255.0**2 / mse), abs=PSNR_TOL)
    assert math.isfinite(vals[2])


def test_psnr_constant_images_are_finite():
    a = np.full((16, 16, 3), 10, np.uint8)
    b = np.full((16, 16, 3), 11, np.uint8)
    assert PSNR().score(a, b) == pytest.approx(10 * math.log10(255.0**2), abs=PSNR_TOL)


# ---------------------------------------------------------------- SSIM
def _skimage_ssim(ref, test):
    """The independent reference: scikit-image's SSIM with Wang et al.'s Gaussian window."""
    return structural_similarity(
        ref,
        test,
        gaussian_weights=True,
        sigma=1.5,
        use_sample_covariance=False,
        data_range=255,
        channel_axis=2,
    )


@pytest.mark.parametrize("name,sigma", [("astronaut", 20.0), ("chelsea", 5.0), ("coffee", 60.0)])
def test_ssim_matches_scikit_image(bundled_images, name, sigma):
    ref = bundled_images[name]
    test = add_noise(ref, sigma, seed=4)
    expected = _skimage_ssim(ref, test)
    assert SSIM().score(ref, test) == pytest.approx(expected, abs=1e-4)


def test_ssim_float64_is_exact():
    rng = np.random.default_rng(7)
    ref = rng.integers(0, 256, (40, 48, 3), dtype=np.uint8)
    test = add_noise(ref, 30.0, seed=8)
    expected = _skimage_ssim(ref, test)
    assert SSIM(precision="float64").score(ref, test) == pytest.approx(expected, abs=1e-10)
    assert SSIM().describe()["precision"] == "float32"


@pytest.mark.parametrize("cls", [SSIM, MSSSIM])
def test_ssim_batch_equals_single(bundled_images, cls):
    # three crops of one size (stacked together when batch_size > 1) and one other
    # size; every shorter side >= 176 px (MS-SSIM's 5 scales)
    astronaut = bundled_images["astronaut"]
    refs = [astronaut[y : y + 200, x : x + 220] for y, x in ((0, 0), (30, 20), (56, 36))]
    refs.append(astronaut)
    tests = [add_noise(r, 15.0, seed=i) for i, r in enumerate(refs)]
    one_by_one = cls()  # CPU default: one pair per tensor
    assert one_by_one.batch_size == 1
    expected = [one_by_one.score(r, t) for r, t in zip(refs, tests)]
    for batch_size in (2, 16):
        got = cls(batch_size=batch_size).score_batch(refs, tests)
        assert got == pytest.approx(expected, abs=1e-6)


def test_ssim_constant_images_defined():
    a = np.full((32, 32, 3), 0, np.uint8)
    b = np.full((32, 32, 3), 255, np.uint8)
    m = SSIM()
    assert m.score(a, a) == pytest.approx(1.0, abs=1e-12)
    v = m.score(a, b)
    assert math.isfinite(v) and -1.0 <= v < 0.01
    ms = MSSSIM().score(np.zeros((176, 176, 3), np.uint8), np.full((176, 176, 3), 255, np.uint8))
    assert math.isfinite(ms) and 0.0 <= ms <= 1.0


# ---------------------------------------------------------------- MS-SSIM by hand
def _gauss_window(size=11, sigma=1.5):
    x = np.arange(size) - (size - 1) / 2
    g = np.exp(-(x**2) / (2 * sigma**2))
    g /= g.sum()
    return np.outer(g, g)


def _filter_valid(img, win):
    from numpy.lib.stride_tricks import sliding_window_view

    return np.einsum("ijkl,kl->ij", sliding_window_view(img, win.shape), win)


def _ssim_maps(x, y):
    """Wang et al. luminance and contrast-structure maps (valid region) of one channel."""
    c1, c2 = (0.01 * 255) ** 2, (0.03 * 255) ** 2
    w = _gauss_window()
    mx, my = _filter_valid(x, w), _filter_valid(y, w)
    sxx = _filter_valid(x * x, w) - mx**2
    syy = _filter_valid(y * y, w) - my**2
    sxy = _filter_valid(x * y, w) - mx * my
    lum = (2 * mx * my + c1) / (mx**2 + my**2 + c1)
    cs = (2 * sxy + c2) / (sxx + syy + c2)
    return lum, cs


def _ms_ssim_by_hand(ref, test):
    """MS-SSIM (Wang, Simoncelli, Bovik 2003): prod_j cs_j^b_j * l_M^b_M, 2x2 mean pooling."""
    x, y = ref.astype(np.float64), test.astype(np.float64)
    value = 1.0
    for level, beta in enumerate(MS_SSIM_WEIGHTS):
        lum, cs = zip(*(_ssim_maps(x[..., c], y[..., c]) for c in range(3)))
        if level < len(MS_SSIM_WEIGHTS) - 1:
            value *= np.mean(np.stack(cs)) ** beta
            h, w = (x.shape[0] // 2) * 2, (x.shape[1] // 2) * 2
            x = x[:h, :w].reshape(h // 2, 2, w // 2, 2, 3).mean(axis=(1, 3))
            y = y[:h, :w].reshape(h // 2, 2, w // 2, 2, 3).mean(axis=(1, 3))
        else:
            value *= np.mean(np.stack(lum) * np.stack(cs)) ** beta
    return value


@pytest.mark.parametrize("shape", [(176, 190), (200, 181)])
def test_ms_ssim_matches_wang_definition(bundled_images, shape):
    ref = bundled_images["astronaut"][: shape[0], : shape[1]]
    test = add_noise(ref, 25.0, seed=5)
    assert MSSSIM().score(ref, test) == pytest.approx(_ms_ssim_by_hand(ref, test), abs=1e-4)


def test_ms_ssim_small_images_raise_or_nan(bundled_images):
    assert ms_ssim_min_side() == 176
    small = bundled_images["chelsea"]  # 170 x 256
    big = bundled_images["astronaut"]
    with pytest.raises(ImageError, match=r"at least 176 px"):
        MSSSIM().score_batch([big, small], [big, small])
    vals = MSSSIM(small_images="nan").score_batch([small, big], [small, big])
    assert math.isnan(vals[0]) and vals[1] == pytest.approx(1.0, abs=1e-12)
    with pytest.raises(ValueError, match="small_images"):
        MSSSIM(small_images="stretch")


# ---------------------------------------------------------------- input validation
def test_size_mismatch_is_error_unless_resize(bundled_images):
    a, c = bundled_images["astronaut"], bundled_images["chelsea"]
    with pytest.raises(ImageError, match="sizes differ"):
        PSNR().score(a, c)
    assert math.isfinite(PSNR(resize=True).score(a, c))


def test_grayscale_and_rgba_are_converted_like_imageio(photo_pair):
    ref, test = photo_pair
    gray_r, gray_t = ref[..., 0], test[..., 0]
    as_rgb = [np.repeat(g[..., None], 3, axis=2) for g in (gray_r, gray_t)]
    for m in (PSNR(), SSIM()):
        assert m.score(gray_r, gray_t) == pytest.approx(m.score(*as_rgb), abs=1e-12)
    opaque = [np.dstack([im, np.full(im.shape[:2], 255, np.uint8)]) for im in (ref, test)]
    assert PSNR().score(*opaque) == pytest.approx(PSNR().score(ref, test), abs=1e-12)
    with pytest.raises(ImageError, match="channels"):
        PSNR().score(np.zeros((8, 8, 5), np.uint8), np.zeros((8, 8, 5), np.uint8))


def test_tiny_images():
    one = np.zeros((1, 1, 3), np.uint8)
    other = np.full((1, 1, 3), 51, np.uint8)
    assert PSNR().score(one, other) == pytest.approx(20 * math.log10(5.0), abs=PSNR_TOL)
    with pytest.raises(ImageError, match="at least 11 px"):
        SSIM().score(one, other)
    with pytest.raises(ImageError, match="at least 176 px"):
        MSSSIM().score(one, other)


def test_bad_options_fail_at_construction():
    with pytest.raises(TypeError, match="unknown option"):
        SSIM(window=7)
    with pytest.raises(ValueError, match="batch_size"):
        PSNR(batch_size=0)
    with pytest.raises(ValueError, match="unknown device"):
        PSNR(device="tpu")
