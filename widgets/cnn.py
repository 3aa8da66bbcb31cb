"""Looking inside a CNN: its filters, its feature maps for one input, its confusion matrix, its predictions."""

from __future__ import annotations

from typing import Any, Sequence

import ipywidgets as W
import numpy as np

import autolab
from autolab.course.i18n import plot_text, tr
from autolab.training import stats

from ._figure import new_figure, set_image, to_png


def _normalize(a: np.ndarray) -> np.ndarray:
    """Stretch to [0, 1] (each picture on its own scale: filters and activations have no natural one)."""
    lo, hi = np.nanmin(a), np.nanmax(a)
    return (a - lo) / (hi - lo) if hi > lo else np.zeros_like(a)


def _grid(
    images: Sequence[np.ndarray],
    titles: Sequence[str] | None = None,
    cols: int = 8,
    size: float = 1.1,
    colors: Sequence[str] | None = None,
    cmap: str = "gray",
) -> bytes:
    rows = max(1, -(-len(images) // cols))
    fig = new_figure(cols * size, rows * size + (0.25 * rows if titles else 0))
    axes = fig.subplots(rows, cols, squeeze=False)
    for i, ax in enumerate(axes.ravel()):
        ax.axis("off")
        if i < len(images):
            img = images[i]
            ax.imshow(img, cmap=None if img.ndim == 3 else cmap, interpolation="nearest")
            if titles:
                ax.set_title(titles[i], fontsize=7, color=colors[i] if colors else "black")
    fig.tight_layout(pad=0.2)
    return to_png(fig)


def _image(array: np.ndarray) -> np.ndarray:
    """CHW -> something imshow takes: HWC for 3 channels, HW otherwise."""
    if array.ndim == 3 and array.shape[0] == 3:
        return _normalize(array.transpose(1, 2, 0))
    return _normalize(array[0] if array.ndim == 3 else array)


def conv_filters(layer: Any, cols: int = 8) -> W.Image:
    """The filters of a Conv2d layer: RGB pictures for a 3-channel input, one grey picture per channel otherwise."""
    w = layer.weight.detach().numpy()
    out_c, in_c = w.shape[:2]
    if in_c == 3:
        images, titles = [_image(f) for f in w], [plot_text("filter {i}", i=i) for i in range(out_c)]
    else:
        images = [_normalize(w[o, c]) for o in range(out_c) for c in range(in_c)]
        titles = [f"{o}:{c}" for o in range(out_c) for c in range(in_c)]
        cols = in_c if in_c <= 16 else cols
    img = W.Image(value=_grid(images, titles, cols=cols), format="png")
    img.add_class("autolab-filters")
    return img


def feature_maps(model: Any, x: Any, layers: Sequence[str] | None = None, cols: int = 8) -> W.VBox:
    """The activations of the chosen layer for one input ``x`` (shape (C, H, W) or (1, C, H, W))."""
    x = x if x.ndim == 4 else x.unsqueeze(0)
    named = dict(model.named_modules())
    layers = list(layers) if layers else [n for n, m in named.items() if n and not list(m.children())]
    calls: list[tuple[str, np.ndarray]] = []  # in call order: a module used twice (a shared ReLU) shows twice
    handles = [
        named[n].register_forward_hook(lambda m, i, o, n=n: calls.append((n, o.detach().numpy()))) for n in layers
    ]
    try:
        with autolab.no_grad():
            was_training = model.training
            model.eval()
            model(x)
            model.train(was_training)
    finally:
        for h in handles:
            h.remove()
    counts: dict[str, int] = {}
    for n, _ in calls:
        counts[n] = counts.get(n, 0) + 1
    outputs: dict[str, np.ndarray] = {}
    seen: dict[str, int] = {}
    for n, out in calls:
        seen[n] = seen.get(n, 0) + 1
        if out.ndim == 4:  # feature maps: (1, C, H, W)
            outputs[n if counts[n] == 1 else f"{n} #{seen[n]}"] = out
    choice = W.Dropdown(options=list(outputs), description=tr("layer"))
    image = W.Image(format="png")
    source = W.Image(value=_grid([_image(x.numpy()[0])], [plot_text("input")], cols=1, size=1.6), format="png")

    def show(_: Any = None) -> None:
        if choice.value is not None:
            maps = outputs[choice.value][0]
            set_image(
                image,
                _grid([_normalize(m) for m in maps], [str(i) for i in range(len(maps))], cols=cols, cmap="viridis"),
            )

    choice.observe(show, "value")
    show()
    return W.VBox([W.HBox([source, choice]), image])


def predictions(model: Any, loader: Any) -> tuple[np.ndarray, np.ndarray]:
    """(predicted, true) class indices over a loader, in eval mode and without a graph."""
    preds, targets = [], []
    was_training = model.training
    model.eval()
    try:
        with autolab.no_grad():
            for x, y in loader:
                preds.append(model(x).numpy().argmax(axis=1))
                targets.append(np.asarray(y.numpy() if hasattr(y, "numpy") else y))
    finally:
        model.train(was_training)
    return np.concatenate(preds), np.concatenate(targets)


def confusion_matrix(model: Any, loader: Any, classes: Sequence[str]) -> W.Image:
    """Rows are the true classes, columns the predicted ones; the diagonal is what the model gets right."""
    pred, true = predictions(model, loader)
    m = stats.confusion_matrix(pred, true, len(classes))
    fig = new_figure(6, 5)
    ax = fig.subplots()
    ax.imshow(m, cmap="Blues")
    for (i, j), v in np.ndenumerate(m):
        ax.text(j, i, str(v), ha="center", va="center", fontsize=7, color="white" if v > m.max() / 2 else "black")
    ax.set_xticks(range(len(classes)), classes, rotation=45, ha="right", fontsize=8)
    ax.set_yticks(range(len(classes)), classes, fontsize=8)
    ax.set_xlabel(plot_text("predicted"))
    ax.set_ylabel(plot_text("true"))
    ax.set_title(plot_text("accuracy {acc:.1%}", acc=np.trace(m) / max(m.sum(), 1)), fontsize=10)
    fig.tight_layout()
    img = W.Image(value=to_png(fig), format="png")
    img.add_class("autolab-confusion")
    return img


def prediction_grid(model: Any, dataset: Any, classes: Sequence[str], n: int = 16, cols: int = 8) -> W.Image:
    """The first ``n`` samples with the predicted class (green when right, red when wrong, true class after)."""
    xs, ys = zip(*(dataset[i] for i in range(min(n, len(dataset)))))
    batch = autolab.stack(list(xs))
    was_training = model.training
    model.eval()
    with autolab.no_grad():
        pred = model(batch).numpy().argmax(axis=1)
    model.train(was_training)
    true = [int(y) for y in ys]
    titles = [classes[p] if p == t else f"{classes[p]} ({classes[t]})" for p, t in zip(pred, true)]
    colors = ["#2e7d32" if p == t else "#c62828" for p, t in zip(pred, true)]
    img = W.Image(
        value=_grid([_image(x.numpy()) for x in xs], titles, cols=cols, colors=colors, size=1.3), format="png"
    )
    img.add_class("autolab-predictions")
    return img
