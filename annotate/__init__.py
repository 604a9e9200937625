"""A web study that collects human similarity ratings (original + two candidates, Fig. 5).

``semcom annotate init | add-rater | serve | status | export``; see :mod:`.cli`. Export writes
the human-ratings formats read by ``seess agree`` and ``seess tune``.
"""

from semcom_annotate.export import export_study
from semcom_annotate.study import StudyConfig, StudyError, load_config

__all__ = ["StudyConfig", "StudyError", "export_study", "load_config"]
