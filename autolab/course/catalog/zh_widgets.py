"""Chinese for the widgets' labels, the training loop's status lines and the notebooks' result lines.

Terms follow docs/glossary.zh.md (学习率, 动量, 批量大小, 损失, 梯度 ...).
"""

from __future__ import annotations

ZH_WIDGETS: dict[str, str] = {
    # the dashboard: states, buttons, sliders, views
    "idle": "就绪",
    "running": "训练中",
    "paused": "已暂停",
    "stopped": "已停止",
    "finished": "已完成",
    "error": "出错",
    "Start": "开始",
    "Pause": "暂停",
    "Resume": "继续",
    "Stop": "停止",
    "Reset": "重置",
    "Run": "运行",
    "Step": "单步",
    "Step ×10": "走 10 步",
    " or ": " 或 ",
    "Hint:": "提示：",
    "learning rate": "学习率",
    "momentum": "动量",
    "weight decay": "权重衰减",
    "batch size": "批量大小",
    "Adam's lr": "Adam 学习率",
    "Graph": "计算图",
    "Gradients": "梯度",
    "Smoothing": "平滑",
    "Log scale": "对数坐标",
    "Histograms": "直方图",
    "train": "训练",
    "validation": "验证",
    "loss": "损失",
    "accuracy": "准确率",
    "step": "步",
    "steps": "步数",
    "traceback": "回溯信息",
    "Ready: press Start.": "准备就绪：请按“开始”。",
    "{rate:.1f} steps/s": "每秒 {rate:.1f} 步",
    "epoch {epoch} · step {step} · loss {loss:.4f}{speed} · batch {batch} · {hp}": (
        "第 {epoch} 轮 · 第 {step} 步 · 损失 {loss:.4f}{speed} · 批量 {batch} · {hp}"
    ),
    "{button} failed: {error}": "“{button}”失败：{error}",
    "a view failed to draw: {error}": "有一个视图绘制失败：{error}",
    "gradient norm per parameter": "每个参数的梯度范数",
    "update / weight ratio": "更新量 / 权重 之比",
    "1e-3 healthy": "1e-3 为健康",
    "weights": "权重",
    "gradients": "梯度",
    "no gradient yet": "还没有梯度",
    "output std per activation layer": "每个激活层输出的标准差",
    "idle units, % (dead ReLU / saturated)": "不活跃单元 %（死亡 ReLU / 饱和）",
    # the training loop's status lines (autolab.training: engine text, translated where the dashboard shows it)
    "Training from step {self.step}.": "从第 {self.step} 步开始训练。",
    "Paused after step {self.step}.": "在第 {self.step} 步之后暂停。",
    "Resumed at step {self.step}.": "从第 {self.step} 步继续。",
    "Reset to the initial weights.": "已重置为初始权重。",
    "Finished {self.epoch} epochs ({self.step} steps).": "完成了 {self.epoch} 轮训练（共 {self.step} 步）。",
    "Interrupted: stopped cleanly after step {self.step}.": "已中断：在第 {self.step} 步之后干净地停止。",
    "Stopped after step {self.step}; the model holds the weights of that step.": (
        "在第 {self.step} 步之后停止；模型保留的是这一步的权重。"
    ),
    (
        "The loss became {value} at step {self.step + 1} (epoch {self.epoch + 1}), so training stopped before "
        "applying that step. The learning rate {lr:g} is probably too large: try a smaller one (for example "
        "{lr / 10:g}), then Reset."
    ): (
        "第 {self.step + 1} 步（第 {self.epoch + 1} 轮）的损失变成了 {value}，所以训练在应用这一步之前停了下来。"
        "学习率 {lr:g} 很可能太大了：换一个更小的（例如 {lr / 10:g}），然后按“重置”。"
    ),
    # the optimizer race
    "ill-conditioned bowl (curvatures 1 and 20)": "病态的碗（曲率 1 和 20）",
    "ill-conditioned bowl": "病态的碗",
    "Rosenbrock valley": "Rosenbrock 山谷",
    "gradient descent": "梯度下降",
    "loss above the minimum": "损失减去最小值",
    "diverged": "发散",
    "converged": "收敛",
    "loss − min": "损失 − 最小值",
    "at": "位置",
    "learning rate {lr:.3g} · momentum {momentum:.2f} · Adam's lr {adam_lr:.3g}": (
        "学习率 {lr:.3g} · 动量 {momentum:.2f} · Adam 学习率 {adam_lr:.3g}"
    ),
    # the linear-regression playground
    "noise": "噪声",
    "points": "点数",
    "true line": "真实直线",
    "step {step}, loss {loss:.4g}": "第 {step} 步，损失 {loss:.4g}",
    "loss surface (log scale) and the descent path": "损失曲面（对数刻度）与下降路径",
    "the loss grows: the learning rate is too large": "损失在增大：学习率太大了",
    # CNN views
    "filter {i}": "卷积核 {i}",
    "layer": "层",
    "input": "输入",
    "predicted": "预测类别",
    "true": "真实类别",
    "accuracy {acc:.1%}": "准确率 {acc:.1%}",
    # the graph view (its Python-side controls; the browser side's hints stay English for now)
    "Expand": "展开",
    "Modules": "模块",
    "All ops": "全部运算",
    "one node per module call": "每次模块调用一个节点",
    "every op (unreadable for a real network)": "每个运算一个节点（真实网络会多到看不清）",
    "Show local derivative rules": "显示局部导数规则",
    "play": "播放",
    "pause": "暂停",
    "First step": "第一步",
    "Previous step": "上一步",
    "Play the walk": "播放整个过程",
    "Next step": "下一步",
    "Last step": "最后一步",
    "full size": "原始大小",
    "fit width": "适应宽度",
    "Fit the graph to the width, or show it at full size": "让计算图适应宽度，或以原始大小显示",
    "Download the drawing as SVG": "下载为 SVG",
    "Download the drawing as PNG": "下载为 PNG",
    "click a node (or Tab, arrows, Enter) for its details": "点击一个节点（或用 Tab、方向键、回车）查看详情",
    "Text view: the graph as a table (for screen readers)": "文字视图：以表格列出计算图（供屏幕阅读器使用）",
    "node": "节点",
    "kind": "类型",
    "shape": "形状",
    "value": "值",
    "gradient": "梯度",
    "used by": "被谁使用",
    # ring all-reduce, animated (notebook 11)
    (
        "Each of the {n} ranks holds its own gradient, cut into {n} chunks (colours). Goal: every rank ends with "
        "the sum. Press play, or step with the slider."
    ): "{n} 个 rank 各自持有自己的梯度，切成 {n} 个数据块（不同颜色）。目标：每个 rank 最后都得到总和。按播放，或者拖动滑块逐步查看。",
    (
        "Reduce-scatter, step {step} of {steps}: every rank sends one chunk to its right neighbour, which adds it "
        "to its own."
    ): "Reduce-scatter，第 {step} 步（共 {steps} 步）：每个 rank 把一个数据块发给右边的邻居，邻居把它加到自己的数据块上。",
    " Now each rank holds the complete sum of one chunk (thick border).": "现在每个 rank 都持有某一个数据块的完整总和（粗边框）。",
    (
        "All-gather, step {step} of {steps}: the finished chunks travel round the ring, replacing the partial sums."
    ): "All-gather，第 {step} 步（共 {steps} 步）：算好的数据块沿环传递，替换掉部分和。",
    " Done: every rank holds the whole sum.": "完成：每个 rank 都持有整个总和。",
    "Sent by each rank so far: {sent} of a vector (all links busy at once).": (
        "到目前为止每个 rank 发送了：一个向量的 {sent}（所有链路同时在传输）。"
    ),
    "chunk {c}": "数据块 {c}",
    "rank {i}": "rank {i}",
    # data-parallel training (notebook 11)
    "Rank": "Rank",
    "follow the latest step": "跟随最新一步",
    "loss of each rank's batch": "每个 rank 的批量损失",
    "all-reduce per step, ms (dashed: not overlapped)": "每步全归约耗时，毫秒（虚线：未与计算重叠）",
    "message size (bytes)": "消息大小（字节）",
    "all-reduce time (µs)": "全归约耗时（微秒）",
    "perfect scaling": "理想扩展",
    "measured: ranks on this machine": "实测：本机上的 rank",
    "machines (model) / ranks here (measured)": "机器数（模型）/ 本机 rank 数（实测）",
    "images per second": "每秒图像数",
    # the notebooks' own lines and plots (code cells shared by both editions)
    "fast mode:": "快速模式：",
    "x": "x",
    "y": "y",
    "loss (log scale)": "损失（对数刻度）",
    "lr = {fraction:.2f} x limit": "学习率 = {fraction:.2f} × 上限",
    "training loss (smoothed)": "训练损失（平滑后）",
    "data: y = 3x + 2 + noise": "数据：y = 3x + 2 + 噪声",
    "gradient descent at different learning rates": "不同学习率下的梯度下降",
    "fitted: w = {w:.3f}, b = {b:.3f}  (true: 3, 2)": "拟合结果：w = {w:.3f}，b = {b:.3f}（真实值：3, 2）",
    "largest learning rate that converges: 2 / {top:.3f} = {limit:.3f}": "能够收敛的最大学习率：2 / {top:.3f} = {limit:.3f}",
    "lr {lr:.3f} ({fraction:4.2f} of the limit): loss after 30 steps {loss:.4g}": (
        "学习率 {lr:.3f}（上限的 {fraction:4.2f} 倍）：30 步之后的损失 {loss:.4g}"
    ),
    "MNIST test accuracy: {acc:.1%} (chance: 10%)": "MNIST 测试准确率：{acc:.1%}（随机猜测：10%）",
    "validation accuracy after one epoch: {acc:.1%}": "训练一轮后的验证准确率：{acc:.1%}",
}
