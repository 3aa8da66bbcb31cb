"""The stateless forms of the layers, one file per family; ``autolab.nn.functional`` re-exports them all.

Each function is a few tensor ops, so autograd gives its backward (and its second derivative) for free.
"""
