"""Benchmark of the group-balancing engine on the synthetic GP pools.

Usage: python bench/balance.py [DATA_DIR] [--only NAME ...]

DATA_DIR holds gp_N.csv (default: ../shared/data/balance next to the repository). Every row builds a problem
(attributes gender, region, rural categorical and age, exp numeric, equal weights; group sizes as equal as
possible, min = max; in constraint runs group k meets at slot k mod 4 and colleagues from one practice are
cannot-linked), runs the command line `python -m recruit.balancing -` in a fresh process, and prints:
SSB/SST, the balance index, the solver's seconds, the process's peak memory (its own maximum resident set,
from wait4), the constraint violations found by an independent check here, and optimality or the lower bound.
SSB is also recomputed here from the CSV with the issue's definition, as a check of the engine's objective.

It prints figures; it asserts nothing (targets are listed next to them for a human to compare).
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent

# name, file size N, groups K, constraints?, exact mode, time limit, best known SSB/SST, target
ROWS = [
    ("gp_21 K=5", 21, 5, False, "auto", 10, 0.056025, "proven optimal in < 2 s"),
    ("gp_60 K=15", 60, 15, False, "auto", 10, 0.058634, "proven optimal in < 10 s"),
    ("gp_60 K=15 heuristic", 60, 15, False, "never", 0.9, 0.058634, "<= 0.5% above optimum in < 1 s"),
    ("gp_60 K=12", 60, 12, False, "auto", 20, 0.046169, "proven optimal (no target)"),
    ("gp_60 K=12 heuristic", 60, 12, False, "never", 0.9, 0.046169, "(no target)"),
    ("gp_60 K=15 avail+colleagues", 60, 15, True, "auto", 5, 0.062554, "<= 1% above optimum in < 5 s"),
    ("gp_60 K=15 avail+colleagues heuristic", 60, 15, True, "never", 4.5, 0.062554, "<= 1% above optimum in < 5 s"),
    ("gp_200 K=20", 200, 20, False, "auto", 2, 0.00551, "<= anticlust 0.00551 (no target)"),
    ("gp_2000 K=200", 2000, 200, False, "auto", 9, 0.006205, "<= 0.006205 in <= 10 s"),
    ("gp_2000 K=200 3 s", 2000, 200, False, "auto", 3, 0.006205, "<= 0.006205 in <= 10 s"),
    ("gp_10000 K=1000", 10000, 1000, False, "auto", 25, 0.004969, "<= 0.00497 in <= 30 s, <= 1 GB"),
    ("gp_10000 K=1000 10 s", 10000, 1000, False, "auto", 10, 0.004969, "<= 0.00497 in <= 30 s, <= 1 GB"),
    ("gp_10000 K=1000 avail+colleagues", 10000, 1000, True, "auto", 25, None, "no violations, <= 30 s, <= 1 GB"),
]


def read_pool(data_dir: Path, n: int) -> list[dict]:
    with open(data_dir / f"gp_{n}.csv", newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def group_sizes(n: int, k: int) -> list[int]:
    base, extra = divmod(n, k)
    return [base + 1] * extra + [base] * (k - extra)


def build_problem(rows: list[dict], k: int, constrained: bool, exact: str, time_limit: float) -> dict:
    participants = []
    for row in rows:
        participant = {
            "id": row["id"],
            "values": {
                "gender": row["gender"], "region": row["region"], "rural": row["rural"],
                "age": float(row["age"]), "exp": float(row["exp"]),
            },
        }
        if constrained:
            participant["slots"] = [f"slot{s}" for s in range(4) if row[f"slot{s}"] == "1"]
        participants.append(participant)
    groups = []
    for index, size in enumerate(group_sizes(len(rows), k)):
        group = {"id": f"G{index + 1}", "min_size": size, "max_size": size}
        if constrained:
            group["slot"] = f"slot{index % 4}"
        groups.append(group)
    cannot_link = []
    if constrained:
        sys.path.insert(0, str(ROOT))
        from recruit.balancing.links import colleague_pairs

        cannot_link = [list(pair) for pair in colleague_pairs({row["id"]: row["practice"] for row in rows})]
    return {
        "attributes": {
            "gender": {"type": "categorical"}, "region": {"type": "categorical"},
            "rural": {"type": "categorical"}, "age": {"type": "numeric"}, "exp": {"type": "numeric"},
        },
        "participants": participants,
        "groups": groups,
        "cannot_link": cannot_link,
        "seed": 0,
        "time_limit": time_limit,
        "exact": exact,
    }


def independent_ssb(rows: list[dict], assignment: dict[str, str]) -> tuple[float, float]:
    """SSB and SST recomputed from the CSV with the issue's definition (not the engine's code)."""
    columns = []
    for name in ("gender", "region", "rural"):
        x = np.array([row[name] for row in rows])
        for level in sorted(set(x)):
            p = (x == level).mean()
            if 0 < p < 1:
                columns.append(((x == level) - p) / math.sqrt(p * (1 - p)))
    for name in ("age", "exp"):
        x = np.array([float(row[name]) for row in rows])
        z = (x - x.mean()) / x.std()
        columns += [z, (z * z - (z * z).mean()) / (z * z).std()]
    Z = np.column_stack(columns)
    index = {row["id"]: i for i, row in enumerate(rows)}
    ssb = 0.0
    members: dict[str, list[int]] = {}
    for pid, gid in assignment.items():
        members.setdefault(gid, []).append(index[pid])
    for group in members.values():
        s = Z[group].sum(axis=0)
        ssb += float(s @ s) / len(group)
    assigned = [index[pid] for pid in assignment]
    return ssb, float((Z[assigned] ** 2).sum())


def violations(rows: list[dict], problem: dict, solution: dict) -> int:
    count = 0
    assignment = solution["assignment"]
    count += len(rows) - len(assignment)  # everyone must be seated (no waitlist here)
    groups = {g["id"]: g for g in problem["groups"]}
    sizes: dict[str, int] = {}
    slots = {p["id"]: p.get("slots") for p in problem["participants"]}
    for pid, gid in assignment.items():
        sizes[gid] = sizes.get(gid, 0) + 1
        slot = groups[gid].get("slot")
        if slot is not None and slots[pid] is not None and slot not in slots[pid]:
            count += 1
    for gid, group in groups.items():
        if not group["min_size"] <= sizes.get(gid, 0) <= group["max_size"]:
            count += 1
    for a, b in problem["cannot_link"]:
        if assignment.get(a) is not None and assignment.get(a) == assignment.get(b):
            count += 1
    return count


def run_row(data_dir: Path, row: tuple) -> dict:
    name, n, k, constrained, exact, time_limit, best, target = row
    pool = read_pool(data_dir, n)
    problem = build_problem(pool, k, constrained, exact, time_limit)
    started = time.monotonic()
    process = subprocess.Popen(
        [sys.executable, "-m", "recruit.balancing", "-"],
        cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    process.stdin.write(json.dumps(problem).encode())
    process.stdin.close()
    out = process.stdout.read()
    err = process.stderr.read()
    _pid, status, usage = os.wait4(process.pid, 0)  # this process's own peak memory
    process.returncode = os.waitstatus_to_exitcode(status)
    wall = time.monotonic() - started
    if process.returncode != 0:
        return {"name": name, "error": err.decode().strip()}
    solution = json.loads(out)
    ssb, sst = independent_ssb(pool, solution["assignment"])
    return {
        "name": name,
        "ratio": solution["ssb"] / solution["sst"],
        "check": ssb / sst,
        "index": solution["index"],
        "seconds": solution["seconds"],
        "wall": wall,
        "memory_mb": usage.ru_maxrss / 1024,
        "violations": violations(pool, problem, solution),
        "optimal": solution["optimal"],
        "lower_bound": None if solution["lower_bound"] is None else solution["lower_bound"] / solution["sst"],
        "best": best,
        "target": target,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("data_dir", nargs="?", default=str(ROOT.parent / "shared" / "data" / "balance"))
    parser.add_argument("--only", nargs="*", help="run only rows whose name contains one of these")
    arguments = parser.parse_args()
    data_dir = Path(arguments.data_dir)

    header = (f"{'row':38} {'SSB/SST':>9} {'vs best':>8} {'index':>7} {'seconds':>8} {'wall':>6} "
              f"{'peak MB':>8} {'viol.':>5} {'optimal':>7} {'lower bound':>11}  target")
    print(header)
    print("-" * len(header))
    for row in ROWS:
        if arguments.only and not any(word in row[0] for word in arguments.only):
            continue
        result = run_row(data_dir, row)
        if "error" in result:
            print(f"{result['name']:38} failed: {result['error']}")
            continue
        versus = "" if result["best"] is None else f"{100 * (result['ratio'] / result['best'] - 1):+.2f}%"
        bound = "" if result["lower_bound"] is None else f"{result['lower_bound']:.6f}"
        mismatch = "" if abs(result["check"] - result["ratio"]) < 1e-9 else f"  (recomputed {result['check']:.6f}!)"
        print(
            f"{result['name']:38} {result['ratio']:9.6f} {versus:>8} {result['index']:7.4f} "
            f"{result['seconds']:8.2f} {result['wall']:6.2f} {result['memory_mb']:8.0f} {result['violations']:5d} "
            f"{str(result['optimal']):>7} {bound:>11}  {result['target']}{mismatch}",
            flush=True,
        )


if __name__ == "__main__":
    main()
