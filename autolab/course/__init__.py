"""Helpers for the course notebooks: fast mode, peak memory, and the exercise checks (``checks``).

Nothing here imports Jupyter: checks print plain text (a ✓ or a ✗ with a hint), so they work in a terminal too.

``FAST`` is True when the environment sets ``AUTOLAB_FAST=1``: the notebooks then train on small subsets for a
few steps, which is how CI runs every notebook top to bottom in under two minutes.
"""

from __future__ import annotations

import os
import sys
from typing import TypeVar

from .clock import TrainingClock
from .i18n import get_language, plot_text, set_language, tr

T = TypeVar("T")


def _env_flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() not in ("", "0", "false", "no", "off")


FAST: bool = _env_flag("AUTOLAB_FAST")


def pick(fast: T, full: T) -> T:
    """``fast`` in fast mode, ``full`` otherwise: ``epochs = pick(1, 6)``."""
    return fast if FAST else full


def peak_memory_mb() -> float:
    """Peak resident memory of this process so far, in MB (Linux and macOS)."""
    import resource  # lazy: a Unix-only module, needed only here

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # Linux reports kilobytes, macOS bytes.
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


__all__ = ["FAST", "TrainingClock", "pick", "peak_memory_mb", "get_language", "set_language", "tr", "plot_text"]
