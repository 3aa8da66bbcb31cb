"""Run an unmodified PyTorch program on autolab: ``python scripts/run_torch_program.py PROGRAM.py [args]``.

``import torch`` / ``torchvision`` in the program import autolab (see autolab/cli/run_torch.py). The same as
``autolab run-torch PROGRAM.py [args]``.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # this checkout's autolab, even if not installed

from autolab.cli.run_torch import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
