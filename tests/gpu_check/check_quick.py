#!/usr/bin/env python3
"""ctest gpu_check_quick: runs `tools/gpu-check/run --quick` against a build
tree and checks what it wrote.

Without a usable GPU (CI): every GPU step is `skipped` with a reason, GPU
figures are empty (null, never 0), and the CPU figures are there and agree
with the CSVs. With one: the GPU steps are `ok` and the GPU figures are there.
Also checks that bad input is refused with exit 2 and a message naming it.

  check_quick.py --run tools/gpu-check/run --build BUILD_DIR --out OUT_DIR
"""

import argparse
import csv
import json
import os
import shutil
import subprocess
import sys

KINDS = ["window-agg", "zscore", "mlp"]
QUICK_BATCHES = [256, 4096]
errors = []


def check(cond, what):
    if not cond:
        errors.append(what)
    return cond


def positive(x):
    return isinstance(x, (int, float)) and x > 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--run", required=True)
    ap.add_argument("--build", required=True)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()

    # Bad input: exit 2, and the message names what is wrong.
    bad = subprocess.run([a.run, "--build", "/nonexistent-hydra-build"], capture_output=True,
                         text=True, timeout=30)
    check(bad.returncode == 2 and "/nonexistent-hydra-build" in bad.stderr,
          "a missing build folder: want exit 2 naming it, got %d: %s" % (bad.returncode, bad.stderr))
    bad = subprocess.run([a.run, "--frobnicate"], capture_output=True, text=True, timeout=30)
    check(bad.returncode == 2 and "--frobnicate" in bad.stderr,
          "an unknown option: want exit 2 naming it, got %d: %s" % (bad.returncode, bad.stderr))

    shutil.rmtree(a.out, ignore_errors=True)
    env = dict(os.environ)
    env.pop("OUT", None)
    run = subprocess.run([a.run, "--quick", "--build", a.build, "--out", a.out],
                         capture_output=True, text=True, timeout=300, env=env)
    sys.stdout.write(run.stdout[-6000:])
    sys.stderr.write(run.stderr[-3000:])
    check(run.returncode == 0, "run --quick exited %d" % run.returncode)

    try:
        with open(os.path.join(a.out, "summary.json")) as f:
            s = json.load(f)
    except (OSError, ValueError) as e:
        print("FAIL: no summary.json: %s" % e)
        return 1

    # What comes back through the device tool: at most 8 plain files.
    entries = os.listdir(a.out)
    check(len(entries) <= 8, "more than 8 entries in the output: %s" % entries)
    check(all(os.path.isfile(os.path.join(a.out, e)) for e in entries), "a folder in the output")
    for f in ["summary.md", "summary.json", "run.log", "details.tar.gz", "processing_bench.csv",
              "gpu-consumer-results.csv"]:
        check(f in entries, "%s missing from the output" % f)
    if shutil.which("gnuplot"):
        for f in ["processing_bench.png", "gpu-consumer-processing.png"]:
            check(f in entries, "%s missing although gnuplot is installed" % f)

    check(s["mode"] == "quick", "mode %r" % s["mode"])
    check(all(st["status"] in ("ok", "skipped") for st in s["steps"]),
          "steps not ok: %s" % [st for st in s["steps"] if st["status"] not in ("ok", "skipped")])
    gpu = s["gpu"]["usable"]
    check(s["gpu"]["cuda_runtime"] is not None, "no CUDA runtime line from the bench")

    # GPU steps: skipped with a reason where there is no GPU, ok where there is one.
    names = ["same_answers_cpu_vs_gpu", "gpu_batching_tests", "bench_gpu", "scenario_gpu"]
    check(sorted(s["gpu_steps"]) == sorted(names), "gpu_steps: %s" % sorted(s["gpu_steps"]))
    for name, v in s["gpu_steps"].items():
        if gpu:
            check(v["status"] == "ok", "%s: %s (%s)" % (name, v["status"], v["reason"]))
        else:
            check(v["status"] == "skipped" and v["reason"].strip(),
                  "%s: want skipped with a reason, got %s %r" % (name, v["status"], v["reason"]))

    for kind in KINDS:
        sa = s["same_answers"][kind]
        check(sa["cpu_threads"] == "passed", "same answers %s CPU threads: %s" % (kind, sa))
        check(sa["cpu_vs_gpu"] == ("passed" if gpu else "skipped"),
              "same answers %s CPU vs GPU: %s" % (kind, sa["cpu_vs_gpu"]))

    # Bench figures: every kind and batch, CPU rates as in the CSV; GPU empty without one.
    with open(os.path.join(a.out, "processing_bench.csv")) as f:
        rows = list(csv.DictReader(f))
    threads = max(int(r["threads"]) for r in rows if r["device"] == "cpu")
    check(s["bench"]["cpu_all_threads"] == threads, "cpu_all_threads")
    for kind in KINDS:
        k = s["bench"]["kinds"].get(kind)
        if not check(k is not None, "bench: no %s" % kind):
            continue
        check([p["batch"] for p in k["points"]] == QUICK_BATCHES, "bench %s batches" % kind)
        for p in k["points"]:
            check(positive(p["cpu1"]) and positive(p["cpu_all"]), "bench %s %s" % (kind, p))
            csv_rate = [float(r["records_per_s"]) for r in rows if r["kind"] == kind
                        and r["device"] == "cpu" and int(r["threads"]) == threads
                        and int(r["batch"]) == p["batch"]]
            check(csv_rate == [p["cpu_all"]], "bench %s %d: summary %s, CSV %s" %
                  (kind, p["batch"], p["cpu_all"], csv_rate))
            if gpu:
                check(positive(p["gpu"]) and positive(p["gpu_over_cpu_all"]), "gpu %s" % p)
            else:
                check(p["gpu"] is None and p["gpu_over_cpu_all"] is None, "gpu not empty: %s" % p)
        if not gpu:
            check(k["crossover_batch"] is None and k["crossover"] == "no GPU points",
                  "crossover %s: %s" % (kind, k["crossover"]))
    mlp = s["mlp_gpu_vs_cpu_all"]
    check([m["batch"] for m in mlp] == [4096], "mlp at batch >= 4096: %s" % mlp)
    for m in mlp:
        check(positive(m["cpu_all"]), "mlp cpu_all %s" % m)
        check((m["ratio"] is None) != gpu, "mlp ratio %s" % m)

    # Live scenario: none and mlp at batch 4096, linger 2 ms; CPU rows measured.
    rows = {(r["kind"], r["device"]): r for r in s["scenario"]}
    check(sorted(rows) == [("mlp", "cpu"), ("mlp", "gpu"), ("none", "cpu"), ("none", "gpu")],
          "scenario rows: %s" % sorted(rows))
    for key in [("none", "cpu"), ("mlp", "cpu")]:
        r = rows.get(key)
        if check(r is not None, "no scenario row %s" % (key,)):
            check(r["status"] == "ok" and positive(r["rx_rate"]) and r["batch"] == 4096
                  and r["linger_ms"] == 2, "scenario %s: %s" % (key, r))
    r = rows.get(("mlp", "cpu"))
    if r:
        check(positive(r["added_p99_ms"]) and positive(r["rx_over_none"]),
              "mlp/cpu p99 added or ratio: %s" % r)
    r = rows.get(("mlp", "gpu"))
    if r and not gpu:
        check(r["status"] == "skipped" and r["error"] and r["rx_rate"] is None
              and r["added_p99_ms"] is None, "mlp/gpu without a GPU: %s" % r)

    with open(os.path.join(a.out, "summary.md")) as f:
        md = f.read()
    check("## GPU steps" in md, "summary.md has no GPU steps section")
    if not gpu:
        check("| bench_gpu | skipped |" in md, "summary.md does not say bench_gpu skipped")

    for e in errors:
        print("FAIL: " + e)
    print("gpu_check_quick: %s (GPU %s)" % ("FAILED" if errors else "ok",
                                           "usable" if gpu else "not usable"))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
