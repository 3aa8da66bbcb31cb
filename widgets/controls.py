"""Sliders for learning rate, momentum, weight decay and batch size, and the Start/Pause/Resume/Stop/Reset buttons.

The sliders talk to ``Trainer.set_hparams`` / ``set_batch_size``: lr, momentum and weight decay take effect at the
next step, the batch size at the next epoch (the current epoch's batches are already being drawn).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import ipywidgets as W

from autolab.course.i18n import tr

BATCH_SIZES = (1, 2, 4, 8, 16, 32, 64, 128, 256, 512)

# Which buttons make sense in which trainer state.
_ENABLED = {
    "idle": {"start", "reset"},
    "running": {"pause", "stop"},
    "paused": {"resume", "stop"},
    "stopped": {"start", "reset"},
    "finished": {"start", "reset"},
    "error": {"start", "reset"},
}


class Controls(W.VBox):
    def __init__(self, trainer: Any) -> None:
        self.trainer = trainer
        hp = trainer.hparams
        style = {"description_width": "90px"}
        self.lr = W.FloatLogSlider(
            value=hp.get("lr", 0.01),
            base=10,
            min=-5,
            max=1,
            step=0.1,
            description=tr("learning rate"),
            readout_format=".1e",
            continuous_update=False,
            style=style,
        )
        self.momentum = W.FloatSlider(
            value=hp.get("momentum", 0.0),
            min=0.0,
            max=0.99,
            step=0.01,
            description=tr("momentum"),
            continuous_update=False,
            style=style,
            disabled="momentum" not in hp,
        )
        self.weight_decay = W.FloatSlider(
            value=hp.get("weight_decay", 0.0),
            min=0.0,
            max=0.01,
            step=1e-4,
            readout_format=".4f",
            description=tr("weight decay"),
            continuous_update=False,
            style=style,
            disabled="weight_decay" not in hp,
        )
        sizes = sorted(set(BATCH_SIZES) | {hp["batch_size"]}) if hp.get("batch_size") else list(BATCH_SIZES)
        self.batch_size = W.SelectionSlider(
            options=sizes,
            value=hp.get("batch_size") or 64,
            description=tr("batch size"),
            continuous_update=False,
            style=style,
        )
        names = ("learning-rate", "momentum", "weight-decay", "batch-size")  # CSS classes: the same in every language
        for slider, name in zip((self.lr, self.momentum, self.weight_decay, self.batch_size), names):
            slider.add_class("autolab-" + name)
        self.lr.observe(lambda c: trainer.set_hparams(lr=c["new"]), "value")
        self.momentum.observe(lambda c: trainer.set_hparams(momentum=c["new"]), "value")
        self.weight_decay.observe(lambda c: trainer.set_hparams(weight_decay=c["new"]), "value")
        self.batch_size.observe(lambda c: trainer.set_batch_size(c["new"]), "value")

        self.buttons = {
            "start": W.Button(description=tr("Start"), icon="play", button_style="success"),
            "pause": W.Button(description=tr("Pause"), icon="pause"),
            "resume": W.Button(description=tr("Resume"), icon="play"),
            "stop": W.Button(description=tr("Stop"), icon="stop", button_style="danger"),
            "reset": W.Button(description=tr("Reset"), icon="undo", button_style="warning"),
        }
        # A button's callback runs in the kernel, where an exception would only reach the log: report it instead.
        self.on_error: Callable[[str, BaseException], None] | None = None
        actions = {
            "start": trainer.start,
            "pause": trainer.pause,
            "resume": trainer.resume,
            "stop": lambda: trainer.stop(wait=False),
            "reset": trainer.reset,
        }
        for name, action in actions.items():
            self.buttons[name].on_click(lambda _, name=name, action=action: self._press(name, action))
        for b in self.buttons.values():
            b.layout = W.Layout(width="90px")
        super().__init__(
            [
                W.HBox(list(self.buttons.values())),
                W.HBox([W.VBox([self.lr, self.momentum]), W.VBox([self.weight_decay, self.batch_size])]),
            ]
        )
        self.add_class("autolab-controls")
        self.update_state(trainer.state)

    def _press(self, name: str, action: Callable[[], Any]) -> None:
        try:
            action()
        except Exception as exc:
            if self.on_error is None:
                raise
            self.on_error(name, exc)

    def update_state(self, state: str) -> None:
        enabled = _ENABLED.get(state, set())
        for name, button in self.buttons.items():
            button.disabled = name not in enabled

    def on_event(self, event: Any) -> None:
        if event.kind == "state":
            self.update_state(event.state)


def nice_lr(lr: float) -> float:
    """The slider's log scale snaps to 10**(k/10): used by tests to predict the value a keypress gives."""
    return 10 ** (round(math.log10(lr) * 10) / 10)
