"""LPIPS (Zhang et al. 2018) through the ``lpips`` package, and LpipsScore = 1 - LPIPS.

Two sets of weights are involved:

- the linear calibration layers ("lin" weights, ``v0.1/alex.pth`` ...) ship
  inside the ``lpips`` wheel and are always loaded from there (or from
  ``lin_weights``, a path);
- the backbone (AlexNet or VGG16 ImageNet features) comes from torchvision's
  download URL. We load it explicitly: ``backbone_weights`` (a path, config key
  ``metric_options.lpips.backbone_weights``), else torchvision's cache
  (``$TORCH_HOME/hub/checkpoints/<file>``), else ``$SEESS_WEIGHTS/<file>``;
  with ``download=True`` a missing file is fetched into torchvision's cache.
  Otherwise :class:`~semcom_core.weights.MissingWeightsError` (raised on first use,
  so ``required_weights()`` can list what is missing) names the file, the
  URL, the destination and the config key. Files with torchvision's canonical
  name are checked against the SHA-256 prefix in that name.

Input convention (the one place it happens, :func:`lpips_input`): uint8 RGB
is resized to 256x256 (bicubic, as the paper's evaluation size) and mapped to
[-1, 1] by ``x / 127.5 - 1``, the range LPIPS expects (``normalize=False``).
"""

from __future__ import annotations

import os
import pickle
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from semcom_core.models import cached_model, resolve_device
from semcom_core.weights import (
    MissingWeightsError,
    Requirement,
    WeightSpec,
    default_cache_dir,
    resolve_checkpoint,
    sha256_of,
)
from semcom_metrics._common import batches_by_shape, package_versions
from semcom_metrics.base import Metric, resize_to

__all__ = ["BACKBONES", "LPIPS", "LpipsScore", "backbone_spec", "load_lpips", "lpips_input"]

# torchvision's ImageNet weights used by lpips.pretrained_networks (IMAGENET1K_V1).
BACKBONES: dict[str, tuple[str, str]] = {
    "alex": (
        "alexnet-owt-7be5be79.pth",
        "https://download.pytorch.org/models/alexnet-owt-7be5be79.pth",
    ),
    "vgg": ("vgg16-397923af.pth", "https://download.pytorch.org/models/vgg16-397923af.pth"),
}
CONFIG_KEY = "metric_options.lpips.backbone_weights"
DEFAULT_SIZE = 256


def backbone_spec(net: str) -> WeightSpec:
    """The :class:`WeightSpec` of the torchvision backbone of ``net`` (``alex`` or ``vgg``)."""
    filename, url = BACKBONES[net]
    return WeightSpec(
        filename,
        url,
        filename.rsplit("-", 1)[1].split(".")[0],  # the SHA-256 prefix in torchvision's name
        CONFIG_KEY,
        f"LPIPS backbone ({net}: torchvision ImageNet weights {filename})",
    )


def _torch_hub_checkpoints() -> Path:
    import torch

    return Path(torch.hub.get_dir()) / "checkpoints"


def _missing(spec: WeightSpec, reason: str) -> MissingWeightsError:
    dest = _torch_hub_checkpoints() / spec.filename
    return MissingWeightsError(
        f"{spec.description}: {reason}.\n"
        f"  Download {spec.url}\n"
        f"  and put it at {dest} (torchvision's cache) or {default_cache_dir() / spec.filename},\n"
        f"  or set `{spec.config_key}` in config.yaml to its path (or pass download=True on a\n"
        f"  machine with internet access)."
    )


def _check_hash(path: Path, spec: WeightSpec) -> Path:
    """Check the SHA-256 prefix torchvision encodes in its file names (``name-<hash8>.pth``)."""
    if path.name != spec.filename:
        return path  # a user's own file: no known digest
    prefix = spec.sha256 or ""
    digest = sha256_of(path)
    if not digest.startswith(prefix):
        raise MissingWeightsError(
            f"{path}: SHA-256 {digest[:16]}... does not start with {prefix} as torchvision's "
            f"{spec.filename} does; the file is corrupt. Re-download {spec.url}."
        )
    return path


def resolve_backbone(
    net: str, path: str | os.PathLike | None = None, *, download: bool = False
) -> Path:
    """A local, checked backbone checkpoint for ``net`` (see the module docstring for the order)."""
    spec = backbone_spec(net)
    if path:
        p = Path(path).expanduser()
        if not p.is_file():
            raise _missing(spec, f"checkpoint file '{p}' not found")
        return _check_hash(p, spec)
    for candidate in (
        _torch_hub_checkpoints() / spec.filename,
        default_cache_dir() / spec.filename,
    ):
        if candidate.is_file():
            return _check_hash(candidate, spec)
    if not download:
        raise _missing(spec, "weights not found and downloads are disabled")
    # the one download-and-verify path of the toolkit, into torchvision's cache
    return resolve_checkpoint(spec, cache_dir=_torch_hub_checkpoints(), allow_download=True)


def _load_backbone(model, checkpoint: Path) -> None:
    """Copy a torchvision ``features.*`` state dict into lpips' ``slice<k>.<idx>`` modules."""
    import torch

    try:
        state = torch.load(checkpoint, map_location="cpu", weights_only=True)
    except (OSError, RuntimeError, ValueError, EOFError, pickle.UnpicklingError) as exc:
        raise MissingWeightsError(
            f"{checkpoint}: not a readable torch checkpoint ({exc})"
        ) from None
    if isinstance(state, dict) and "state_dict" in state:
        state = state["state_dict"]
    target = model.net.state_dict()
    mapped = {}
    for key in target:
        _, idx, rest = key.split(".", 2)  # slice3.6.weight -> features.6.weight
        src = f"features.{idx}.{rest}"
        if src not in state:
            raise MissingWeightsError(
                f"{checkpoint}: missing tensor '{src}'; expected torchvision "
                f"{type(model.net).__name__} ImageNet weights"
            )
        if tuple(state[src].shape) != tuple(target[key].shape):
            raise MissingWeightsError(
                f"{checkpoint}: tensor '{src}' has shape {tuple(state[src].shape)}, "
                f"expected {tuple(target[key].shape)} (wrong network?)"
            )
        mapped[key] = state[src]
    model.net.load_state_dict(mapped, strict=True)


def load_lpips(
    net: str = "alex",
    backbone: Path | None = None,
    lin_weights: str | None = None,
    device: str = "cpu",
    seed: int = 0,
):
    """Build ``lpips.LPIPS`` (eval, no grad) once per process.

    ``backbone``: a resolved checkpoint, or ``None`` for a randomly initialised
    backbone (seeded by ``seed``; tests only). The linear layers always load
    from the wheel (or ``lin_weights``).
    """
    key = ("lpips", net, str(backbone), lin_weights, device, seed if backbone is None else None)

    def factory():
        import lpips
        import torch

        torch.manual_seed(seed)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # torchvision's 'pretrained=' deprecation warning
            model = lpips.LPIPS(
                net=net, pretrained=True, pnet_rand=True, verbose=False, model_path=lin_weights
            )
        if backbone is not None:
            _load_backbone(model, backbone)
        model.eval().requires_grad_(False)
        return model.to(device)

    return cached_model(key, factory)


def lpips_input(images: Sequence[np.ndarray], size: int | None, device: str = "cpu"):
    """uint8 RGB images -> ``(N, 3, size, size)`` float32 tensor in [-1, 1].

    ``size=None`` keeps the native size (all images must share it).
    """
    import torch

    if size is not None:
        images = [resize_to(im, (size, size)) for im in images]
    x = torch.from_numpy(np.stack(images)).permute(0, 3, 1, 2).float()
    return (x / 127.5 - 1.0).to(device)


class LPIPS(Metric):
    """LPIPS distance (lower is better; 0 for identical images).

    Options
    -------
    net: ``"alex"`` (default, as in the authors' demo) or ``"vgg"``.
    backbone_weights: path of the torchvision backbone checkpoint (see module docstring).
    download: fetch a missing backbone into torchvision's cache.
    random_backbone: use a randomly initialised backbone (tests only; ``describe``
        says ``random``).
    lin_weights: path of LPIPS linear weights (default: those shipped in the wheel).
    size: side of the square the images are resized to (default 256; ``None`` = native).
    batch_size, device, resize: as for every metric.
    """

    name = "lpips"
    display_name = "LPIPS distance"
    higher_is_better = False
    value_range = (0.0, float("inf"))

    def __init__(
        self,
        *,
        device: str = "cpu",
        resize: bool = False,
        net: str = "alex",
        backbone_weights: str | None = None,
        download: bool = False,
        random_backbone: bool = False,
        lin_weights: str | None = None,
        size: int | None = DEFAULT_SIZE,
        batch_size: int = 16,
        seed: int = 0,
        **options: Any,
    ) -> None:
        super().__init__(device=resolve_device(device), resize=resize, **options)
        if net not in BACKBONES:
            raise ValueError(f"{self.name}: net must be one of {sorted(BACKBONES)}, got {net!r}")
        if size is not None and int(size) < 32:
            raise ValueError(f"{self.name}: size must be >= 32 px or None, got {size}")
        if int(batch_size) < 1:
            raise ValueError(f"{self.name}: batch_size must be >= 1, got {batch_size}")
        if lin_weights and not Path(lin_weights).expanduser().is_file():
            raise MissingWeightsError(f"{self.name}: lin_weights file '{lin_weights}' not found")
        self.net = net
        self.size = None if size is None else int(size)
        self.batch_size = int(batch_size)
        self.seed = int(seed)
        self.lin_weights = str(Path(lin_weights).expanduser()) if lin_weights else None
        self.random_backbone = bool(random_backbone)
        self.backbone_weights = backbone_weights
        self.download = bool(download)
        self._backbone: Path | None = None  # resolved on first use (see required_weights)

    @property
    def backbone(self) -> Path | None:
        """The checked backbone checkpoint (``None`` for a random backbone); resolved once."""
        if self.random_backbone:
            return None
        if self._backbone is None:
            self._backbone = resolve_backbone(
                self.net, self.backbone_weights, download=self.download
            )
        return self._backbone

    @property
    def model(self):
        return load_lpips(self.net, self.backbone, self.lin_weights, self.device, self.seed)

    def required_weights(self) -> list[Requirement]:
        """The backbone checkpoint (none with ``random_backbone``); never touches the network."""
        if self.random_backbone:
            return []
        spec = backbone_spec(self.net)
        if self.backbone_weights:
            location = Path(self.backbone_weights).expanduser()
            candidates = [location]
        else:
            candidates = [
                _torch_hub_checkpoints() / spec.filename,
                default_cache_dir() / spec.filename,
            ]
            location = next((c for c in candidates if c.is_file()), candidates[1])

        def fetch() -> Path:
            if any(c.is_file() for c in candidates):
                return _check_hash(next(c for c in candidates if c.is_file()), spec)
            if self.backbone_weights:
                raise _missing(spec, f"checkpoint file '{location}' not found")
            return resolve_checkpoint(spec, cache_dir=default_cache_dir(), allow_download=True)

        return [
            Requirement(
                name=spec.description,
                config_key=spec.config_key,
                location=str(location),
                source=spec.url,
                is_present=lambda: any(c.is_file() for c in candidates),
                fetch=fetch,
            )
        ]

    def _distances(self, pairs) -> list[float]:
        import torch

        model = self.model
        out = [0.0] * len(pairs)
        if self.size is None:
            groups = batches_by_shape(pairs, self.batch_size)
        else:  # everything becomes size x size: one stream of batches
            idx = list(range(len(pairs)))
            groups = (
                (
                    idx[s : s + self.batch_size],
                    [pairs[i][0] for i in idx[s : s + self.batch_size]],
                    [pairs[i][1] for i in idx[s : s + self.batch_size]],
                )
                for s in range(0, len(idx), self.batch_size)
            )
        with torch.no_grad():
            for idx, refs, tests in groups:
                d = model(
                    lpips_input(refs, self.size, self.device),
                    lpips_input(tests, self.size, self.device),
                    normalize=False,
                )
                d = d.reshape(-1).double().cpu().numpy()
                for k, i in enumerate(idx):
                    out[i] = float(d[k])
        return out

    def _score_pairs(self, pairs):
        return self._distances(pairs)

    def describe(self) -> dict[str, Any]:
        import lpips

        lin = self.lin_weights or str(
            Path(lpips.__file__).parent / "weights" / "v0.1" / f"{self.net}.pth"
        )
        return {
            **super().describe(),
            "library": "lpips",
            "versions": package_versions("lpips", "torch", "torchvision"),
            "model": f"lpips v0.1 {self.net}",
            "backbone_weights": str(self.backbone) if self.backbone else "random",
            "lin_weights": lin,
            "input": f"resized to {self.size}x{self.size} (bicubic), scaled to [-1, 1]"
            if self.size
            else "native size, scaled to [-1, 1]",
        }


class LpipsScore(LPIPS):
    """``1 - LPIPS distance`` (higher is better; 1 for identical images), as the SeSS paper reports."""

    name = "lpips_score"
    display_name = "LpipsScore (1 - LPIPS)"
    higher_is_better = True
    value_range = (float("-inf"), 1.0)

    def _score_pairs(self, pairs):
        return [1.0 - d for d in self._distances(pairs)]
