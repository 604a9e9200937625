"""SeSS as a registered metric (name ``seess``), for the workflow and the CLI.

Options (``metric_options.seess`` in config.yaml): ``backend`` (``sess`` |
``sess-lite``), ``preset`` (``paper`` | ``official``), ``cache_dir`` (graph
cache shared by jobs), ``params`` (hyper-parameter overrides), and the model
options of :func:`seess.api.build_backend` (``clip_model``, ``clip_weights``,
``sam_model``, ``sam_checkpoint``, ``weights_dir``, ``allow_download``...).

Unlike pixel metrics, SeSS compares images of different sizes as they are
(no resize). Within one batch each distinct image's graph is built once.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from semcom_core.imageio import to_rgb_uint8
from semcom_metrics.base import Metric

__all__ = ["SeSSMetric"]


class SeSSMetric(Metric):
    """Semantic Similarity Score in [0, 1], higher is more similar."""

    name = "seess"
    display_name = "SeSS"
    backend_in_label = True  # sess-lite values are not the paper's (SAM + CLIP)
    higher_is_better = True
    value_range = (0.0, 1.0)
    unit = ""

    def __init__(
        self,
        *,
        device: str = "cpu",
        resize: bool = False,
        backend: str = "sess",
        preset: str = "paper",
        cache_dir: str | None = None,
        **options: Any,
    ) -> None:
        from seess.api import SeSS
        from semcom_core.models import resolve_device

        unknown = sorted(set(options) - set(self.known_options()))
        if unknown:
            raise TypeError(
                f"seess: unknown option(s) {unknown}; known options: "
                f"{', '.join(self.known_options())}"
            )
        self.device = resolve_device(device)
        self.resize = resize  # accepted for interface compatibility; SeSS never needs it
        # lazy: building the metric must not load models (`semcom fetch-weights` builds it
        # to ask required_weights()); models load on the first score.
        self.model = SeSS(
            backend=backend,
            preset=preset,
            device=self.device,
            cache_dir=cache_dir,
            lazy=True,
            **options,
        )

    @classmethod
    def known_options(cls) -> list[str]:
        """This class's options plus those of :class:`seess.api.SeSS` and
        :func:`seess.api.build_backend` (``clip_model``, ``sam_checkpoint``, ...)."""
        import inspect

        from seess.api import SeSS, build_backend

        names = {"device", "resize", "backend", "preset", "cache_dir"}
        for fn in (SeSS.__init__, build_backend):
            names |= {
                p.name
                for p in inspect.signature(fn).parameters.values()
                if p.name != "self" and p.kind in (p.KEYWORD_ONLY, p.POSITIONAL_OR_KEYWORD)
            }
        return sorted(names - {"lazy"})

    def score_batch(self, refs: Sequence[np.ndarray], tests: Sequence[np.ndarray]) -> list[float]:
        """SeSS of each pair ``(refs[i], tests[i])``; sizes may differ."""
        if len(refs) != len(tests):
            raise ValueError(
                f"{self.name}: {len(refs)} reference images but {len(tests)} test images"
            )
        pairs = [
            (
                to_rgb_uint8(r, name=f"{self.name}: reference image {i}"),
                to_rgb_uint8(t, name=f"{self.name}: test image {i}"),
            )
            for i, (r, t) in enumerate(zip(refs, tests))
        ]
        return [float(v) for v in self._score_pairs(pairs)] if pairs else []

    def _score_pairs(self, pairs):
        from tqdm.auto import tqdm

        # every distinct image's graph, built in one batch (segmenter and embedder batched)
        images = [im for pair in pairs for im in pair]
        graphs = self.model.graphs(images)
        out = []
        for k in tqdm(range(len(pairs)), desc="seess", leave=False, disable=len(pairs) < 4):
            out.append(self.model.score_graphs(graphs[2 * k], graphs[2 * k + 1]).score)
        return out

    def results(self, refs: Sequence[np.ndarray], tests: Sequence[np.ndarray]) -> list:
        """Full :class:`seess.score.SeSSResult` objects (explanations) for each pair."""
        return [self.model.score(r, t) for r, t in zip(refs, tests)]

    def required_weights(self) -> list:
        """SAM checkpoint and OpenCLIP weights of the ``sess`` set (none for ``sess-lite``);
        never loads a model or touches the network."""
        from seess.embed import ClipEmbedder
        from seess.sam_model import SAM_WEIGHTS
        from seess.segment import SamSegmenter
        from semcom_core.weights import file_requirement

        reqs = []
        seg, emb = self.model.backend.segmenter, self.model.backend.embedder
        if isinstance(seg, SamSegmenter) and seg.model_type in SAM_WEIGHTS:
            reqs.append(
                file_requirement(SAM_WEIGHTS[seg.model_type], seg.checkpoint, seg.weights_dir)
            )
        if isinstance(emb, ClipEmbedder) and emb.weights is not None:
            reqs.extend(_clip_requirements(emb))
        return reqs

    def describe(self) -> dict[str, Any]:
        d = self.model.describe()
        return {"metric": self.name, **d, "backend": d["name"]}


def _clip_requirements(emb) -> list:
    """Requirement of an OpenCLIP embedder's weights (local file or Hugging Face cache)."""
    from pathlib import Path

    import open_clip

    from semcom_core.weights import Requirement
    from semcom_metrics._common import hf_requirement

    key = "metric_options.seess.clip_weights"
    w = emb.weights
    if "/" in w or w.endswith((".pt", ".pth", ".bin", ".safetensors")):
        p = Path(w).expanduser()
        return [
            Requirement(
                name=f"OpenCLIP checkpoint ({emb.model_name})",
                config_key=key,
                location=str(p),
                source="local file",
                is_present=p.is_file,
                fetch=emb.model,
            )
        ]
    cfg = open_clip.get_pretrained_cfg(emb.model_name, w)
    repo = (cfg.get("hf_hub") or "").rstrip("/")
    if not repo:
        return []
    return [
        hf_requirement(
            repo,
            ("open_clip_model.safetensors", "open_clip_pytorch_model.bin"),
            name=f"OpenCLIP {emb.model_name}/{w}",
            config_key=key,
            fetch=emb.model,
            cache_dir=str(emb.cache_dir) if emb.cache_dir else None,
        )
    ]
