#!/usr/bin/env python3
"""Writes summary.json and summary.md for tools/gpu-check/run.

Called by `run` (not by hand) with the work folder the steps wrote into:
  steps.tsv                 one line per step: name, status, rc, seconds, note
  env.txt                   key=value lines (mode, host, binaries, versions)
  nvidia-smi.csv            `nvidia-smi --query-gpu=...` output, when it ran
  nvidia-smi.txt            plain `nvidia-smi` output (its header has "CUDA Version")
  same_answers.log/.json    same_answers_test console and --gtest_output JSON
  gpu_batching.log/.json    processor_batching_test --gtest_filter='GpuBatching*'
  bench.log                 hydra_processing_bench console (GPU:, CUDA: lines)
  processing_bench.csv      its CSV (columns in bench/processing/bench_report.h)
  gpu-consumer/results.csv  `hydra run scenarios/gpu-consumer.json` (README, results.csv columns)

A figure that was not measured is null in JSON and empty in Markdown, never 0.
Only the standard library: the GPU machine has no package registry.
"""

import csv
import json
import os
import re
import sys

KINDS = ["window-agg", "zscore", "mlp"]


def read(path):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read()
    except OSError:
        return None


def read_csv(path):
    text = read(path)
    if text is None:
        return None
    return list(csv.DictReader(text.splitlines()))


def num(value):
    """A float, or None for an empty or non-numeric field."""
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def ratio(a, b):
    return a / b if a is not None and b else None


def read_steps(work):
    steps = {}
    for line in (read(os.path.join(work, "steps.tsv")) or "").splitlines():
        parts = line.split("\t")
        if len(parts) < 5:
            continue
        name, status, rc, seconds, note = parts[:5]
        steps[name] = {"name": name, "status": status, "rc": int(rc) if rc.lstrip("-").isdigit()
                       else None, "seconds": num(seconds), "note": note}
    return steps


def read_env(work):
    env = {}
    for line in (read(os.path.join(work, "env.txt")) or "").splitlines():
        if "=" in line:
            key, value = line.split("=", 1)
            env[key.strip()] = value.strip()
    return env


def gpu_info(work, env):
    """What the GPU is and which versions ran: nvidia-smi and the bench's own lines."""
    info = {"usable": False, "probe": None, "name": None, "driver_version": None,
            "memory_total": None, "driver_cuda_version": None, "cuda_runtime": None,
            "cuda_driver_api": None, "nvidia_smi": env.get("nvidia_smi", "not run")}
    smi = read(os.path.join(work, "nvidia-smi.csv"))
    if smi and smi.strip():
        fields = [f.strip() for f in smi.strip().splitlines()[0].split(",")]
        if len(fields) >= 3:
            info["name"], info["driver_version"], info["memory_total"] = fields[:3]
    header = read(os.path.join(work, "nvidia-smi.txt")) or ""
    m = re.search(r"CUDA Version:\s*([0-9.]+)", header)
    if m:
        info["driver_cuda_version"] = m.group(1)
    bench = read(os.path.join(work, "bench.log")) or ""
    m = re.search(r"^GPU: (.*)$", bench, re.M)
    if m:
        line = m.group(1)
        none = re.match(r"none \((.*)\)$", line)
        info["usable"] = none is None
        info["probe"] = none.group(1) if none else line
    m = re.search(r"^CUDA: runtime ([0-9.]+), driver (\S+)$", bench, re.M)
    if m:
        info["cuda_runtime"] = m.group(1)
        info["cuda_driver_api"] = None if m.group(2) == "none" else m.group(2)
    elif re.search(r"^CUDA: not built in", bench, re.M):
        info["cuda_runtime"] = "not built in"
    return info


def gtest_results(work, name):
    """{test name: (result, message)} from a --gtest_output JSON file and its
    console log (the JSON does not carry skip messages; the console does)."""
    out = {}
    data = read(os.path.join(work, name + ".json"))
    log = read(os.path.join(work, name + ".log")) or ""
    messages = {}
    current, lines = None, []
    for line in log.splitlines():
        m = re.match(r"\[ RUN      \] (\S+)", line)
        if m:
            current, lines = m.group(1), []
            continue
        m = re.match(r"\[ +(OK|SKIPPED|FAILED) +\] (\S+)", line)
        if m and current and m.group(2) == current:
            text = [ln.strip() for ln in lines if ln.strip() and not ln.strip().endswith(": Skipped")
                    and not re.search(r"\.cc:\d+: (Failure|Skipped)$", ln.strip())]
            messages[current] = " ".join(text)[:300]
            current = None
            continue
        if current:
            lines.append(line)
    if data:
        try:
            doc = json.loads(data)
        except ValueError:
            doc = {}
        for suite in doc.get("testsuites", []):
            for case in suite.get("testsuite", []):
                full = suite["name"] + "." + case["name"]
                if case.get("result") == "SKIPPED":
                    result = "skipped"
                elif case.get("failures"):
                    result = "failed"
                else:
                    result = "passed"
                props = {k: v for k, v in case.items() if k.startswith("max_")}
                out[full] = {"result": result, "message": messages.get(full, ""), "properties": props}
    return out


def step_verdict(step, cases, no_gpu_reason):
    """One status for a GPU step run as a GoogleTest binary."""
    if step is None:
        return {"status": "not run", "reason": "the run stopped before this step"}
    if step["status"] in ("timeout", "missing"):
        return {"status": step["status"], "reason": step["note"]}
    if not cases:
        return {"status": "failed", "reason": "no test results (see its log): " + step["note"]}
    results = [c["result"] for c in cases.values()]
    if "failed" in results:
        names = [n for n, c in cases.items() if c["result"] == "failed"]
        return {"status": "failed", "reason": "failed: " + ", ".join(names)}
    if all(r == "skipped" for r in results):
        reasons = sorted({c["message"] for c in cases.values() if c["message"]})
        return {"status": "skipped", "reason": "; ".join(reasons) or no_gpu_reason or "skipped"}
    if step["status"] != "ok":
        return {"status": "failed", "reason": step["note"]}
    return {"status": "ok", "reason": ""}


def same_answers(cases):
    per_kind = {}
    for kind in KINDS:
        param = kind.replace("-", "_")
        entry = {"cpu_threads": "not run", "cpu_vs_gpu": "not run", "reason": "", "diffs": {}}
        for name, case in cases.items():
            if name.endswith("CpuThreadsAgreeExactly/" + param):
                entry["cpu_threads"] = case["result"]
            elif name.endswith("CpuAndGpuAgree/" + param):
                entry["cpu_vs_gpu"] = case["result"]
                entry["reason"] = case["message"] if case["result"] != "passed" else ""
                entry["diffs"] = case["properties"]
        per_kind[kind] = entry
    return per_kind


def bench_figures(rows):
    """Per kind: rates by batch for cpu 1 thread, cpu all cores, gpu; the crossover."""
    if rows is None:
        return None
    cpu_threads = [int(r["threads"]) for r in rows if r["device"] == "cpu"]
    all_threads = max(cpu_threads) if cpu_threads else None
    kinds = {}
    for kind in KINDS:
        mine = [r for r in rows if r["kind"] == kind]
        if not mine:
            continue
        by_batch = {}
        for r in mine:
            b = int(r["batch"])
            point = by_batch.setdefault(b, {"batch": b, "cpu1": None, "cpu_all": None, "gpu": None,
                                            "cpu_all_p99_ms": None, "gpu_p99_ms": None})
            rate, p99 = num(r["records_per_s"]), num(r["p99_added_ms"])
            if r["device"] == "gpu":
                point["gpu"], point["gpu_p99_ms"] = rate, p99
            elif r["device"] == "cpu":
                if int(r["threads"]) == 1:
                    point["cpu1"] = rate
                if int(r["threads"]) == all_threads:
                    point["cpu_all"], point["cpu_all_p99_ms"] = rate, p99
        points = [by_batch[b] for b in sorted(by_batch)]
        for p in points:
            p["gpu_over_cpu_all"] = ratio(p["gpu"], p["cpu_all"])
        crossover = next((p["batch"] for p in points if p["gpu"] is not None
                          and p["cpu_all"] is not None and p["gpu"] > p["cpu_all"]), None)
        has_gpu = any(p["gpu"] is not None for p in points)
        if not has_gpu:
            note = "no GPU points"
        elif crossover is None:
            note = "GPU never beats the CPU on %s threads at the batches measured" % all_threads
        else:
            note = "GPU beats the CPU on %s threads from batch %d" % (all_threads, crossover)
        kinds[kind] = {"points": points, "crossover_batch": crossover, "crossover": note}
    return {"cpu_all_threads": all_threads, "kinds": kinds}


def scenario_figures(rows):
    """Per step: receive rate, its ratio to kind none at the same batch, p99 added latency."""
    if rows is None:
        return None
    none_rate = {}
    for r in rows:
        if r.get("proc_kind", r.get("subscribers.processing.kind")) == "none" and r["status"] == "ok":
            none_rate.setdefault(r["proc_batch"], num(r["average_rate"]))
    out = []
    for r in rows:
        ok = r["status"] == "ok"
        kind = r.get("proc_kind") or r.get("subscribers.processing.kind")
        rx = num(r["average_rate"]) if ok else None
        out.append({
            "step": int(r["step"]), "kind": kind,
            "device": r.get("subscribers.processing.device") or (r.get("proc_device") or "").split(" ")[0],
            "device_as_run": r.get("proc_device"), "batch": int(r["proc_batch"]),
            "linger_ms": num(r.get("proc_linger_ms")), "status": r["status"], "error": r["error"],
            "rx_rate": rx, "rx_over_none": ratio(rx, none_rate.get(r["proc_batch"])) if kind != "none"
            else None,
            "proc_rate": num(r["proc_rate"]) if ok else None,
            "added_p99_ms": num(r["proc_added_p99_ms"]) if ok and kind != "none" else None,
            "lat_p99_ms": num(r["lat_p99_ms"]) if ok else None, "note": r.get("proc_note", ""),
        })
    return out


def gpu_rows_verdict(step, rows, kind_of_rows):
    if step is None:
        return {"status": "not run", "reason": "the run stopped before this step"}
    if rows is None:
        return {"status": step["status"] if step["status"] != "ok" else "failed",
                "reason": step["note"] or "no " + kind_of_rows}
    gpu = [r for r in rows if r["device"] == "gpu" and r["kind"] != "none"]
    if not gpu:
        return {"status": "failed", "reason": "no GPU rows in " + kind_of_rows}
    if all(r["status"] == "skipped" for r in gpu):
        return {"status": "skipped", "reason": sorted({r["error"] for r in gpu})[0]}
    bad = [r for r in gpu if r["status"] != "ok"]
    if bad:
        return {"status": "failed", "reason": "; ".join(sorted({r["error"] for r in bad}))[:300]}
    if step["status"] != "ok":
        return {"status": step["status"], "reason": step["note"]}
    return {"status": "ok", "reason": ""}


def fmt(value, digits=0):
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if digits == 0:
        return "{:,.0f}".format(value)
    return "{:.{}f}".format(value, digits)


def markdown(s):
    g = s["gpu"]
    lines = ["# tools/gpu-check summary (%s mode)" % s["mode"], ""]
    lines.append("Host: %s, %s CPUs. Binaries: %s. %s" % (
        s["host"].get("hostname", ""), s["host"].get("cpus", ""), s["binaries"],
        s["host"].get("hydra_version", "")))
    lines.append("")
    lines.append("GPU: %s; driver %s (CUDA %s); memory %s; CUDA runtime in the binaries %s "
                 "(driver API %s). Probe: %s" % (
                     g["name"] or "none", g["driver_version"] or "", g["driver_cuda_version"] or "",
                     g["memory_total"] or "", g["cuda_runtime"] or "", g["cuda_driver_api"] or "",
                     g["probe"] or ""))
    lines += ["", "## Steps", "", "| step | status | seconds | note |", "|---|---|---|---|"]
    for st in s["steps"]:
        lines.append("| %s | %s | %s | %s |" % (st["name"], st["status"], fmt(st["seconds"], 1),
                                               st["note"].replace("|", "/")))
    lines += ["", "## GPU steps", "", "| GPU step | status | reason |", "|---|---|---|"]
    for name, v in s["gpu_steps"].items():
        lines.append("| %s | %s | %s |" % (name, v["status"], v["reason"].replace("|", "/")))
    lines += ["", "## Same answers (same_answers_test)", "",
              "| kind | CPU 1 vs N threads | CPU vs GPU | max diffs | note |", "|---|---|---|---|---|"]
    for kind, v in s["same_answers"].items():
        diffs = ", ".join("%s=%s" % (k, d) for k, d in sorted(v["diffs"].items()))
        lines.append("| %s | %s | %s | %s | %s |" % (kind, v["cpu_threads"], v["cpu_vs_gpu"], diffs,
                                                     v["reason"].replace("|", "/")))
    b = s["bench"]
    lines += ["", "## hydra_processing_bench (records/s, saturation replay)", ""]
    if b is None:
        lines.append("No bench CSV (see the steps above).")
    else:
        n = b["cpu_all_threads"]
        lines += ["| kind | batch | CPU 1 thread | CPU %s threads | GPU | GPU / CPU all | "
                  "p99 added ms CPU all | p99 added ms GPU |" % n, "|---|---|---|---|---|---|---|---|"]
        for kind, k in b["kinds"].items():
            for p in k["points"]:
                lines.append("| %s | %d | %s | %s | %s | %s | %s | %s |" % (
                    kind, p["batch"], fmt(p["cpu1"]), fmt(p["cpu_all"]), fmt(p["gpu"]),
                    fmt(p["gpu_over_cpu_all"], 2), fmt(p["cpu_all_p99_ms"], 3), fmt(p["gpu_p99_ms"], 3)))
        lines += ["", "Crossover (smallest batch where the GPU beats the CPU on all cores):", ""]
        for kind, k in b["kinds"].items():
            lines.append("- %s: %s" % (kind, k["crossover"]))
        lines += ["", "mlp, GPU vs CPU on all cores at batch >= 4096:", ""]
        if not s["mlp_gpu_vs_cpu_all"]:
            lines.append("- not measured")
        for p in s["mlp_gpu_vs_cpu_all"]:
            lines.append("- batch %d: GPU %s, CPU %s records/s, ratio %s" % (
                p["batch"], fmt(p["gpu"]), fmt(p["cpu_all"]), fmt(p["ratio"], 2)))
    lines += ["", "## Live scenario (scenarios/gpu-consumer.json)", ""]
    rows = s["scenario"]
    if rows is None:
        lines.append("No results.csv (see the steps above).")
    else:
        lines += ["| kind | device | batch | linger ms | status | receive msg/s | receive / kind none | "
                  "processed rec/s | p99 added ms | note |", "|---|---|---|---|---|---|---|---|---|---|"]
        for r in rows:
            note = r["error"] if r["status"] != "ok" else r["note"]
            lines.append("| %s | %s | %d | %s | %s | %s | %s | %s | %s | %s |" % (
                r["kind"], r["device"], r["batch"], fmt(r["linger_ms"], 0), r["status"],
                fmt(r["rx_rate"]), fmt(r["rx_over_none"], 3), fmt(r["proc_rate"]),
                fmt(r["added_p99_ms"], 3), (note or "").replace("|", "/")))
    lines += ["", "## Files", ""] + ["- %s" % f for f in s["files"]]
    if s["notes"]:
        lines += ["", "## Notes", ""] + ["- %s" % n for n in s["notes"]]
    return "\n".join(lines) + "\n"


def main():
    if len(sys.argv) != 3:
        print("usage: summarize.py WORK_DIR OUT_DIR", file=sys.stderr)
        return 2
    work, out = sys.argv[1], sys.argv[2]
    env = read_env(work)
    steps = read_steps(work)
    gpu = gpu_info(work, env)
    no_gpu_reason = None if gpu["usable"] else gpu["probe"]

    sa_cases = gtest_results(work, "same_answers")
    gb_cases = gtest_results(work, "gpu_batching")
    sa_gpu = {n: c for n, c in sa_cases.items() if "CpuAndGpuAgree" in n}
    bench_rows = read_csv(os.path.join(work, "processing_bench.csv"))
    bench = bench_figures(bench_rows)
    scen_rows = read_csv(os.path.join(work, "gpu-consumer", "results.csv"))
    scenario = scenario_figures(scen_rows)

    gpu_steps = {
        "same_answers_cpu_vs_gpu": step_verdict(steps.get("same_answers"), sa_gpu, no_gpu_reason),
        "gpu_batching_tests": step_verdict(steps.get("gpu_batching"), gb_cases, no_gpu_reason),
    }
    bstep = steps.get("bench")
    if bench_rows is None or bstep is None:
        gpu_steps["bench_gpu"] = {"status": bstep["status"] if bstep else "not run",
                                  "reason": (bstep or {}).get("note", "") or "no bench CSV"}
    elif not any(r["device"] == "gpu" for r in bench_rows):
        if gpu["usable"] or gpu["probe"] is None:
            gpu_steps["bench_gpu"] = {"status": "failed", "reason": "no GPU points: " + bstep["note"]}
        else:
            gpu_steps["bench_gpu"] = {"status": "skipped", "reason": gpu["probe"]}
    else:
        gpu_steps["bench_gpu"] = {"status": "ok" if bstep["status"] == "ok" else bstep["status"],
                                  "reason": "" if bstep["status"] == "ok" else bstep["note"]}
    gpu_steps["scenario_gpu"] = gpu_rows_verdict(steps.get("scenario"), scenario, "results.csv")

    mlp = []
    if bench and "mlp" in bench["kinds"]:
        for p in bench["kinds"]["mlp"]["points"]:
            if p["batch"] >= 4096:
                mlp.append({"batch": p["batch"], "gpu": p["gpu"], "cpu_all": p["cpu_all"],
                            "ratio": p["gpu_over_cpu_all"]})

    files = sorted(f for f in os.listdir(out) if os.path.isfile(os.path.join(out, f)))
    files = sorted(set(files) | {"summary.md", "summary.json"})
    notes = [n for n in env.get("notes", "").split(" ;; ") if n]
    summary = {
        "tool": "tools/gpu-check/run",
        "mode": env.get("mode", ""),
        "started_utc": env.get("started_utc", ""),
        "binaries": env.get("binaries", ""),
        "host": {"hostname": env.get("hostname", ""), "cpus": env.get("cpus", ""),
                 "kernel": env.get("kernel", ""), "hydra_version": env.get("hydra_version", "")},
        "gpu": gpu,
        "steps": list(steps.values()),
        "gpu_steps": gpu_steps,
        "same_answers": same_answers(sa_cases),
        "bench": bench,
        "mlp_gpu_vs_cpu_all": mlp,
        "scenario": scenario,
        "files": files,
        "notes": notes,
    }
    with open(os.path.join(out, "summary.json"), "w", encoding="utf-8") as f:
        json.dump(summary, f, indent=1)
        f.write("\n")
    with open(os.path.join(out, "summary.md"), "w", encoding="utf-8") as f:
        f.write(markdown(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
