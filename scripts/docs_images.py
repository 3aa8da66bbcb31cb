"""Copy the graph widget's screenshots from the browser tests into docs/img, small (palette PNGs).

CI=true python -m pytest tests/browser/test_graph_e2e.py   # writes test-artifacts/browser/*.png
python scripts/docs_images.py                              # docs/img/graph-*.png, dashboard-*.png
"""

from __future__ import annotations

import sys
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "test-artifacts" / "browser"
TARGET = ROOT / "docs" / "img"
PICTURES = [
    "graph-walk-backward.png",
    "graph-accumulation.png",
    "graph-details.png",
    "graph-table.png",
    "graph-dark.png",
    "dashboard-module-details.png",
    "dashboard-module-details-dark.png",
]


def shrink(src: Path, dst: Path, colors: int = 128, max_width: int = 1000) -> None:
    image = Image.open(src).convert("RGB")
    if image.width > max_width:
        image = image.resize((max_width, round(image.height * max_width / image.width)), Image.LANCZOS)
    image.quantize(colors=colors, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(dst, optimize=True)


def main() -> int:
    missing = [name for name in PICTURES if not (SOURCE / name).exists()]
    if missing:
        print(f"run the browser tests first; missing in {SOURCE}: {', '.join(missing)}")
        return 1
    TARGET.mkdir(parents=True, exist_ok=True)
    for name in PICTURES:
        shrink(SOURCE / name, TARGET / name)
        print(f"{name}: {(TARGET / name).stat().st_size / 1024:.0f} kB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
