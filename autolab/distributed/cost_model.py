"""A cost model of ring all-reduce, fitted to measured times, and the step time it predicts for N machines.

Ring all-reduce of ``m`` bytes over ``N`` ranks cuts the data into ``N`` chunks and takes ``2 (N - 1)`` steps
(``N - 1`` of reduce-scatter, then ``N - 1`` of all-gather); in each step every rank sends one chunk of ``m / N``
bytes to its neighbour. With a latency ``alpha`` per message and ``beta`` seconds per byte (1 / bandwidth):

    T(m, N) = 2 (N - 1) alpha  +  2 (N - 1) / N * m * beta

The bandwidth term barely grows with ``N`` (it tends to ``2 m beta``): that is why the ring is used for large
messages. The latency term grows linearly; MPI libraries switch to trees or recursive doubling (``log N``
steps) for small messages, so for those the model is pessimistic. Pure numpy, no MPI.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


def ring_allreduce_time(nbytes: float, n: int, alpha: float, beta: float, messages: int = 1) -> float:
    """Seconds to all-reduce ``nbytes`` over ``n`` ranks, sent as ``messages`` all-reduces (DDP's buckets)."""
    if n <= 1:
        return 0.0
    return messages * 2 * (n - 1) * alpha + 2 * (n - 1) / n * nbytes * beta


@dataclass
class RingFit:
    """Latency ``alpha`` (s) and inverse bandwidth ``beta`` (s/byte) fitted to measured all-reduce times."""

    alpha: float
    beta: float
    residual: float  # root-mean-square relative error of the fit on the points it was fitted to

    @property
    def bandwidth(self) -> float:
        """Bytes per second."""
        return 1.0 / self.beta if self.beta > 0 else float("inf")

    def predict(self, nbytes: float, n: int, messages: int = 1) -> float:
        return ring_allreduce_time(nbytes, n, self.alpha, self.beta, messages)


def fit_ring(samples: list[tuple[int, float, float]]) -> RingFit:
    """Fit ``alpha`` and ``beta`` to ``(world size, bytes, seconds)`` samples, by least squares on relative error.

    Relative error, so that the 4-byte all-reduce (microseconds) counts as much as the 16 MB one (milliseconds):
    each row of the system is divided by its measured time. Both coefficients are kept non-negative.
    """
    rows, times = [], []
    for n, nbytes, seconds in samples:
        if n > 1 and seconds > 0:
            rows.append([2 * (n - 1), 2 * (n - 1) / n * nbytes])
            times.append(seconds)
    if len(rows) < 2:
        raise ValueError("fit_ring needs at least two measured all-reduces with more than one rank")
    a, t = np.array(rows, dtype=np.float64), np.array(times, dtype=np.float64)
    weighted = a / t[:, None]
    coef, *_ = np.linalg.lstsq(weighted, np.ones_like(t), rcond=None)
    if (coef < 0).any():  # one term explains nothing: fit the other alone
        k = int(np.argmax(coef))
        only = np.linalg.lstsq(weighted[:, [k]], np.ones_like(t), rcond=None)[0][0]
        coef = np.zeros(2)
        coef[k] = max(only, 0.0)
    predicted = a @ coef
    residual = float(np.sqrt(np.mean(((predicted - t) / t) ** 2)))
    return RingFit(float(coef[0]), float(coef[1]), residual)


@dataclass
class Network:
    """A stated interconnect: latency per message (s) and bandwidth (bytes/s). Values you choose, not measured."""

    name: str
    alpha: float
    bandwidth: float

    @property
    def beta(self) -> float:
        return 1.0 / self.bandwidth


# Typical figures (stated assumptions for the model; this machine has no network to measure them on).
ETHERNET_10G = Network("10 Gb/s Ethernet (TCP)", alpha=50e-6, bandwidth=1.25e9)
ETHERNET_100G_RDMA = Network("100 Gb/s InfiniBand/RoCE (RDMA)", alpha=3e-6, bandwidth=12.5e9)


def predict_step(compute_s: float, nbytes: float, n: int, net: Network, messages: int = 1) -> dict[str, float]:
    """Step time on ``n`` machines, each computing its own batch in ``compute_s``, joined by ``net``.

    Weak scaling: each machine keeps its batch, so the global batch (and images per step) grows with ``n``.
    ``no_overlap`` adds communication after computation; ``full_overlap`` hides it behind computation as far
    as it can (DDP's buckets start during backward): the truth lies between.
    """
    comm = ring_allreduce_time(nbytes, n, net.alpha, net.beta, messages)
    return {
        "machines": n,
        "compute": compute_s,
        "allreduce": comm,
        "no_overlap": compute_s + comm,
        "full_overlap": max(compute_s, comm),
    }
