"""semcom_metrics: the metric interface, the registry, the baselines and the SeSS adapter.

The metric under study (``seess``) and its competitors (PSNR, SSIM, MS-SSIM, LPIPS,
ViTScore, ClipScore) side by side behind one :class:`~semcom_metrics.base.Metric`
interface; :func:`~semcom_metrics.registry.build_metric` builds one by name.
"""
