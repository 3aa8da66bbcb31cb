"""Every differentiable op, as functions. ``autolab.exp(x)`` and ``x.exp()`` both land here."""

from .arithmetic import add, div, divide, mul, multiply, neg, negative, pow, sub, subtract, true_divide
from .conv import avg_pool2d, conv2d, max_pool2d
from .index import gather, getitem
from .join import (
    allclose,
    cat,
    concat,
    concatenate,
    eq,
    equal,
    ge,
    gt,
    isclose,
    le,
    logical_and,
    logical_not,
    logical_or,
    lt,
    ne,
    stack,
    where,
)
from .matmul import bmm, matmul, mm
from .reduce import amax, amin, argmax, argmin, max, maximum, mean, min, minimum, std, sum, var
from .shape import (
    contiguous,
    expand,
    expand_as,
    flatten,
    permute,
    reshape,
    squeeze,
    t,
    transpose,
    unsqueeze,
    view,
)
from .softmax import log_softmax, softmax
from .unary import abs, cast, clamp, clip, clone, cos, exp, leaky_relu, log, relu, sigmoid, sign, sin, sqrt, tanh
