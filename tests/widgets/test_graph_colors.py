"""The gradient colour scales stay readable with colour-vision deficiencies (simulated), and in both themes."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib import colormaps
from matplotlib.colors import to_hex

from widgets.graphview.colors import grad_color, norm_legend, sign_legend, signed_color, text_color

# Machado, Oliveira and Fernandes (2009), severity 1.0, on linear RGB.
CVD = {
    "protanopia": [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216], [-0.003882, -0.048116, 1.051998]],
    "deuteranopia": [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413], [-0.011820, 0.042940, 0.968881]],
    "tritanopia": [[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602], [0.004733, 0.691367, 0.303900]],
}


def _lab(hex_color: str, deficiency: str | None) -> np.ndarray:
    """CIELAB of a colour as seen with ``deficiency`` (None: typical vision)."""
    rgb = np.array([int(hex_color[i : i + 2], 16) / 255 for i in (1, 3, 5)])
    lin = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    if deficiency:
        lin = np.clip(np.array(CVD[deficiency]) @ lin, 0, 1)
    xyz = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]]) @ lin
    f = np.cbrt(xyz / np.array([0.95047, 1.0, 1.08883]))
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def separations(stops: list[str], deficiency: str | None) -> tuple[float, float]:
    """(distance between the two ends, smallest distance between neighbouring stops), in ΔE76."""
    lab = [_lab(c, deficiency) for c in stops]
    ends = float(np.linalg.norm(lab[0] - lab[-1]))
    return ends, min(float(np.linalg.norm(a - b)) for a, b in zip(lab, lab[1:]))


@pytest.mark.parametrize("deficiency", [None, *CVD])
@pytest.mark.parametrize("scale", ["norm", "sign"])
def test_scales_keep_ends_and_steps_apart(scale, deficiency):
    stops = norm_legend()["stops"] if scale == "norm" else sign_legend(1.0)["stops"]
    ends, step = separations(stops, deficiency)
    assert ends > 40, f"{scale} scale: its two ends look alike ({ends:.0f} ΔE) with {deficiency}"
    assert step > 6, f"{scale} scale: neighbouring steps look alike ({step:.1f} ΔE) with {deficiency}"


def test_the_check_catches_a_red_green_scale():
    """The same measure rejects the classic mistake: red-yellow-green looks the same at both ends to a
    deuteranope."""
    stops = [to_hex(colormaps["RdYlGn"](i / 10)) for i in range(11)]
    assert separations(stops, None)[0] > 40
    assert separations(stops, "deuteranopia")[0] < 40 and separations(stops, "protanopia")[0] < 40


def test_text_on_every_fill_has_contrast():
    def luminance(c: str) -> float:
        return 0.299 * int(c[1:3], 16) + 0.587 * int(c[3:5], 16) + 0.114 * int(c[5:7], 16)

    fills = [grad_color(10.0**e) for e in np.linspace(-9, 5, 29)] + [
        signed_color(v, 1.0) for v in np.linspace(-1, 1, 21)
    ]
    for fill in fills:
        assert abs(luminance(fill) - luminance(text_color(fill))) > 90, fill


def test_signed_scale_reads_sign_and_size():
    purple, orange = signed_color(-2.0, 2.0), signed_color(2.0, 2.0)
    assert int(purple[5:7], 16) > int(purple[1:3], 16)  # blue-ish purple for negative
    assert int(orange[1:3], 16) > int(orange[5:7], 16)  # orange for positive
    assert signed_color(0.0, 2.0) == signed_color(0.0, 5.0)  # zero is the pale middle, whatever the scale
    assert signed_color(float("nan"), 1.0) == grad_color(float("nan"))
    assert sign_legend(24.0)["ticks"] == ["-24.0", "0", "24.0"]
