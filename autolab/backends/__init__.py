"""``autolab.backends``: PyTorch's backend switches, answered as a CPU-only PyTorch answers them.

Programs set ``torch.backends.cudnn.benchmark = True`` or ask ``torch.backends.mps.is_available()``; these
modules exist so that such lines run. The flags can be set and read back; autolab's CPU kernels do not read them.
"""

from . import cpu, cuda, cudnn, mps

__all__ = ["cpu", "cuda", "cudnn", "mps"]
