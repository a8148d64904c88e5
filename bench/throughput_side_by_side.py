#!/usr/bin/python3
"""Training samples/s side by side in one run: Polyak and PyTorch on Fashion-MNIST, batch 64, SGD with momentum 0.9,
interleaved round by round (every configuration once per round; medians over rounds).

  PyTorch 1 thread, PyTorch 2 intra-op threads, PyTorch Hogwild with 2 processes (shared model, one optimizer each,
  1 thread each: the pytorch/examples mnist_hogwild recipe) against `polyak train --workers 1` and `--workers 2`
  (asynchronous, threads backend). Both sides are timed in steady state after a 1 s warm-up: PyTorch by its step
  loop, Polyak from its curve (update, wall seconds) with its evaluations (64 rows) taken out.
Models: softmax (784-10), mlp (784-256-10), lenet (conv 32 5x5, pool, conv 64 5x5, pool, dense 10).
Writes OUT/throughput.csv and OUT/throughput.md.

Usage: /usr/bin/python3 bench/throughput_side_by_side.py [--models softmax,mlp,lenet] [--seconds 8] [--rounds 3] [--out DIR]
Needs: apt-get install python3-torch libopenblas0-openmp dataset-fashion-mnist; run from the repository (uses ./polyak).
"""
import argparse
import csv
import json
import os
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_common import ROOT, host_description, load_fashion, torch_model  # noqa: E402


def torch_steps(model, x, y, seconds, batch, seed):
    """Trains for `seconds` after a 1 s warm-up; returns the number of samples trained per second."""
    import torch
    import torch.nn as nn
    torch.manual_seed(seed)
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    loss_fn = nn.CrossEntropyLoss()
    n = len(x)

    def step():
        idx = torch.randint(0, n, (batch,))
        opt.zero_grad(set_to_none=True)
        loss_fn(model(x[idx]), y[idx]).backward()
        opt.step()

    t = time.perf_counter()
    while time.perf_counter() - t < 1.0:
        step()
    steps, t = 0, time.perf_counter()
    while time.perf_counter() - t < seconds:
        step()
        steps += 1
    return steps * batch / (time.perf_counter() - t)


def hogwild_process(rank, model, x, y, seconds, batch, queue):
    import torch
    torch.set_num_threads(1)
    queue.put(torch_steps(model, x, y, seconds, batch, rank + 1))


def run_torch(config, name, x, y, seconds, batch):
    import torch
    model = torch_model(name)
    if config == "torch-hogwild":
        import torch.multiprocessing as mp
        ctx = mp.get_context("fork")
        model.share_memory()
        queue = ctx.Queue()
        procs = [ctx.Process(target=hogwild_process, args=(r, model, x, y, seconds, batch, queue)) for r in range(2)]
        for p in procs:
            p.start()
        rates = [queue.get() for _ in procs]
        for p in procs:
            p.join()
        return sum(rates)
    torch.set_num_threads(2 if config == "torch-2" else 1)
    return torch_steps(model, x, y, seconds, batch, 1)


EVAL_EVERY = {"softmax": 1000, "mlp": 200, "lenet": 10}  # about 5 curve points a second on these hosts


def run_polyak(config, name, seconds, batch, out):
    """Steady-state samples/s of `polyak train`: like PyTorch's, measured after a 1 s warm-up (JIT tiering, first
    touches), from the run's curve (update, wall seconds) with the time of its tiny evaluations (64 rows) taken out."""
    workers = 2 if config == "polyak-2" else 1
    folder = os.path.join(out, "polyak-runs", f"{name}-{config}-{time.time_ns()}")
    cmd = [os.path.join(ROOT, "polyak"), "train", "--model", name, "--data", "fashion-mnist", "--workers", str(workers),
           "--batch", str(batch), "--lr", "0.01", "--momentum", "0.9", "--time", str(seconds + 1),
           "--eval-every", str(EVAL_EVERY[name]), "--eval-size", "64", "--out", folder]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"polyak exited {proc.returncode}: {proc.stderr.strip()[-300:]}")
    with open(os.path.join(folder, "run.json")) as f:
        summary = json.load(f)["summary"]
    with open(os.path.join(folder, "curve.csv")) as f:
        points = [(int(r["update"]), float(r["wall_seconds"])) for r in csv.DictReader(f)]
    eval_cost = summary["eval_wall_seconds"] / max(1, len(points))
    steady = [p for p in points if p[1] >= 1.0]
    if len(steady) < 2:
        return summary["samples_per_second"]
    (u0, t0), (u1, t1) = steady[0], steady[-1]
    return (u1 - u0) * batch / max(1e-9, t1 - t0 - eval_cost * (len(steady) - 1))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--models", default="softmax,mlp,lenet")
    ap.add_argument("--configs", default="torch-1,torch-2,torch-hogwild,polyak-1,polyak-2")
    ap.add_argument("--seconds", type=float, default=8)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--out", default=os.path.join(ROOT, "artifacts", "throughput"))
    args = ap.parse_args()
    models, configs = args.models.split(","), args.configs.split(",")
    bad = [m for m in models if m not in ("softmax", "mlp", "lenet")] + \
          [c for c in configs if c not in ("torch-1", "torch-2", "torch-hogwild", "polyak-1", "polyak-2")]
    if bad:
        print(f"error: unknown model or configuration: {', '.join(bad)}", file=sys.stderr)
        return 2
    try:
        import torch
    except ImportError:
        print("error: PyTorch is missing: apt-get install -y python3-torch libopenblas0-openmp", file=sys.stderr)
        return 2
    x, y, _, _ = load_fashion()
    os.makedirs(args.out, exist_ok=True)
    subprocess.run([os.path.join(ROOT, "polyak"), "--help"], capture_output=True)  # builds the CLI before any timing
    host = host_description()
    print(f"host: {host}; PyTorch {torch.__version__}; batch {args.batch}; {args.seconds:g} s per cell; {args.rounds} rounds", flush=True)
    rates, loads = {}, {}
    total, done, started = args.rounds * len(models) * len(configs), 0, time.perf_counter()
    for r in range(args.rounds):
        for name in models:
            for config in configs:
                load = os.getloadavg()[0]
                rate = run_torch(config, name, x, y, args.seconds, args.batch) if config.startswith("torch") \
                    else run_polyak(config, name, args.seconds, args.batch, args.out)
                rates.setdefault((name, config), []).append(rate)
                loads[(name, config)] = max(loads.get((name, config), 0), load, os.getloadavg()[0])
                done += 1
                eta = (time.perf_counter() - started) / done * (total - done)
                print(f"[{done}/{total}, ETA {eta / 60:.1f} min] round {r + 1} {name} {config}: {rate:,.0f} samples/s", flush=True)
    med = {key: statistics.median(v) for key, v in rates.items()}
    lines = [f"Host: {host}. PyTorch {torch.__version__} (OpenBLAS). Fashion-MNIST, batch {args.batch}, momentum 0.9; "
             f"median [range] of {args.rounds} interleaved rounds of {args.seconds:g} s.", "",
             "| model | " + " | ".join(configs) + " | Polyak 1 / PyTorch 1 thread | Polyak 2 / PyTorch Hogwild-2 | Polyak 2 / PyTorch best 2-core |",
             "|---|" + "---:|" * (len(configs) + 3)]
    with open(os.path.join(args.out, "throughput.csv"), "w") as f:
        f.write("model,config,median_samples_per_second,min,max,max_load\n")
        for name in models:
            cells = []
            for config in configs:
                v = rates[(name, config)]
                f.write(f"{name},{config},{med[(name, config)]:.0f},{min(v):.0f},{max(v):.0f},{loads[(name, config)]:.2f}\n")
                cells.append(f"{med[(name, config)]:,.0f} [{min(v):,.0f}, {max(v):,.0f}]")

            def ratio(a, b):
                return f"{med[(name, a)] / med[(name, b)]:.2f}x" if (name, a) in med and (name, b) in med else "-"
            best2 = max((c for c in ("torch-2", "torch-hogwild") if (name, c) in med), key=lambda c: med[(name, c)], default=None)
            lines.append(f"| {name} | " + " | ".join(cells) + f" | {ratio('polyak-1', 'torch-1')} | {ratio('polyak-2', 'torch-hogwild')} | "
                         + (ratio("polyak-2", best2) if best2 else "-") + " |")
    lines.append("")
    lines.append(f"Max 1-minute load average seen around the cells: {max(loads.values()):.2f}.")
    with open(os.path.join(args.out, "throughput.md"), "w") as f:
        f.write("\n".join(lines) + "\n")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
