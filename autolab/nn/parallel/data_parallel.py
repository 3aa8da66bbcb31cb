"""``nn.DataParallel``: one process that splits each batch over several GPUs. Not on a CPU: this says what to use."""

from __future__ import annotations

from typing import Any

from ..module import Module

MESSAGE = (
    "nn.DataParallel is not available in autolab. It runs one process that splits each batch across GPUs "
    "(scatter, replicate the model, gather), and autolab runs on the CPU, where one process already uses every "
    "core. To train on several processes or machines, use autolab.nn.parallel.DistributedDataParallel with one "
    "process per rank: start the script with `autolab run -n 2 train.py` (or `mpiexec -n 2 python train.py`), call "
    "autolab.distributed.init_process_group(), wrap the model with DistributedDataParallel(model) and give the "
    "DataLoader a DistributedSampler. PyTorch recommends DistributedDataParallel over DataParallel on GPUs too. "
    "See docs/distributed.md."
)


class DataParallel(Module):
    """Raises, explaining what to use on a CPU instead (``DistributedDataParallel``)."""

    def __init__(self, module: Module, device_ids: Any = None, output_device: Any = None, dim: int = 0) -> None:
        raise RuntimeError(MESSAGE)
