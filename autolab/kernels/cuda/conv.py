"""conv2d on the GPU: im2col, then the tiled matrix product.

Forward. ``im2col`` copies every receptive field of the input into one row of a matrix: row ``(n, i, j)``
holds the ``C * kh * kw`` input values that output pixel ``(i, j)`` of image ``n`` sees (zero where the window
hangs over the padding). The convolution is then one product, ``cols (N*Ho*Wo, C*kh*kw) @ w.T (C*kh*kw, O)``,
which is what the tiled matmul kernel is good at. One thread per element of ``cols``.

Weight gradient: ``gw (O, C*kh*kw) = gy (O, N*Ho*Wo) @ cols``: the same ``cols``, another product.

Input gradient: ``gcols = gy @ w`` gives each receptive-field row its gradient; ``col2im`` sums them back
into the input. Windows overlap, so many rows add into one input pixel. Rather than have each row's thread
add into the pixels (threads racing on one address, which needs atomic adds), each input pixel's thread
*gathers*: it visits the ``kh * kw`` window positions that could have covered it, and adds the matching
entries of ``gcols``. No two threads write the same place, so no atomics.
"""

from __future__ import annotations

from numba import cuda

from . import launch


@cuda.jit
def im2col(x, cols, n, c, h, w, kh, kw, sh, sw, ph, pw, ho, wo):
    # cols[(b*ho + i)*wo + j, (ch*kh + di)*kw + dj] = x[b, ch, i*sh - ph + di, j*sw - pw + dj]  (0 outside)
    width = c * kh * kw
    total = n * ho * wo * width
    for t in range(cuda.grid(1), total, cuda.gridsize(1)):
        row, col = t // width, t % width
        b, rest = row // (ho * wo), row % (ho * wo)
        i, j = rest // wo, rest % wo
        ch, k = col // (kh * kw), col % (kh * kw)
        y, xx = i * sh - ph + k // kw, j * sw - pw + k % kw
        if 0 <= y < h and 0 <= xx < w:
            cols[t] = x[((b * c + ch) * h + y) * w + xx]
        else:
            cols[t] = 0


@cuda.jit
def col2im(gcols, gx, n, c, h, w, kh, kw, sh, sw, ph, pw, ho, wo, zero):
    # gx[b, ch, y, x] = sum of gcols[(b, i, j), (ch, di, dj)] over the windows (i, j) that cover (y, x)
    width = c * kh * kw
    total = n * c * h * w
    for t in range(cuda.grid(1), total, cuda.gridsize(1)):
        xx, rest = t % w, t // w
        y, rest = rest % h, rest // h
        ch, b = rest % c, rest // c
        acc = zero
        for di in range(kh):
            top = y + ph - di  # = i * sh for the window row i that puts offset di on y
            if top < 0 or top % sh != 0 or top // sh >= ho:
                continue
            i = top // sh
            for dj in range(kw):
                left = xx + pw - dj
                if left < 0 or left % sw != 0 or left // sw >= wo:
                    continue
                j = left // sw
                acc += gcols[((b * ho + i) * wo + j) * width + (ch * kh + di) * kw + dj]
        gx[t] = acc


def run(kernel, src, dst, total: int, *dims: int) -> None:
    blocks, threads = launch(total)
    kernel[blocks, threads](src, dst, *dims)
