import sys
from pathlib import Path

# the layer tests share tests/engine's helpers (engine_helpers.py)
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "engine"))
