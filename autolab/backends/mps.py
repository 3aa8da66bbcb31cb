"""``torch.backends.mps``: Apple's Metal GPU. autolab has no MPS backend: both answers are False."""


def is_available() -> bool:
    return False


def is_built() -> bool:
    return False
