"""``autolab.optim``: PyTorch's optimizers and learning-rate schedulers, with PyTorch's update rules."""

from . import lr_scheduler
from .adadelta import Adadelta
from .adagrad import Adagrad
from .adam import Adam, AdamW
from .adamax import Adamax
from .asgd import ASGD
from .nadam import NAdam
from .optimizer import Optimizer
from .radam import RAdam
from .rmsprop import RMSprop
from .rprop import Rprop
from .sgd import SGD

# torch.optim names autolab does not have yet: asking for one says so, rather than "no attribute"
_NOT_YET = ("LBFGS", "SparseAdam", "Adafactor", "Muon", "swa_utils", "swap_in_optimizer_params_and_state")


def __getattr__(name: str):
    if name in _NOT_YET:
        raise AttributeError(
            f"autolab.optim.{name} is not implemented in autolab yet (PyTorch has torch.optim.{name}). "
            "autolab has SGD, Adam, AdamW, Adadelta, Adagrad, Adamax, ASGD, NAdam, RAdam, RMSprop and Rprop."
        )
    raise AttributeError(f"module 'autolab.optim' has no attribute '{name}'")
