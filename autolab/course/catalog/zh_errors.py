"""Chinese for the engine's "errors that teach", shown to students beside the English error (``i18n.explain``).

The engine's errors stay English, as PyTorch's do (a student searches the web with them). In a Chinese
notebook, a check that catches one, and the notebook's traceback (``set_language("zh")`` installs an IPython
handler), add this Chinese version underneath. Keys are the error's text with its varying parts as fields.
"""

from __future__ import annotations

ZH_ERRORS: dict[str, str] = {
    "matmul: {a} @ {b}: inner sizes {n} and {m} differ": (
        "矩阵乘法 {a} @ {b}：内侧的两个维度 {n} 和 {m} 不相等（左边的列数必须等于右边的行数）"
    ),
    "matmul: {a} @ {b}: batch dimensions {x} and {y} cannot be broadcast": (
        "矩阵乘法 {a} @ {b}：批量维度 {x} 和 {y} 无法广播"
    ),
    "matmul: expected both operands to have the same dtype, but got {x} and {y} (convert one, e.g. with .float())": (
        "矩阵乘法的两个操作数 dtype 必须相同，这里是 {x} 和 {y}（转换其中一个，例如用 .float()）"
    ),
    (
        "linear: input {shape} has {n} features but the layer expects {m} (weight {w}): mat1 and mat2 shapes "
        "cannot be multiplied ({detail})"
    ): "全连接层：输入 {shape} 有 {n} 个特征，但这一层需要 {m} 个（权重 {w}）。检查上一层的输出尺寸，或者展平之后的大小",
    (
        "{op}: shapes {a} and {b} cannot be broadcast together: the size of tensor a ({x}) must match the size of "
        "tensor b ({y}) at non-singleton dimension {d}"
    ): "{op}：形状 {a} 和 {b} 无法广播：在第 {d} 维上，两个张量的尺寸 {x} 和 {y} 既不相等，也都不是 1",
    (
        "grad can be implicitly created only for scalar outputs (this output has shape {shape}); pass a gradient of "
        "that shape, e.g. out.backward(autolab.ones_like(out)), or reduce it first with .sum()"
    ): (
        "只有标量输出才能直接调用 backward()（这个输出的形状是 {shape}）：先用 .sum() 或 .mean() 归约成一个数，"
        "或者传入同样形状的梯度，例如 out.backward(autolab.ones_like(out))"
    ),
    "element 0 of tensors does not require grad and does not have a grad_fn": (
        "这个张量不需要梯度，也没有 grad_fn：计算它的输入都没有设置 requires_grad=True，"
        "或者它是在 torch.no_grad() 里、或经过 .detach() 算出来的"
    ),
    (
        "cross_entropy: expected target of dtype int64 (class indices), got {dtype}; convert labels with .long() "
        "(cross_entropy also takes class probabilities, a float target of the input's shape)"
    ): (
        "交叉熵的目标（标签）必须是 int64 的类别索引，这里是 {dtype}：用 .long() 转换标签"
        "（交叉熵也接受类别概率作为目标：一个与输入形状相同的浮点张量）"
    ),
    "cross_entropy: target {t} is out of bounds for {n} classes": (
        "交叉熵：标签 {t} 超出了 {n} 个类别的范围（类别索引是 0 到类别数减 1）"
    ),
    "cross_entropy: expected input (N, C) and target (N,), got input {x} and target {y}": (
        "交叉熵：输入应为 (N, C)、目标应为 (N,)，这里输入是 {x}、目标是 {y}：两者的批量大小 N 必须相同"
    ),
    (
        "conv2d: input {x} has {c} channels but weight {w} expects {k} (dim 1 of the input must match dim 1 of "
        "the weight)"
    ): "卷积：输入 {x} 有 {c} 个通道，但权重 {w} 需要 {k} 个（输入的第 1 维必须等于 in_channels）",
    "conv2d: input {x} padded to {p} is smaller than the kernel {k}": (
        "卷积：输入 {x} 填充之后是 {p}，比卷积核 {k} 还小：前面的卷积和池化把特征图缩得太小了"
    ),
    "{op}: input {x} is smaller than the kernel {k}": "{op}：输入 {x} 比卷积核（池化窗口）{k} 还小",
    "shape '{target}' is invalid for input of size {n} (the input has shape {shape})": (
        "形状 {target} 与 {n} 个元素不符（输入的形状是 {shape}）：新形状各维之积必须等于元素个数"
    ),
    "cat: sizes of tensors must match except in dimension {d}: tensor {i} has shape {a} but tensor {j} has shape {b}": (
        "cat：除第 {d} 维外，各张量的尺寸必须相同：张量 {i} 的形状是 {a}，张量 {j} 的形状是 {b}"
    ),
    "stack expects each tensor to be equal size, but got {a} at entry {i} and {b} at entry {j}": (
        "stack 要求每个张量的形状都相同，这里第 {i} 个是 {a}，第 {j} 个是 {b}"
    ),
    "index {i} is out of range for a tensor of shape {shape}: {detail}": "下标 {i} 超出了形状为 {shape} 的张量的范围",
    "Dimension out of range (expected to be in range of {r}, but got {d})": "维度 {d} 超出范围（应在 {r} 之内）",
    (
        "mean(): could not infer output dtype. Input dtype must be either a floating point or complex dtype. "
        "Got: {dtype}. Use x.float().mean()"
    ): "mean() 只能用于浮点张量，这里是 {dtype}：先用 x.float() 转换",
    (
        "{loss}: target shape {t} differs from input shape {x}; they must match (broadcasting here usually hides a "
        "bug, e.g. (N, 1) against (N,))"
    ): "{loss}：目标的形状 {t} 与输入的形状 {x} 不同；两者必须一致（这里的广播通常会掩盖错误，例如 (N, 1) 对 (N,)）",
    (
        "binary_cross_entropy: all elements of input should be between 0 and 1 (apply sigmoid first, or use "
        "binary_cross_entropy_with_logits)"
    ): "二分类交叉熵的输入必须在 0 和 1 之间：先做 sigmoid，或者改用 binary_cross_entropy_with_logits",
    (
        "only Tensors of floating point dtype can require gradients, got {dtype} (create it with "
        "dtype=autolab.float32, or call .float() first)"
    ): "只有浮点张量才能需要梯度，这里是 {dtype}（创建时用 dtype=autolab.float32，或者先调用 .float()）",
    "a Tensor with {n} elements cannot be converted to Scalar": "有 {n} 个元素的张量不能用 .item() 转换成一个数",
    "Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead.": (
        "需要梯度的张量不能直接调用 numpy()：请用 tensor.detach().numpy()"
    ),
    "cannot assign {what} before Module.__init__() call (call super().__init__() first)": (
        "在 Module.__init__() 调用之前不能赋值 {what}：在 __init__ 里先调用 super().__init__()"
    ),
}
