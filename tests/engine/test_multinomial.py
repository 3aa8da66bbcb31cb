import numpy as np
import pytest

import autolab


def test_multinomial_frequencies_follow_the_weights():
    autolab.manual_seed(0)
    draws = autolab.multinomial(autolab.tensor([[1.0, 2.0, 7.0], [5.0, 5.0, 0.0]]), 20000, replacement=True)
    assert draws.shape == (2, 20000) and draws.dtype == autolab.int64
    freq = np.bincount(draws[0].numpy(), minlength=3) / 20000
    np.testing.assert_allclose(freq, [0.1, 0.2, 0.7], atol=0.015)
    assert (draws[1] == 2).sum().item() == 0  # zero weight: never drawn


def test_multinomial_without_replacement_and_seeding():
    autolab.manual_seed(3)
    a = autolab.multinomial(autolab.ones(5), 5)
    autolab.manual_seed(3)
    b = autolab.multinomial(autolab.ones(5), 5)
    assert sorted(a.tolist()) == [0, 1, 2, 3, 4] and a.tolist() == b.tolist()
    with pytest.raises(RuntimeError, match="cannot draw 6 samples without replacement from 5"):
        autolab.multinomial(autolab.ones(5), 6)
    with pytest.raises(RuntimeError, match="non-negative"):
        autolab.multinomial(autolab.tensor([1.0, -1.0]), 1)
