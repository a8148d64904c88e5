#!/usr/bin/env python3
"""Benchmark of closed-loop momentum (issue 16): the implicit-momentum signal's bias against 1 - 1/M on the simulator,
then --momentum auto against the full tune on the quick and MLP problems (study --auto, levels 1, 4, 16).

    bench/auto_momentum.py [--skip-studies] [--out DIR]

Prints markdown tables; the studies' own folders (auto-momentum.csv, index.html) hold the full results.
"""
import argparse, json, os, statistics, subprocess, sys, platform

HERE = os.path.dirname(os.path.abspath(__file__))
POLYAK = os.path.join(HERE, "..", "polyak")
QUICK = ["train", "--model", "linear", "--data", "synthetic:regression,dim=20,n=4000,test=500,cond=200,noise=0.1",
         "--backend", "simulated", "--batch", "16", "--eval-size", "500"]


def run(args):
    out = subprocess.run([POLYAK] + args + ["--json"], capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"polyak {' '.join(args)} failed ({out.returncode}): {out.stderr[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def signal_bias(seeds):
    """The implicit momentum each signal reads at the end of 5000 updates with mu_e ~ 0 (gain 1e-4, bounds [-0.01, 0.5])."""
    print("| M | lr | 1 - 1/M | staleness signal s/(1+s), median [min, max] | trajectory fit, median [min, max] |")
    print("|---:|---:|---:|---|---|")
    for m in [2, 4, 8, 16, 32]:
        for lr in [0.05, 0.2]:
            reads = {}
            for signal in ["staleness", "trajectory"]:
                vals = []
                for seed in seeds:
                    d = run(QUICK + ["--workers", str(m), "--groups", str(m), "--lr", str(lr), "--momentum", "auto:0",
                                     "--momentum-bounds", "-0.01,0.5", "--momentum-gain", "0.0001", "--momentum-signal", signal,
                                     "--updates", "5000", "--eval-every", "500", "--seed", str(seed), "--out", os.path.join(ARGS.out, f"bias-{m}-{lr}-{signal}-{seed}")])
                    a = d["auto_momentum"]
                    vals.append(a["final_total"] - a["final_explicit"])  # the implicit part the signal read
                reads[signal] = f"{statistics.median(vals):.3f} [{min(vals):.3f}, {max(vals):.3f}]"
            print(f"| {m} | {lr} | {1 - 1 / m:.3f} | {reads['staleness']} | {reads['trajectory']} |", flush=True)


def studies():
    for preset, extra in [("quick", ["--quick"]), ("mlp-fashion", ["--preset", "mlp-fashion"])]:
        folder = os.path.join(ARGS.out, f"study-{preset}-auto")
        r = subprocess.run([POLYAK, "study", *extra, "--levels", "1,4,16", "--auto", "--out", folder], capture_output=True, text=True)
        if r.returncode != 0:
            sys.exit(f"study {preset} failed: {r.stderr[-2000:]}")
        print(f"\n{preset} (folder {folder}):\n")
        print("| g | auto (lr) | tuned optimum (lr, mu) | ratio [95 % interval] | auto at the tuned lr |")
        print("|---:|---|---|---|---|")
        import csv
        for row in csv.DictReader(open(os.path.join(folder, "auto-momentum.csv"))):
            bound = "+" if row["ratio_ci_high_is_bound"] == "true" else ""
            print(f"| {row['groups']} | {row['auto_updates_to_target']} ({row['auto_learning_rate']}) | {row['tuned_updates_to_target']} "
                  f"({row['tuned_learning_rate']}, {row['tuned_momentum']}) | {float(row['ratio']):.2f} [{float(row['ratio_ci_low']):.2f}, {float(row['ratio_ci_high']):.2f}{bound}] "
                  f"| {row['auto_at_tuned_lr_updates']} |", flush=True)


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("--skip-studies", action="store_true")
    import time
    p.add_argument("--out", default=os.path.join(HERE, "..", "runs", time.strftime("bench-auto-momentum-%Y%m%d-%H%M%S")))
    ARGS = p.parse_args()
    os.makedirs(ARGS.out, exist_ok=True)
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.processor())
    flags = open("/proc/cpuinfo").read()
    simd = "AVX-512" if "avx512f" in flags else "AVX2" if "avx2" in flags else "SSE"
    print(f"host: {cpu}, {os.cpu_count()} cores, {simd}\n")
    signal_bias([1, 2, 3])
    if not ARGS.skip_studies:
        studies()
