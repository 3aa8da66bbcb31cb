"""Every CUDA kernel against the CPU result (numpy, or autolab's reference kernels, themselves tested against
PyTorch), on small shapes, under numba's CUDA simulator."""

from __future__ import annotations

import numpy as np
import pytest

from .conftest import sim

pytestmark = sim


def dev(a):
    from autolab.kernels.cuda.array import CudaArray

    return CudaArray.from_host(np.asarray(a))


def host(a):
    return a.to_host()


def fallbacks():
    from autolab.kernels.cuda.array import fallbacks

    return dict(fallbacks)


RNG = np.random.default_rng(0)
A = RNG.standard_normal((3, 1, 5)).astype(np.float32)
B = RNG.standard_normal((4, 5)).astype(np.float32)


# ---- elementwise -------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("op", ["exp", "log", "log1p", "sqrt", "tanh", "absolute", "negative", "sign", "isnan"])
def test_map_matches_numpy_including_nan_and_domain_edges(op):
    x = np.array([[0.0, -1.0, 2.5, np.nan], [1e3, -1e3, 0.5, -0.0]], np.float32)
    f = getattr(np, op)
    with np.errstate(all="ignore"):
        want = f(x)
    got = host(f(dev(x)))
    assert got.dtype == want.dtype
    np.testing.assert_allclose(got, want, rtol=1e-6, equal_nan=True)


@pytest.mark.parametrize(
    "op", ["add", "subtract", "multiply", "true_divide", "maximum", "minimum", "greater", "less_equal", "equal"]
)
def test_zip_broadcasts_like_numpy(op):
    f = getattr(np, op)
    a = A.copy()
    a[0, 0, 0] = np.nan
    b = B.copy()
    b[1, 2] = 0.0
    with np.errstate(all="ignore"):
        want = f(a, b)
    got = host(f(dev(a), dev(b)))
    assert got.shape == want.shape == (3, 4, 5) and got.dtype == want.dtype
    np.testing.assert_allclose(got, want, rtol=1e-6, equal_nan=True)


def test_numbers_keep_the_array_dtype_and_views_read_through_strides():
    x = RNG.standard_normal((4, 6)).astype(np.float32)
    d = dev(x)
    np.testing.assert_allclose(host(d * 2.5 - 1), x * 2.5 - 1, rtol=1e-6)
    assert (d * 2.5).dtype == np.float32 and (dev(np.arange(3)) / 2).dtype == np.float64
    np.testing.assert_allclose(host(d.T + 1), x.T + 1)  # a transposed view, no copy
    np.testing.assert_allclose(host(d[1:, ::2] ** 2), x[1:, ::2] ** 2, rtol=1e-6)
    np.testing.assert_array_equal(host(np.where(d > 0, d, 0.0)), np.where(x > 0, x, 0.0))
    np.testing.assert_array_equal(host(d.astype(np.int64)), x.astype(np.int64))
    assert fallbacks() == {}


def test_in_place_ops_write_into_views():
    x = RNG.standard_normal((3, 4)).astype(np.float32)
    d, want = dev(x), x.copy()
    view, wview = d[:, 1:3], want[:, 1:3]
    view *= 3
    wview *= 3
    d -= 1
    want -= 1
    d[0] = 7.0
    want[0] = 7.0
    np.testing.assert_allclose(host(d), want, rtol=1e-6)
    assert fallbacks() == {}


def test_concatenate_and_stack_copy_into_slices():
    a, b = RNG.standard_normal((2, 3)), RNG.standard_normal((2, 1))
    np.testing.assert_array_equal(host(np.concatenate([dev(a), dev(b)], axis=1)), np.concatenate([a, b], axis=1))
    np.testing.assert_array_equal(host(np.stack([dev(a), dev(a)], axis=1)), np.stack([a, a], axis=1))


# ---- reductions --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("axis", [None, 0, 1, (0, 2), -1])
@pytest.mark.parametrize("op", ["sum", "max", "min", "mean"])
def test_reductions_match_numpy(op, axis):
    x = RNG.standard_normal((3, 4, 5)).astype(np.float32)
    want = getattr(x, op)(axis=axis, keepdims=True)
    got = host(getattr(dev(x), op)(axis=axis, keepdims=True))
    assert got.shape == want.shape and got.dtype == want.dtype
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)  # float32 sums in another order


def test_argmax_nan_and_integer_sums():
    x = np.array([[1.0, 3.0, 3.0, 0.0], [np.nan, 5.0, np.nan, 1.0]], np.float32)
    np.testing.assert_array_equal(host(dev(x).argmax(axis=1)), x.argmax(axis=1))
    np.testing.assert_array_equal(host(dev(x).argmin(axis=1)), x.argmin(axis=1))
    np.testing.assert_array_equal(host(dev(x).max(axis=1)), x.max(axis=1))
    m = x > 0
    assert host(dev(m).sum()) == m.sum() and host(dev(m).sum()).dtype == np.int64
    assert bool(host(dev(x).any())) and not bool(host(dev(np.zeros(3)).any()))


# ---- matmul ---------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("kernel", ["tiled", "simple"])
@pytest.mark.parametrize("m,k,n", [(1, 1, 1), (5, 9, 7), (17, 3, 10)])
def test_matmul_kernels(kernel, m, k, n):
    from autolab.kernels.cuda.dispatch import matmul_arrays

    a = RNG.standard_normal((m, k)).astype(np.float32)
    b = RNG.standard_normal((n, k)).astype(np.float32)  # read transposed, through strides
    got = host(matmul_arrays(dev(a), dev(b).T, kernel=kernel))
    np.testing.assert_allclose(got, a @ b.T, rtol=1e-5, atol=1e-5)


def test_matmul_batches_broadcast_and_vectors():
    a = RNG.standard_normal((2, 1, 3, 4))
    b = RNG.standard_normal((3, 4, 2))
    np.testing.assert_allclose(host(dev(a) @ dev(b)), a @ b, rtol=1e-12)
    v = RNG.standard_normal(4)
    np.testing.assert_allclose(host(dev(a[0, 0]) @ dev(v)), a[0, 0] @ v, rtol=1e-12)
    np.testing.assert_allclose(host(dev(v) @ dev(b[0])), v @ b[0], rtol=1e-12)


# ---- the seam's functions: conv, pooling, loss ------------------------------------------------------------------------
def seam_pair(name, *args, arrays=1):
    """(CUDA result, CPU reference result) of kernels.<name>."""
    import autolab.kernels as kernels
    from autolab.kernels import last_path, reference

    got = getattr(kernels, name)(*[dev(a) if i < arrays and a is not None else a for i, a in enumerate(args)])
    assert last_path[name] == "cuda"
    return got, getattr(reference, name)(*args)


@pytest.mark.parametrize("stride,padding", [((1, 1), (0, 0)), ((2, 1), (1, 2))])
def test_conv2d_forward_and_both_gradients(stride, padding):
    x = RNG.standard_normal((2, 3, 7, 6)).astype(np.float32)
    w = RNG.standard_normal((4, 3, 3, 2)).astype(np.float32)
    b = RNG.standard_normal(4).astype(np.float32)
    y, want = seam_pair("conv2d_forward", x, w, b, stride, padding, arrays=3)
    np.testing.assert_allclose(host(y), want, rtol=1e-4, atol=1e-5)
    gy = RNG.standard_normal(want.shape).astype(np.float32)
    gx, want_gx = seam_pair("conv2d_backward_input", gy, w, x.shape, stride, padding, arrays=2)
    np.testing.assert_allclose(host(gx), want_gx, rtol=1e-4, atol=1e-5)
    gw, want_gw = seam_pair("conv2d_backward_weight", gy, x, w.shape, stride, padding, arrays=2)
    np.testing.assert_allclose(host(gw), want_gw, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("kernel,stride,padding", [((2, 2), (2, 2), (0, 0)), ((3, 3), (2, 1), (1, 1))])
def test_max_pool_forward_backward_with_ties_and_nan(kernel, stride, padding):
    x = RNG.integers(0, 3, (2, 2, 6, 5)).astype(np.float32)  # many ties
    x[0, 0, 1, 1] = np.nan
    (y, arg), (want, want_arg) = seam_pair("max_pool2d_forward", x, kernel, stride, padding)
    np.testing.assert_array_equal(host(y), want)
    np.testing.assert_array_equal(host(arg), want_arg)
    gy = RNG.standard_normal(want.shape).astype(np.float32)
    gx, want_gx = seam_pair("max_pool2d_backward", gy, want_arg, x.shape, arrays=2)
    np.testing.assert_allclose(host(gx), want_gx, rtol=1e-6)


def test_avg_pool_forward_backward():
    x = RNG.standard_normal((2, 3, 5, 6)).astype(np.float32)
    y, want = seam_pair("avg_pool2d_forward", x, (3, 2), (2, 1), (1, 1))
    np.testing.assert_allclose(host(y), want, rtol=1e-5, atol=1e-6)
    gy = RNG.standard_normal(want.shape).astype(np.float32)
    gx, want_gx = seam_pair("avg_pool2d_backward", gy, x.shape, (3, 2), (2, 1), (1, 1))
    np.testing.assert_allclose(host(gx), want_gx, rtol=1e-5, atol=1e-6)


def test_softmax_cross_entropy_forward_backward():
    z = (RNG.standard_normal((4, 5)) * 30).astype(np.float32)  # large logits: the max is subtracted
    t = np.array([0, 4, 2, 2])
    (losses, probs), (want_l, want_p) = seam_pair("softmax_cross_entropy_forward", z, t, arrays=2)
    np.testing.assert_allclose(host(losses), want_l, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(host(probs), want_p, rtol=1e-5, atol=1e-7)
    gl = RNG.standard_normal(4).astype(np.float32)
    g, want_g = seam_pair("softmax_cross_entropy_backward", want_p, t, gl, arrays=3)
    np.testing.assert_allclose(host(g), want_g, rtol=1e-5, atol=1e-7)


def test_bias_relu_and_relu_backward():
    x = RNG.standard_normal((2, 3, 4)).astype(np.float32)
    b = RNG.standard_normal(3).astype(np.float32)
    y, want = seam_pair("bias_relu_forward", x, b, arrays=2)
    np.testing.assert_allclose(host(y), want, rtol=1e-6)
    gy = RNG.standard_normal(x.shape).astype(np.float32)
    g, want_g = seam_pair("relu_backward", gy, want, arrays=2)
    np.testing.assert_array_equal(host(g), want_g)
