import numpy as np
import pytest

from seess.importance import (
    node_importance,
    node_importance_parts,
    saliency_mass,
    spectral_residual_saliency,
)


def test_saliency_shape_range_on_photo(astronaut):
    s = spectral_residual_saliency(astronaut)
    assert s.shape == astronaut.shape[:2] and s.dtype == np.float64
    assert np.all(np.isfinite(s)) and s.min() >= 0.0 and s.max() <= 1.0
    assert s.max() > 0.9  # scaled by its maximum (up to the final resize)


def test_bright_blob_is_salient():
    img = np.full((96, 128, 3), 60, np.uint8)
    img[30:50, 80:100] = 250
    s = spectral_residual_saliency(img)
    blob = s[30:50, 80:100].mean()
    far = s[70:, :40].mean()
    assert blob > 3 * far
    peak = np.unravel_index(np.argmax(s), s.shape)
    assert 22 <= peak[0] <= 58 and 72 <= peak[1] <= 108


@pytest.mark.parametrize("shape", [(1, 1), (5, 3), (64, 64), (37, 200)])
@pytest.mark.parametrize("value", [0, 128, 255])
def test_constant_and_tiny_images_have_no_nan(shape, value):
    s = spectral_residual_saliency(np.full((*shape, 3), value, np.uint8))
    assert s.shape == shape
    assert np.all(np.isfinite(s)) and s.min() >= 0 and s.max() <= 1


def test_saliency_is_opencvs_map_of_the_file_as_the_demo_reads_it(astronaut, tmp_path):
    """Independent reference: the authors' demo calls OpenCV on ``cv2.imread(path)`` (BGR)."""
    import cv2
    from PIL import Image

    img = np.ascontiguousarray(astronaut[::3, ::2])  # non-square, odd sizes
    path = tmp_path / "img.png"
    Image.fromarray(img).save(path)
    ok, ref = cv2.saliency.StaticSaliencySpectralResidual_create().computeSaliency(
        cv2.imread(str(path))
    )
    assert ok and ref.dtype == np.float32
    np.testing.assert_array_equal(spectral_residual_saliency(img), ref.astype(np.float64))


def test_saliency_rejects_bad_input():
    with pytest.raises(ValueError, match="uint8"):
        spectral_residual_saliency(np.zeros((8, 8, 3), np.float32))
    with pytest.raises(ValueError, match=r"\(H, W, 3\)"):
        spectral_residual_saliency(np.zeros((8, 8), np.uint8))
    with pytest.raises(TypeError, match="numpy"):
        spectral_residual_saliency([[0]])


def test_saliency_mass():
    s = np.arange(12, dtype=float).reshape(3, 4)
    masks = np.zeros((2, 3, 4), bool)
    masks[0, 0] = True
    masks[1, :, 3] = True
    np.testing.assert_allclose(saliency_mass(s, masks), [6.0, 3 + 7 + 11])


def test_importance_matches_oracle(oracle, gen):
    rng = np.random.default_rng(1)
    for _ in range(60):
        n = int(rng.integers(1, 9))
        e = gen.edges(n, 0.4, rng)
        w = rng.uniform(-0.2, 1.0, size=len(e))  # some non-positive scores are ignored
        mass = rng.random(n) * 100 * (rng.random(n) < 0.8)  # some zero masses
        k1, k2, k3 = rng.uniform(1, 4), rng.uniform(1, 4), rng.random()
        got = node_importance(mass, e, w, k1, k2, k3)
        want = oracle.importance(mass, e, w, k1, k2, k3)
        np.testing.assert_allclose(got, want, rtol=0, atol=1e-12)
        assert abs(got.sum() - 1) < 1e-12 and np.all(got >= 0)


def test_single_node_and_fallbacks():
    assert node_importance(np.array([3.0]), np.zeros((0, 3), int), np.zeros(0), 2, 3, 0.8)[0] == 1
    # no relations: semantic alone
    parts = node_importance_parts(
        np.array([1.0, 4.0]), np.zeros((0, 3), int), np.zeros(0), 2.0, 3.0, 0.8
    )
    assert parts["relation_fallback"]
    np.testing.assert_allclose(parts["importance"], [1 / 3, 2 / 3])
    # every mass zero: uniform semantic part, no NaN
    imp = node_importance(np.zeros(3), np.array([[0, 1, 2]]), np.array([0.5]), 2.25, 3, 0.8)
    assert np.all(np.isfinite(imp)) and abs(imp.sum() - 1) < 1e-12
    # relation part raises the endpoints of a strong edge
    base = node_importance(np.ones(3), np.zeros((0, 3), int), np.zeros(0), 2.25, 3, 0.8)
    rel = node_importance(np.ones(3), np.array([[0, 1, 5]]), np.array([0.9]), 2.25, 3, 0.8)
    assert rel[0] > base[0] and rel[2] < base[2]


def test_importance_rejects_bad_input():
    with pytest.raises(ValueError, match="saliency_mass"):
        node_importance(np.array([-1.0, 2.0]), np.zeros((0, 3), int), np.zeros(0), 2, 3, 0.8)
    with pytest.raises(ValueError, match="out of range"):
        node_importance(np.ones(2), np.array([[0, 2, 1]]), np.ones(1), 2, 3, 0.8)
    with pytest.raises(ValueError, match="edge scores"):
        node_importance(np.ones(2), np.array([[0, 1, 1]]), np.ones(2), 2, 3, 0.8)
