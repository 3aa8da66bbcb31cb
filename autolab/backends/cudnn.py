"""``torch.backends.cudnn``: cuDNN's switches. There is no cuDNN here: ``is_available()`` is False."""

enabled: bool = True
benchmark: bool = False
deterministic: bool = False
allow_tf32: bool = True


def is_available() -> bool:
    return False


def version() -> None:
    return None
