#!/usr/bin/python3
"""bench/time-to-accuracy: training seconds (and steps) to test-accuracy targets on Fashion-MNIST, Polyak against
PyTorch, interleaved run by run on the same cores.

Configurations (batch 64, SGD with momentum; the same update rule: PyTorch's v = mu v + g, w -= lr v equals Polyak's
v = mu v - lr g, w += v at a constant lr):
  torch-1        PyTorch, 1 intra-op thread
  torch-2        PyTorch, 2 intra-op threads
  torch-hogwild  PyTorch Hogwild, 2 processes (the pytorch/examples mnist_hogwild recipe: model.share_memory(),
                 one optimizer per process, 1 thread each)
  polyak-1       `polyak train --workers 1`
  polyak-2       `polyak train --workers 2` (asynchronous, threads backend)
Every configuration evaluates the full 10,000-image test split every --eval-every steps (total over workers) and
leaves the evaluation time out of the clock (the DAWNBench convention): Polyak through --target-accuracy, PyTorch by
pausing its workers at each evaluation. A target not reached within --max-epochs is censored (reported as ">").

Recipes: --grid runs every configuration once (seed 0) for each learning rate in --lrs and each momentum in
--momenta and keeps, per configuration, the recipe fastest to the highest target it reached; without --grid every
configuration uses --lr and --momentum. Seeds 1..--seeds follow, interleaved (seed by seed, configuration by
configuration). Results: OUT/runs.csv (one line per run and target), OUT/summary.csv and OUT/summary.md (median and
range of training seconds and of steps), with the host's CPU model, SIMD level, BLAS and the load average during runs.

Usage: /usr/bin/python3 bench/time_to_accuracy.py [--problems lenet:0.85,0.89,0.90 mlp:0.85] [--seeds 5]
       [--configs torch-1,torch-2,torch-hogwild,polyak-1,polyak-2] [--grid --lrs 0.02,0.05,0.1 --momenta 0.9]
       [--eval-every 200] [--max-epochs 10] [--out artifacts/time-to-accuracy]
Needs: apt-get install python3-torch libopenblas0-openmp dataset-fashion-mnist; run from the repository (uses ./polyak).
"""
import argparse
import csv
import json
import os
import platform
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_common import ROOT, accuracy, host_description, load_fashion, torch_model  # noqa: E402


def hogwild_worker(rank, model, x, y, lr, momentum, batch, seed, go, done, steps_per_round, stop):
    """One Hogwild process: its own optimizer over the shared parameters; trains a round when told, then reports."""
    import torch
    import torch.nn as nn
    torch.set_num_threads(1)
    torch.manual_seed(seed * 100 + rank)
    opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=momentum)
    loss_fn = nn.CrossEntropyLoss()
    perm, pos = torch.randperm(len(x)), 0
    while True:
        go.wait()
        if stop.value:
            return
        for _ in range(steps_per_round):
            if pos + batch > len(x):
                perm, pos = torch.randperm(len(x)), 0
            idx = perm[pos:pos + batch]
            pos += batch
            opt.zero_grad(set_to_none=True)
            loss_fn(model(x[idx]), y[idx]).backward()
            opt.step()
        done.release()


def run_torch(config, problem, targets, lr, momentum, seed, data, args):
    import torch
    import torch.nn as nn
    x, y, xt, yt = data
    torch.manual_seed(seed)
    model = torch_model(problem)
    max_steps = int(args.max_epochs * len(x) / args.batch)
    crossings, steps, train_seconds = {}, 0, 0.0
    if config == "torch-hogwild":
        import torch.multiprocessing as mp
        ctx = mp.get_context("fork")
        model.share_memory()
        go, done, stop = ctx.Barrier(3), ctx.Semaphore(0), ctx.Value("b", 0)
        per_round = args.eval_every // 2
        procs = [ctx.Process(target=hogwild_worker, args=(r, model, x, y, lr, momentum, args.batch, seed, go, done, per_round, stop))
                 for r in range(2)]
        for p in procs:
            p.start()
        torch.set_num_threads(1)
        try:
            while steps < max_steps and len(crossings) < len(targets):
                t0 = time.perf_counter()
                go.wait()
                done.acquire()
                done.acquire()
                train_seconds += time.perf_counter() - t0
                steps += 2 * per_round
                acc = accuracy(model, xt, yt)
                for t in targets:
                    if t not in crossings and acc >= t:
                        crossings[t] = (train_seconds, steps, acc)
                if not all(torch.isfinite(p).all() for p in model.parameters()):
                    break
        finally:
            stop.value = 1
            go.wait()
            for p in procs:
                p.join()
        return crossings, steps, train_seconds
    torch.set_num_threads(2 if config == "torch-2" else 1)
    opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=momentum)
    loss_fn = nn.CrossEntropyLoss()
    perm, pos = torch.randperm(len(x)), 0
    while steps < max_steps and len(crossings) < len(targets):
        t0 = time.perf_counter()
        for _ in range(args.eval_every):
            if pos + args.batch > len(x):
                perm, pos = torch.randperm(len(x)), 0
            idx = perm[pos:pos + args.batch]
            pos += args.batch
            opt.zero_grad(set_to_none=True)
            loss_fn(model(x[idx]), y[idx]).backward()
            opt.step()
        train_seconds += time.perf_counter() - t0
        steps += args.eval_every
        acc = accuracy(model, xt, yt)
        for t in targets:
            if t not in crossings and acc >= t:
                crossings[t] = (train_seconds, steps, acc)
        if acc != acc:
            break
    return crossings, steps, train_seconds


def run_polyak(config, problem, targets, lr, momentum, seed, args):
    workers = 2 if config == "polyak-2" else 1
    out = os.path.join(args.out, "polyak-runs", f"{problem}-{config}-lr{lr}-mu{momentum}-s{seed}")
    if os.path.exists(os.path.join(out, "run.json")):
        import shutil
        shutil.rmtree(out)  # this script's own earlier run of the same cell
    max_updates = int(args.max_epochs * 60000 / args.batch)
    cmd = [os.path.join(ROOT, "polyak"), "train", "--model", problem, "--data", "fashion-mnist", "--workers", str(workers),
           "--batch", str(args.batch), "--lr", str(lr), "--momentum", str(momentum), "--seed", str(seed),
           "--target-accuracy", str(max(targets)), "--eval-every", str(args.eval_every), "--updates", str(max_updates),
           "--out", out]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode not in (0,):
        print(f"  polyak exited {proc.returncode}: {proc.stderr.strip().splitlines()[-1:] if proc.stderr else ''}", flush=True)
    crossings, steps, train_seconds = {}, 0, 0.0
    curve = os.path.join(out, "curve.csv")
    if os.path.exists(curve):
        with open(curve) as f:
            for row in csv.DictReader(f):
                if not row.get("held_out_accuracy"):
                    continue
                acc = float(row["held_out_accuracy"])
                seconds = float(row["wall_seconds"]) - float(row["excluded_seconds"] or 0)
                steps, train_seconds = int(row["update"]), seconds
                for t in targets:
                    if t not in crossings and acc >= t:
                        crossings[t] = (seconds, steps, acc)
    return crossings, steps, train_seconds


def run_one(config, problem, targets, lr, momentum, seed, data, args):
    load0 = os.getloadavg()[0]
    wall0 = time.perf_counter()
    if config.startswith("torch"):
        result = run_torch(config, problem, targets, lr, momentum, seed, data, args)
    else:
        result = run_polyak(config, problem, targets, lr, momentum, seed, args)
    load1 = os.getloadavg()[0]
    return result + (max(load0, load1), time.perf_counter() - wall0)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--problems", nargs="+", default=["lenet:0.85,0.89,0.90", "mlp:0.85"])
    ap.add_argument("--configs", default="torch-1,torch-2,torch-hogwild,polyak-1,polyak-2")
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--grid", action="store_true")
    ap.add_argument("--lrs", default="0.02,0.05,0.1")
    ap.add_argument("--momenta", default="0.9")
    ap.add_argument("--lr", type=float, default=0.05)
    ap.add_argument("--momentum", type=float, default=0.9)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--eval-every", type=int, default=200)
    ap.add_argument("--max-epochs", type=float, default=10)
    ap.add_argument("--out", default=os.path.join(ROOT, "artifacts", "time-to-accuracy"))
    args = ap.parse_args()
    configs = args.configs.split(",")
    unknown = [c for c in configs if c not in ("torch-1", "torch-2", "torch-hogwild", "polyak-1", "polyak-2")]
    if unknown:
        print(f"error: --configs: unknown configuration {', '.join(unknown)}", file=sys.stderr)
        return 2
    problems = []
    for p in args.problems:
        name, _, targets = p.partition(":")
        if name not in ("mlp", "lenet") or not targets:
            print(f"error: --problems: '{p}' is not MODEL:TARGET[,TARGET] with MODEL mlp or lenet", file=sys.stderr)
            return 2
        problems.append((name, sorted(float(t) for t in targets.split(","))))
    os.makedirs(args.out, exist_ok=True)
    try:
        import torch
        torch_info = f"PyTorch {torch.__version__}"
        with open("/proc/self/maps") as maps:
            blas = sorted({line.split()[-1] for line in maps if "blas" in line.lower()})
        torch_info += f", BLAS: {', '.join(os.path.realpath(b) for b in blas) or 'none mapped yet'}"
        data = load_fashion()
    except ImportError:
        print("error: PyTorch is missing: apt-get install -y python3-torch libopenblas0-openmp", file=sys.stderr)
        return 2
    host = host_description()
    subprocess.run([os.path.join(ROOT, "polyak"), "--help"], capture_output=True)  # builds the CLI before any timing
    print(f"host: {host}\n{torch_info}\nPython {platform.python_version()}; batch {args.batch}; eval every {args.eval_every} steps "
          f"on the 10,000 test images, excluded from the clock; max {args.max_epochs:g} epochs", flush=True)

    recipes = {}
    for problem, targets in problems:
        for config in configs:
            recipes[(problem, config)] = (args.lr, args.momentum)
        if not args.grid:
            continue
        grid = [(float(lr), float(mu)) for lr in args.lrs.split(",") for mu in args.momenta.split(",")]
        scores = {}
        total = len(grid) * len(configs)
        for i, (lr, mu) in enumerate(grid):
            for j, config in enumerate(configs):
                crossings, steps, seconds, load, wall = run_one(config, problem, targets, lr, mu, 0, data, args)
                best = max(crossings) if crossings else 0
                scores.setdefault(config, []).append(((-best, crossings[best][0] if crossings else float("inf")), lr, mu))
                print(f"grid {problem} [{i * len(configs) + j + 1}/{total}] {config} lr={lr} mu={mu}: "
                      + (f"{best:.0%} in {crossings[best][0]:.1f} s" if crossings else f"no target in {seconds:.0f} s"), flush=True)
        for config, s in scores.items():
            _, lr, mu = min(s)
            recipes[(problem, config)] = (lr, mu)
        with open(os.path.join(args.out, f"recipes-{problem}.json"), "w") as f:
            json.dump({c: {"lr": recipes[(problem, c)][0], "momentum": recipes[(problem, c)][1]} for c in configs}, f, indent=1)

    rows = []
    total = args.seeds * sum(len(configs) for _ in problems)
    done, started = 0, time.perf_counter()
    for seed in range(1, args.seeds + 1):
        for problem, targets in problems:
            for config in configs:
                lr, mu = recipes[(problem, config)]
                crossings, steps, seconds, load, wall = run_one(config, problem, targets, lr, mu, seed, data, args)
                for t in targets:
                    hit = crossings.get(t)
                    rows.append(dict(problem=problem, config=config, lr=lr, momentum=mu, seed=seed, target=t,
                                     reached=hit is not None, train_seconds=hit[0] if hit else seconds,
                                     steps=hit[1] if hit else steps, accuracy=hit[2] if hit else "", load=load))
                done += 1
                eta = (time.perf_counter() - started) / done * (total - done)
                print(f"[{done}/{total}, ETA {eta / 60:.0f} min] {problem} {config} seed {seed} lr={lr} mu={mu}: "
                      + ", ".join(f"{t:.0%} " + (f"{crossings[t][0]:.1f} s/{crossings[t][1]} steps" if t in crossings else f"> {seconds:.0f} s")
                                  for t in targets) + f" (load {load:.2f})", flush=True)
    with open(os.path.join(args.out, "runs.csv"), "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0].keys()))
        w.writeheader()
        w.writerows(rows)

    def fmt(values, reached, digits):
        med = statistics.median(values)
        censored = not all(reached)
        lo, hi = min(values), max(values)
        sign = ">" if sum(not r for r in reached) * 2 >= len(reached) else ""
        return f"{sign}{med:.{digits}f} [{lo:.{digits}f}, {hi:.{digits}f}]" + (" (censored runs)" if censored else "")

    summary = []
    lines = [f"Host: {host}. {torch_info}. Batch {args.batch}, evaluation every {args.eval_every} steps on the whole test split, "
             f"excluded from the clock. Median [range] over seeds 1..{args.seeds}; a '>' median means most runs did not reach "
             f"the target within {args.max_epochs:g} epochs.", "",
             "| model | target | configuration | lr | momentum | training seconds | steps | max load |",
             "|---|---:|---|---:|---:|---:|---:|---:|"]
    for problem, targets in problems:
        for t in targets:
            for config in configs:
                sel = [r for r in rows if r["problem"] == problem and r["config"] == config and r["target"] == t]
                secs = fmt([r["train_seconds"] for r in sel], [r["reached"] for r in sel], 1)
                steps = fmt([r["steps"] for r in sel], [r["reached"] for r in sel], 0)
                summary.append(dict(problem=problem, target=t, config=config, lr=sel[0]["lr"], momentum=sel[0]["momentum"],
                                    median_seconds=statistics.median(r["train_seconds"] for r in sel),
                                    min_seconds=min(r["train_seconds"] for r in sel), max_seconds=max(r["train_seconds"] for r in sel),
                                    median_steps=statistics.median(r["steps"] for r in sel), reached=sum(r["reached"] for r in sel),
                                    runs=len(sel), max_load=max(r["load"] for r in sel)))
                lines.append(f"| {problem} | {t:.0%} | {config} | {sel[0]['lr']:g} | {sel[0]['momentum']:g} | {secs} | {steps} | "
                             f"{max(r['load'] for r in sel):.2f} |")
    with open(os.path.join(args.out, "summary.csv"), "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(summary[0].keys()))
        w.writeheader()
        w.writerows(summary)
    with open(os.path.join(args.out, "summary.md"), "w") as f:
        f.write("\n".join(lines) + "\n")
    print("\n".join(lines))
    print(f"\nwritten: {args.out}/runs.csv, summary.csv, summary.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
