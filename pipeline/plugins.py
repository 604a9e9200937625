"""Plugin modules named in the config (``plugins: [my_codecs]``), imported once per process.

A plugin module registers what it adds when imported (``register_codec``,
``register_metric``, ``register_link``). The workflow imports the plugins while
it parses the config (before the names are checked) and again in every job,
so a codec that lives outside this repository runs like a built-in one.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable

__all__ = ["load_plugins"]


def load_plugins(modules: Iterable[str]) -> None:
    """Import each module; a module that cannot be imported is a config error naming it."""
    from semcom_pipeline.config import ConfigError

    for i, name in enumerate(modules):
        try:
            importlib.import_module(name)
        except ImportError as exc:
            raise ConfigError(
                f"plugins[{i}]: cannot import module '{name}' ({exc}); is its folder on PYTHONPATH?"
            ) from None
