"""The notebook 11 check on every rank, with a right answer and typical wrong ones; outputs saved per rank."""

import contextlib
import io

from _report import save

import autolab.distributed as dist
from autolab.course import checks


def right(model):
    for p in model.parameters():
        dist.all_reduce(p.grad)
        p.grad /= dist.get_world_size()


def summed(model):
    for p in model.parameters():
        dist.all_reduce(p.grad)


def local_only(model):
    pass


def forgot_biases(model):
    for name, p in model.named_parameters():
        if name.endswith("weight"):
            dist.all_reduce(p.grad, op=dist.ReduceOp.AVG)


def not_done(model):
    raise NotImplementedError()


dist.init_process_group()
report = {"rank": dist.get_rank()}
for fn in (right, summed, local_only, forgot_biases, not_done):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        passed = checks.average_gradients(fn)
    report[fn.__name__] = [bool(passed), out.getvalue()]
save(report)
