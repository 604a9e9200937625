"""Display names for figures and reports, read from the classes' own metadata.

Metric labels come from :class:`~semcom_metrics.base.Metric` class attributes
(``display_name``, ``unit``, ``higher_is_better``, ``backend_in_label``) and the
backend recorded in the table; codec names from :class:`~semcom_codecs.base.Codec`
``display_name``; Experiment B system names from the config (``label``, else
codec + link). Nothing here lists metrics or codecs by name.
"""

from __future__ import annotations

from typing import Any

__all__ = ["codec_display", "metric_display", "metric_label", "system_labels"]


def metric_display(name: str) -> str:
    """``ms_ssim`` -> ``MS-SSIM`` (the class's ``display_name``; the name when it has none)."""
    from semcom_metrics.registry import get_metric_class

    try:
        return get_metric_class(name).display_name or name
    except KeyError:
        return name


def metric_label(name: str, backend: str = "") -> str:
    """Axis label: display name, unit, backend where it changes values, and direction.

    ``psnr`` -> ``PSNR (dB)``; ``seess`` with backend ``sess-lite`` ->
    ``SeSS [sess-lite]``; ``lpips`` -> ``LPIPS distance (lower is better)``.
    """
    from semcom_metrics.registry import get_metric_class

    try:
        cls = get_metric_class(name)
    except KeyError:
        return name
    label = cls.display_name or name
    if cls.backend_in_label and backend:
        label += f" [{backend}]"
    if cls.unit:
        label += f" ({cls.unit})"
    if not cls.higher_is_better:
        label += " (lower is better)"
    return label


def codec_display(name: str) -> str:
    """``jpeg2000`` -> ``JPEG2000`` (the codec class's ``display_name``)."""
    from semcom_codecs.registry import get_codec_class

    try:
        return get_codec_class(name).display_name or name
    except KeyError:
        return name


def system_labels(cfg: dict[str, Any]) -> dict[str, str]:
    """Legend text for every system of the configured run (A codecs, B systems, D transforms)."""
    from semcom_pipeline.systems import b_systems

    exps = cfg["experiments"]
    labels = {c: codec_display(c) for c in exps["A"].get("codecs", [])}
    for name, system in b_systems(exps["B"]).items():
        labels[name] = system.display_name(codec_display(system.codec))
    for name in exps["D"].get("transforms", {}):
        labels[name] = name.replace("_", " ")
    return labels
