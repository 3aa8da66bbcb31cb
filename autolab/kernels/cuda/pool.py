"""Max and average pooling, forward and backward. One thread per output element (grid-stride).

Max forward writes the maximum and *where* it was (argmax: the flat index ``row * W + column`` in the input
plane), with the CPU kernel's rules: the first maximum of the window in row-major order wins a tie, a NaN
wins over any number (the window's last NaN), and padding never wins.

Backward routes each output gradient to its input pixel. Windows may overlap (stride < kernel), so two
threads can add into one input pixel: ``cuda.atomic.add`` makes those read-add-writes indivisible. Average
pooling (``count_include_pad=True``: every window divides by ``kh * kw``) spreads each gradient evenly over
its window, with atomic adds for the same reason.
"""

from __future__ import annotations

from numba import cuda

from . import launch


@cuda.jit
def max_forward(x, y, arg, planes, h, w, kh, kw, sh, sw, ph, pw, ho, wo):
    for t in range(cuda.grid(1), planes * ho * wo, cuda.gridsize(1)):
        p, rest = t // (ho * wo), t % (ho * wo)
        i, j = rest // wo, rest % wo
        best, at, seen = x[0], -1, False
        for di in range(kh):
            r = i * sh - ph + di
            if r < 0 or r >= h:
                continue
            for dj in range(kw):
                cc = j * sw - pw + dj
                if cc < 0 or cc >= w:
                    continue
                v = x[p * h * w + r * w + cc]
                if not seen:  # the first in-bounds element (padding never wins)
                    take = True
                elif best != best:  # a NaN was chosen: only a later NaN replaces it
                    take = v != v
                else:  # a bigger number, or a NaN
                    take = v > best or v != v
                if take:
                    best, at, seen = v, r * w + cc, True
        y[t] = best
        arg[t] = at


@cuda.jit
def max_backward(gy, arg, gx, planes, hw, howo):
    for t in range(cuda.grid(1), planes * howo, cuda.gridsize(1)):
        cuda.atomic.add(gx, (t // howo) * hw + arg[t], gy[t])


@cuda.jit
def avg_forward(x, y, planes, h, w, kh, kw, sh, sw, ph, pw, ho, wo, zero):
    for t in range(cuda.grid(1), planes * ho * wo, cuda.gridsize(1)):
        p, rest = t // (ho * wo), t % (ho * wo)
        i, j = rest // wo, rest % wo
        acc = zero
        for di in range(kh):
            r = i * sh - ph + di
            for dj in range(kw):
                cc = j * sw - pw + dj
                if 0 <= r < h and 0 <= cc < w:
                    acc += x[p * h * w + r * w + cc]
        y[t] = acc / (kh * kw)


@cuda.jit
def avg_backward(gy, gx, planes, h, w, kh, kw, sh, sw, ph, pw, ho, wo):
    for t in range(cuda.grid(1), planes * ho * wo, cuda.gridsize(1)):
        p, rest = t // (ho * wo), t % (ho * wo)
        i, j = rest // wo, rest % wo
        g = gy[t] / (kh * kw)
        for di in range(kh):
            r = i * sh - ph + di
            for dj in range(kw):
                cc = j * sw - pw + dj
                if 0 <= r < h and 0 <= cc < w:
                    cuda.atomic.add(gx, p * h * w + r * w + cc, g)


def run(kernel, total: int, *args) -> None:
    blocks, threads = launch(total)
    kernel[blocks, threads](*args)
