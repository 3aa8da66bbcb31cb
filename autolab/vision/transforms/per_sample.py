"""The transforms that run one sample at a time: resizing, rotating, colour jitter, and the wrappers.

They follow torchvision's per-sample semantics (see ``functional`` for what an image is) and draw their random
numbers from autolab's generator, so ``autolab.manual_seed`` repeats them (and each DataLoader worker, seeded
differently, draws its own). None has a batched form: a pipeline that contains one runs per sample, which is
where ``DataLoader(num_workers=2)`` pays off.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Sequence

import numpy as np

from autolab.utils.data._rng import numpy_rng

from . import _color, _geometry
from . import functional as F
from ._geometry import InterpolationMode


def _pair_size(size, name: str = "size") -> tuple[int, int]:
    if isinstance(size, numbers.Number):
        return int(size), int(size)
    if isinstance(size, Sequence) and len(size) == 1:
        return int(size[0]), int(size[0])
    if isinstance(size, Sequence) and len(size) == 2:
        return int(size[0]), int(size[1])
    raise ValueError(f"Please provide only two dimensions (h, w) for {name}.")


def _uniform(lo: float, hi: float) -> float:
    return float(numpy_rng(None).uniform(lo, hi))


class Resize:
    """Resize to ``size``: an int matches the smaller edge (aspect ratio kept), a pair (h, w) is exact.

    Bilinear with antialiasing by default: PIL's filter, which torch's ``interpolate(antialias=True)`` follows.
    """

    batchable = False

    def __init__(self, size, interpolation=InterpolationMode.BILINEAR, max_size=None, antialias: bool = True):
        if not isinstance(size, (int, Sequence)) or (isinstance(size, Sequence) and len(size) not in (1, 2)):
            raise TypeError(f"Size should be int or sequence. Got {type(size)}")
        self.size, self.interpolation, self.max_size, self.antialias = size, interpolation, max_size, antialias

    def __call__(self, img):
        return _geometry.resize(img, self.size, self.interpolation, self.max_size, self.antialias)

    def __repr__(self) -> str:
        mode = _geometry._mode(self.interpolation).value
        return f"Resize(size={self.size}, interpolation={mode}, max_size={self.max_size}, antialias={self.antialias})"


class CenterCrop:
    """The centred ``size`` window (padded with zeros first if the image is smaller)."""

    batchable = False

    def __init__(self, size) -> None:
        self.size = _pair_size(size)

    def __call__(self, img):
        return _geometry.center_crop(img, self.size)

    def __repr__(self) -> str:
        return f"CenterCrop(size={self.size})"


class Pad:
    """Pad every side: ``padding`` is an int, (left/right, top/bottom) or (left, top, right, bottom)."""

    batchable = False

    def __init__(self, padding, fill=0, padding_mode: str = "constant") -> None:
        F.parse_padding(padding)  # checks it now, as torchvision does
        if padding_mode not in ("constant", "edge", "reflect", "symmetric"):
            raise ValueError("Padding mode should be either constant, edge, reflect or symmetric")
        self.padding, self.fill, self.padding_mode = padding, fill, padding_mode

    def __call__(self, img):
        return F.pad(img, self.padding, self.fill, self.padding_mode)

    def __repr__(self) -> str:
        return f"Pad(padding={self.padding}, fill={self.fill}, padding_mode={self.padding_mode})"


class RandomResizedCrop:
    """A random window (area ``scale`` of the image, aspect ratio in ``ratio``), resized to ``size``."""

    batchable = False

    def __init__(
        self,
        size,
        scale=(0.08, 1.0),
        ratio=(3.0 / 4.0, 4.0 / 3.0),
        interpolation=InterpolationMode.BILINEAR,
        antialias: bool = True,
    ):
        self.size = _pair_size(size)
        if scale[0] > scale[1] or ratio[0] > ratio[1]:
            raise ValueError("Scale and ratio should be of kind (min, max)")
        self.scale, self.ratio, self.interpolation, self.antialias = scale, ratio, interpolation, antialias

    @staticmethod
    def get_params(img, scale, ratio) -> tuple[int, int, int, int]:
        """(top, left, height, width): ten tries at a random window, then the central crop (torchvision's)."""
        height, width = F.image_size(img)
        area = height * width
        log_ratio = (math.log(ratio[0]), math.log(ratio[1]))
        rng = numpy_rng(None)
        for _ in range(10):
            target_area = area * float(rng.uniform(scale[0], scale[1]))
            aspect_ratio = math.exp(float(rng.uniform(log_ratio[0], log_ratio[1])))
            w = int(round(math.sqrt(target_area * aspect_ratio)))
            h = int(round(math.sqrt(target_area / aspect_ratio)))
            if 0 < w <= width and 0 < h <= height:
                return int(rng.integers(0, height - h + 1)), int(rng.integers(0, width - w + 1)), h, w
        in_ratio = width / height
        if in_ratio < min(ratio):
            w, h = width, int(round(width / min(ratio)))
        elif in_ratio > max(ratio):
            h, w = height, int(round(height * max(ratio)))
        else:
            w, h = width, height
        return (height - h) // 2, (width - w) // 2, h, w

    def __call__(self, img):
        top, left, h, w = self.get_params(img, self.scale, self.ratio)
        return _geometry.resized_crop(img, top, left, h, w, self.size, self.interpolation, self.antialias)

    def __repr__(self) -> str:
        return f"RandomResizedCrop(size={self.size}, scale={self.scale}, ratio={self.ratio})"


class RandomRotation:
    """Rotate by an angle drawn uniformly from ``degrees`` (a number d means (-d, d)), counter-clockwise."""

    batchable = False

    def __init__(self, degrees, interpolation=InterpolationMode.NEAREST, expand: bool = False, center=None, fill=0):
        if isinstance(degrees, numbers.Number):
            if degrees < 0:
                raise ValueError("If degrees is a single number, it must be positive.")
            degrees = (-float(degrees), float(degrees))
        elif len(degrees) != 2:
            raise ValueError("If degrees is a sequence, it must be of len 2.")
        if expand:
            raise NotImplementedError("RandomRotation(expand=True) is not supported by autolab yet")
        self.degrees = [float(d) for d in degrees]
        self.interpolation, self.expand, self.center, self.fill = interpolation, expand, center, fill

    @staticmethod
    def get_params(degrees: Sequence[float]) -> float:
        return _uniform(degrees[0], degrees[1])

    def __call__(self, img):
        angle = self.get_params(self.degrees)
        return _geometry.rotate(img, angle, self.interpolation, self.expand, self.center, self.fill)

    def __repr__(self) -> str:
        return f"RandomRotation(degrees={self.degrees}, interpolation={_geometry._mode(self.interpolation).value})"


class Grayscale:
    """To grayscale with 1 or 3 output channels (an image becomes (H, W) or (H, W, 3))."""

    batchable = False

    def __init__(self, num_output_channels: int = 1) -> None:
        self.num_output_channels = num_output_channels

    def __call__(self, img):
        return _color.rgb_to_grayscale(img, self.num_output_channels)

    def __repr__(self) -> str:
        return f"Grayscale(num_output_channels={self.num_output_channels})"


class ColorJitter:
    """Random brightness, contrast, saturation and hue, applied in a random order (torchvision's draws)."""

    batchable = False

    def __init__(self, brightness=0, contrast=0, saturation=0, hue=0) -> None:
        self.brightness = self._check(brightness, "brightness")
        self.contrast = self._check(contrast, "contrast")
        self.saturation = self._check(saturation, "saturation")
        self.hue = self._check(hue, "hue", center=0, bound=(-0.5, 0.5), clip_first_on_zero=False)

    @staticmethod
    def _check(value, name, center=1.0, bound=(0, float("inf")), clip_first_on_zero=True):
        if isinstance(value, numbers.Number):
            if value < 0:
                raise ValueError(f"If {name} is a single number, it must be non negative.")
            value = [center - float(value), center + float(value)]
            if clip_first_on_zero:
                value[0] = max(value[0], 0.0)
        elif isinstance(value, Sequence) and len(value) == 2:
            value = [float(value[0]), float(value[1])]
        else:
            raise TypeError(f"{name} should be a single number or a list/tuple with length 2.")
        if not bound[0] <= value[0] <= value[1] <= bound[1]:
            raise ValueError(f"{name} values should be between {bound}, but got {value}.")
        return None if value[0] == value[1] == center else tuple(value)

    @staticmethod
    def get_params(brightness, contrast, saturation, hue):
        """The order of the four adjustments, and each one's factor (None when it is off)."""
        order = numpy_rng(None).permutation(4)
        factors = [None if r is None else _uniform(r[0], r[1]) for r in (brightness, contrast, saturation, hue)]
        return (order, *factors)

    def __call__(self, img):
        order, *factors = self.get_params(self.brightness, self.contrast, self.saturation, self.hue)
        adjust = (_color.adjust_brightness, _color.adjust_contrast, _color.adjust_saturation, _color.adjust_hue)
        for i in order.tolist():
            if factors[i] is not None:
                img = adjust[i](img, factors[i])
        return img

    def __repr__(self) -> str:
        return (
            f"ColorJitter(brightness={self.brightness}, contrast={self.contrast}, "
            f"saturation={self.saturation}, hue={self.hue})"
        )


class RandomApply:
    """Apply the list of ``transforms`` (all of them, in order) with probability ``p``."""

    batchable = False

    def __init__(self, transforms: Sequence[Callable], p: float = 0.5) -> None:
        self.transforms, self.p = list(transforms), p

    def __call__(self, img):
        if self.p < numpy_rng(None).random():
            return img
        for t in self.transforms:
            img = t(img)
        return img

    def __repr__(self) -> str:
        lines = "".join(f"\n    {t}" for t in self.transforms)
        return f"RandomApply(\n    p={self.p}{lines}\n)"


class RandomVerticalFlip:
    """Mirror top-bottom with probability ``p``."""

    batchable = False

    def __init__(self, p: float = 0.5) -> None:
        self.p = p

    def __call__(self, img):
        if numpy_rng(None).random() < self.p:
            return vflip(img)
        return img

    def __repr__(self) -> str:
        return f"RandomVerticalFlip(p={self.p})"


def vflip(img):
    """Mirror an image or tensor top-bottom."""
    x, back = _geometry.planes(img)
    return back(np.ascontiguousarray(x[..., ::-1, :]))
