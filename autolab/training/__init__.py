"""A small training loop that emits events (step, epoch, evaluation), for dashboards and scripts alike."""

from . import stats
from .events import EpochEvent, EvalEvent, EventBus, ForwardEvent, StateEvent, StepEvent
from .loop import Trainer, rebuild_loader

__all__ = [
    "Trainer",
    "rebuild_loader",
    "stats",
    "EventBus",
    "ForwardEvent",
    "StepEvent",
    "EpochEvent",
    "EvalEvent",
    "StateEvent",
]
