"""``autolab.nn``: layers, losses and the Module base class, with PyTorch's names and defaults."""

from . import functional, init
from .module import Module
from .modules import *
from .parameter import Parameter
from . import parallel
from .parallel import DataParallel
from . import utils
