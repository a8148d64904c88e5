#!/usr/bin/python3
"""Fault injection on a loopback Polyak cluster: SIGKILL a worker silo, a shard silo, the client, or the control silo
at a random moment of a run, REPS times each, and report what the run record says (status, loss against the threads
backend's, updates lost, recoveries, replacements), whether any process was left behind, and whether the run folder
holds exactly one run.

Usage: bench/cluster-faults/run.py [--reps 3] [--roles worker,shard,client,control] [--out DIR]
Needs the CLI built (./polyak builds it on first use). Results: DIR/results.json and a table on stdout.
Every silo runs with Polyak's default failure detection (5 s probes, 3 missed).
"""
import argparse, json, os, random, shutil, signal, socket, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DATA = "synthetic:mixture,dim=128,classes=20,n=10000,test=1000"
JOB = ["--model", "softmax", "--data", DATA, "--workers", "4", "--batch", "256", "--lr", "0.5", "--seed", "5",
       "--eval-every", "250", "--eval-size", "1000", "--checkpoint-every", "250"]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Silo:
    def __init__(self, cli, roles, primary, log, ports=None):
        self.port, self.gateway = ports or (free_port(), free_port())
        args = ["dotnet", cli, "cluster", "silo", "--port", str(self.port), "--gateway-port", str(self.gateway), "--role", roles]
        if primary is not None:
            args += ["--primary", f"127.0.0.1:{primary.port}"]
        self.log = open(log, "w")
        self.proc = subprocess.Popen(args, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)
        self.log_path = log

    def wait_ready(self, timeout=90):
        end = time.time() + timeout
        while time.time() < end:
            if "silo ready" in open(self.log_path).read():
                return
            if self.proc.poll() is not None:
                raise RuntimeError(f"silo exited: {open(self.log_path).read()[-2000:]}")
            time.sleep(0.2)
        raise RuntimeError("silo not ready")

    def kill(self):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()


def train(cli, args, out, resume=False):
    t0 = time.time()
    p = subprocess.Popen(["dotnet", cli, "train"] + (["--resume", out] if resume else args + ["--out", out]), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True, start_new_session=True)
    return p, t0


def record(out):
    with open(os.path.join(out, "run.json")) as f:
        return json.load(f)


def one(cli, role, rep, work, baseline):
    d = os.path.join(work, f"{role}-{rep}")
    os.makedirs(d)
    a = Silo(cli, "control,workers", None, os.path.join(d, "silo-a.log"))
    a.wait_ready()
    b = Silo(cli, "shards", a, os.path.join(d, "silo-b.log"))
    c = Silo(cli, "workers", a, os.path.join(d, "silo-c.log"))
    b.wait_ready(); c.wait_ready()
    silos = [a, b, c]
    out = os.path.join(d, "run")
    gateways = f"127.0.0.1:{a.gateway},127.0.0.1:{c.gateway}"
    args = ["--backend", "cluster", "--cluster", gateways, "--updates", "20000", "--client-grace", "5"] + JOB
    at = random.uniform(3, 8)
    p, t0 = train(cli, args, out)
    time.sleep(at)
    victim = {"worker": c, "shard": b, "control": a}.get(role)
    note = ""
    if role == "client":
        os.killpg(p.pid, signal.SIGKILL); p.wait()
        time.sleep(8)  # the job notices the missing client (grace 5 s) and stops at a checkpoint
        p, _ = train(cli, args, out, resume=True)
        note = "client killed; train --resume DIR"
    else:
        victim.kill()
    try:
        stdout, stderr = p.communicate(timeout=240)
        code = p.returncode
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL); stdout, stderr = p.communicate(); code = "timeout"
    wall = time.time() - t0
    first_status = None
    control_lost = None
    if role == "control":
        # Not survived: the job's state died with the control silo. What is left is the folder's checkpoints: restart
        # the whole cluster and resume from the newest one.
        reached = None
        try:
            failed = record(out)
            first_status = failed["status"]
            reached = (failed.get("backend") or {}).get("reached_update")
        except Exception:  # noqa: BLE001
            first_status = "no record"
        for s in silos:
            s.kill()
        a = Silo(cli, "control,workers", None, os.path.join(d, "silo-a2.log"), (a.port, a.gateway)); a.wait_ready()
        b = Silo(cli, "shards", a, os.path.join(d, "silo-b2.log"), (b.port, b.gateway))
        c = Silo(cli, "workers", a, os.path.join(d, "silo-c2.log"), (c.port, c.gateway))
        b.wait_ready(); c.wait_ready()
        silos = [a, b, c]
        p = subprocess.Popen(["dotnet", cli, "train", "--resume", out], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
        stdout2, stderr2 = p.communicate(timeout=240)
        note = f"client ended {first_status} (exit {code}: {stderr.strip().splitlines()[-1][:160] if stderr.strip() else ''}); whole cluster restarted; --resume exit {p.returncode}"
        code, stderr = p.returncode, stderr2
        try:
            resumed_from = (record(out).get("backend") or {}).get("resumed_from")
            control_lost = reached - (resumed_from or 0) if reached is not None else None  # no checkpoint yet: from the start
            note += f"; the job had reached update {reached}, resumed from checkpoint {resumed_from}: {control_lost} updates lost"
        except Exception:  # noqa: BLE001
            control_lost = None
    for s in silos:
        s.kill()
    time.sleep(1)
    left = subprocess.run(["pgrep", "-f", "--", f"--gateway-port ({a.gateway}|{b.gateway}|{c.gateway})"], capture_output=True, text=True).stdout.split()
    runs = sum(1 for r, _, files in os.walk(d) if "run.json" in files)
    row = {"role": role, "rep": rep, "kill_at_s": round(at, 1), "exit": code, "wall_s": round(wall, 1), "left_processes": len(left),
           "run_folders": runs, "note": note}
    try:
        r = record(out)
        be = r.get("backend") or {}
        s = r["summary"]
        row.update(status=r["status"], updates=s.get("updates"), final_loss=s.get("final_loss"),
                   loss_vs_threads=round(s["final_loss"] / baseline, 3) if s.get("final_loss") else None,
                   updates_lost=control_lost if role == "control" else be.get("updates_lost"), recoveries=be.get("recoveries"), replacements=be.get("worker_replacements"),
                   resumes=len(r.get("resumes") or []))
    except Exception as ex:  # noqa: BLE001 - reported as the result
        row.update(status=f"no record ({ex.__class__.__name__})")
    if code not in (0,):
        row["stderr"] = stderr.strip().splitlines()[-1][:300] if stderr.strip() else ""
    return row


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--roles", default="worker,shard,client,control")
    ap.add_argument("--out", default=None)
    ap.add_argument("--seed", type=int, default=1)
    o = ap.parse_args()
    random.seed(o.seed)
    subprocess.run([os.path.join(ROOT, "polyak"), "--help"], capture_output=True)
    cli_src = os.path.join(ROOT, "artifacts", "cli")
    work = o.out or tempfile.mkdtemp(prefix="polyak-faults-")
    os.makedirs(work, exist_ok=True)
    cli_dir = os.path.join(work, "cli")
    if not os.path.exists(cli_dir):
        shutil.copytree(cli_src, cli_dir)  # a private copy: a rebuild during the run cannot change it
    cli = os.path.join(cli_dir, "Polyak.Cli.dll")
    base = os.path.join(work, "threads")
    if not os.path.exists(base):
        subprocess.run(["dotnet", cli, "train", "--backend", "threads", "--updates", "20000", "--out", base] + JOB, check=True, capture_output=True)
    baseline = record(base)["summary"]["final_loss"]
    print(f"threads backend, same job: final loss {baseline:.4f}", flush=True)
    rows = []
    roles = o.roles.split(",")
    total = len(roles) * o.reps
    for i, (role, rep) in enumerate([(r, k) for r in roles for k in range(1, o.reps + 1)], 1):
        row = one(cli, role, rep, work, baseline)
        rows.append(row)
        print(f"[{i}/{total}] " + json.dumps(row), flush=True)
    with open(os.path.join(work, "results.json"), "w") as f:
        json.dump({"threads_final_loss": baseline, "host": subprocess.run(["sh", "-c", "lscpu | grep 'Model name'"], capture_output=True, text=True).stdout.strip(),
                   "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "runs": rows}, f, indent=1)
    print(f"\n| role | rep | kill at | exit | status | updates | loss / threads | updates lost | recoveries | replacements | left | runs |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['role']} | {r['rep']} | {r['kill_at_s']} s | {r['exit']} | {r.get('status')} | {r.get('updates')} | {r.get('loss_vs_threads')} | "
              f"{r.get('updates_lost')} | {r.get('recoveries')} | {r.get('replacements')} | {r['left_processes']} | {r['run_folders']} |")
    print(f"\nresults: {os.path.join(work, 'results.json')}")


if __name__ == "__main__":
    sys.exit(main())
