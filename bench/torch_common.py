"""What the side-by-side PyTorch benchmarks share: the host's description, Fashion-MNIST as tensors, the PyTorch twins of
Polyak's zoo models (same layers, same shapes) and test accuracy."""
import gzip
import os

DATA = os.environ.get("POLYAK_DATA_DIR", "/usr/share/datasets") + "/fashion-mnist/"
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def host_description():
    model, family, number, flags = "?", "?", "?", set()
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name") and model == "?":
                model = line.split(":", 1)[1].strip()
            if line.startswith("cpu family") and family == "?":
                family = line.split(":", 1)[1].strip()
            if line.startswith("model\t") and number == "?":
                number = line.split(":", 1)[1].strip()
            if line.startswith("flags") and not flags:
                flags = set(line.split(":", 1)[1].split())
    simd = "AVX-512" if "avx512f" in flags else "AVX2" if "avx2" in flags else "SSE"
    simd += " + FMA" if "fma" in flags else ""
    return f"{model} (family {family}, model {number}), {os.cpu_count()} logical cores, {simd}"


def load_fashion():
    import numpy as np
    import torch

    def images(name):
        with gzip.open(DATA + name) as f:
            return torch.tensor(np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 1, 28, 28).astype(np.float32) / 255)

    def labels(name):
        with gzip.open(DATA + name) as f:
            return torch.tensor(np.frombuffer(f.read(), np.uint8, offset=8).astype(np.int64))

    return (images("train-images-idx3-ubyte.gz"), labels("train-labels-idx1-ubyte.gz"),
            images("t10k-images-idx3-ubyte.gz"), labels("t10k-labels-idx1-ubyte.gz"))


def torch_model(name):
    import torch.nn as nn
    if name == "softmax":
        return nn.Sequential(nn.Flatten(), nn.Linear(784, 10))
    if name == "mlp":
        return nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10))
    if name == "lenet":
        return nn.Sequential(nn.Conv2d(1, 32, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(32, 64, 5), nn.ReLU(),
                             nn.MaxPool2d(2), nn.Flatten(), nn.Linear(1024, 10))
    raise ValueError(f"no PyTorch twin for model {name}")


def accuracy(model, xt, yt):
    import torch
    with torch.no_grad():
        correct = 0
        for i in range(0, len(xt), 1000):
            correct += (model(xt[i:i + 1000]).argmax(1) == yt[i:i + 1000]).sum().item()
    return correct / len(xt)


