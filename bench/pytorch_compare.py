#!/usr/bin/python3
"""Side-by-side reference: trains the same mlp (784-256-10) and lenet (conv 1->32 5x5, ReLU, maxpool 2, conv 32->64 5x5,
ReLU, maxpool 2, dense 1024->10) in PyTorch on this machine, batch 64 (or --batch B), SGD with momentum 0.9, random 1x28x28 inputs,
and prints samples/s for 1 and 2 intra-op threads, then (unless --torch-only) runs Polyak's `nn` benchmark suite.

Usage: /usr/bin/python3 bench/pytorch_compare.py [--seconds S] [--batch B] [--torch-only]
Needs Debian's python3-torch (apt-get install python3-torch libopenblas0-openmp); says so and skips PyTorch if absent.
"""
import argparse
import os
import subprocess
import sys
import time


def torch_rows(seconds, batch=64):
    try:
        import torch
        import torch.nn as nn
    except ImportError:
        print("PyTorch not installed: apt-get install -y python3-torch libopenblas0-openmp  (skipping the PyTorch column)")
        return []

    def mlp():
        return nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10))

    def lenet():
        return nn.Sequential(
            nn.Conv2d(1, 32, 5), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 5), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(1024, 10))

    rows = []
    torch.manual_seed(0)
    x = torch.randn(batch, 1, 28, 28)
    y = torch.randint(0, 10, (batch,))
    for threads in (1, 2):
        torch.set_num_threads(threads)
        for name, make in (("mlp", mlp), ("lenet", lenet)):
            model = make()
            opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
            loss_fn = nn.CrossEntropyLoss()

            def step():
                opt.zero_grad(set_to_none=True)
                loss = loss_fn(model(x), y)
                loss.backward()
                opt.step()

            for _ in range(5):
                step()
            n = 0
            start = time.perf_counter()
            while time.perf_counter() - start < seconds:
                step()
                n += 1
            rate = n * batch / (time.perf_counter() - start)
            rows.append((name, f"PyTorch {torch.__version__}, {threads} thread(s)", rate))
    return rows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=5.0)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--torch-only", action="store_true")
    args = ap.parse_args()
    print(f"PyTorch reference, batch {args.batch}, SGD momentum 0.9, {args.seconds:g} s per case, {os.cpu_count()} logical cores")
    for name, config, rate in torch_rows(args.seconds, args.batch):
        print(f"{name:<8} {config:<44} {rate:10.0f}")
    if args.torch_only:
        return 0
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    print("\nPolyak (bench/Polyak.Bench nn):")
    return subprocess.call(["dotnet", "run", "-c", "Release", "--project", os.path.join(root, "bench", "Polyak.Bench"),
                            "--", "nn", str(args.seconds), "mlp,lenet", str(args.batch)])


if __name__ == "__main__":
    sys.exit(main())
