"""Every random choice of the data pipeline comes from one numpy Generator, found here."""

from __future__ import annotations

import numpy as np

from autolab.random import default_generator


def numpy_rng(generator=None) -> np.random.Generator:
    """The numpy Generator behind ``generator``: an ``autolab.Generator``, a numpy Generator, or None.

    None means autolab's global generator, so ``autolab.manual_seed(s)`` makes shuffles and random
    augmentations repeat, as ``torch.manual_seed`` does.
    """
    if generator is None:
        generator = default_generator
    if isinstance(generator, np.random.Generator):
        return generator
    return generator.numpy_rng


def fresh_rng(generator=None) -> np.random.Generator:
    """A new Generator seeded from ``generator``: what torch's RandomSampler does for each epoch when it
    was given no generator (it draws a seed from the global one)."""
    seed = int(numpy_rng(generator).integers(0, 2**63 - 1))
    return np.random.default_rng(seed)
