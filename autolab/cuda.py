"""autolab runs on the CPU. These exist so that PyTorch code that checks for a GPU runs unchanged."""


def is_available() -> bool:
    return False


def device_count() -> int:
    return 0


def manual_seed(seed: int) -> None:
    """No GPU, nothing to seed (PyTorch code often calls this next to ``manual_seed``)."""


def manual_seed_all(seed: int) -> None:
    """No GPU, nothing to seed."""
