#!/usr/bin/env python3
"""Runs every oracle case through R (oracle.R) and `livercell stats`, and compares every number
to max(1e-6 absolute, 1e-6 relative) (specs/stats.md). Exits 1 on any disagreement.

usage: compare.py LIVERCELL_BINARY SOURCE_DIR WORK_DIR
"""
import json
import math
import os
import random
import subprocess
import sys

TOL = 1e-6


def generated_cases(work):
    """Synthetic data sets for the edge cases of issue #5 (fixed seed)."""
    rng = random.Random(20261123)
    files = {}
    def write(name, header, rows):
        path = os.path.join(work, name)
        with open(path, "w") as f:
            f.write(",".join(header) + "\n")
            for r in rows:
                f.write(",".join(str(x) for x in r) + "\n")
        files[name] = path
    # heavy ties: integer times 1-10, three groups
    write("ties.csv", ["time", "status", "grp"],
          [(rng.randint(1, 10), int(rng.random() < 0.6), rng.choice("abc")) for _ in range(300)])
    # a group with no events
    write("noevents.csv", ["time", "status", "grp"],
          [(rng.uniform(1, 100), 0 if g == "z" else int(rng.random() < 0.7), g)
           for g in ["y", "z"] * 40])
    # all censored, single row
    write("censored.csv", ["time", "status"], [(rng.uniform(1, 50), 0) for _ in range(20)])
    write("single.csv", ["time", "status"], [(12.5, 1)])
    # competing risks with text levels and ties
    write("cr.csv", ["time", "cause", "grp"],
          [(rng.randint(1, 30), rng.choice(["censor", "death", "pcm", "death"]), rng.choice("ab"))
           for _ in range(200)])
    # Large enough (≥ 100,000 rows) for the Cox fit to split its sums over two threads:
    # integer times with heavy ties, text and numeric covariates, two strata; and the same as
    # counting-process intervals.
    # x1 raises the chance of an event, so that its coefficient is far from 0.
    big = []
    for _ in range(120000):
        start = rng.randint(0, 300)
        x1 = round(rng.gauss(0, 1), 3)
        big.append((start, start + rng.randint(1, 100),
                    int(rng.random() < 0.8 / (1 + math.exp(-x1))), x1,
                    round(rng.uniform(0.5, 5), 2), rng.choice("abc"),
                    "f" if rng.random() < 0.8 else "m"))
    write("big.csv", ["start", "stop", "status", "x1", "x2", "grp", "sex"], big)
    # More covariates than the unrolled inner loops take (nine), times 1-20 in two strata:
    # the Cox evaluation by runs, on its general path.
    wide = []
    for _ in range(2000):
        xs = [round(rng.gauss(0, 1), 3) for _ in range(9)]
        lp = 0.3 * xs[0] - 0.2 * xs[1] + 0.1 * xs[2]
        wide.append([rng.randint(1, 20), int(rng.random() < 0.6 / (1 + math.exp(-lp)))] + xs +
                    [rng.choice("ab")])
    write("wide.csv", ["time", "status"] + [f"x{i}" for i in range(9)] + ["g"], wide)
    return files


COX_BIG = "Surv(stop, status) ~ x1 + log(x2) + grp + strata(sex)"
COX_WIDE = "Surv(time, status) ~ " + " + ".join(f"x{i}" for i in range(9)) + " + strata(g)"
COX_PBC = "Surv(time, status == 2) ~ age + log(bili) + log(albumin) + log(protime) + edema"


def counting_process(source, work):
    """pbcseq as (start, stop] intervals: each visit until the next (or futime), event at the end."""
    import csv
    rows = list(csv.DictReader(open(os.path.join(source, "data/cohorts/pbcseq.csv"))))
    out = os.path.join(work, "pbcseq_cp.csv")
    with open(out, "w") as f:
        f.write("id,start,stop,event,bili,protime,albumin\n")
        for i, r in enumerate(rows):
            last = i + 1 == len(rows) or rows[i + 1]["id"] != r["id"]
            stop = float(r["futime"]) if last else float(rows[i + 1]["day"])
            start = float(r["day"])
            if stop <= start:
                continue
            event = 1 if last and r["status"] == "2" else 0
            f.write(f"{r['id']},{start:g},{stop:g},{event},{r['bili']},{r['protime']},{r['albumin']}\n")
    return out


def cases(source, gen):
    pbc = os.path.join(source, "data/cohorts/pbc.csv")
    pbcseq = gen["pbcseq_cp.csv"]
    return [
        ("km", pbc, "Surv(time, status == 2) ~ trt", "log", "0.95"),
        ("km", pbc, "Surv(time, status == 2) ~ stage", "log-log", "0.95"),
        ("km", pbc, "Surv(time, status == 2) ~ trt", "plain", "0.9"),
        ("km", pbc, "Surv(time, status == 2) ~ 1", "log", "0.95"),
        ("km", pbc, "Surv(time, status > 0) ~ sex + trt", "log", "0.95"),
        ("km", pbc, "Surv(time, status %in% c(1, 2)) ~ edema", "log-log", "0.99"),
        ("km", gen["ties.csv"], "Surv(time, status) ~ grp", "log", "0.95"),
        ("km", gen["noevents.csv"], "Surv(time, status) ~ grp", "log-log", "0.95"),
        ("km", gen["censored.csv"], "Surv(time, status) ~ 1", "log", "0.95"),
        ("km", gen["single.csv"], "Surv(time, status) ~ 1", "log", "0.95"),
        ("cox", pbc, COX_PBC, "efron", None),
        ("cox", pbc, COX_PBC, "breslow", None),
        ("cox", pbc, "Surv(time, status == 2) ~ age + log(bili) + log(albumin) + strata(sex)", "efron", None),
        ("cox", pbc, "Surv(time, status == 2) ~ age + log(bili) + factor(stage)", "efron", None),
        ("cox", pbcseq, "Surv(start, stop, event) ~ log(bili) + log(protime) + albumin", "efron", None),
        ("cox", gen["ties.csv"], "Surv(time, status) ~ grp", "efron", None),
        ("cox", gen["ties.csv"], "Surv(time, status) ~ grp", "breslow", None),
        ("cox", gen["big.csv"], COX_BIG, "efron", None),
        ("cox", gen["big.csv"], COX_BIG, "breslow", None),
        ("cox", gen["big.csv"], "Surv(start, stop, status) ~ x1 + log(x2) + strata(sex)", "efron", None),
        ("cox", gen["wide.csv"], COX_WIDE, "efron", None),
        ("cox", gen["wide.csv"], COX_WIDE, "breslow", None),
        ("cif", pbc, "Surv(time, status) ~ trt", None, None),
        ("cif", pbc, "Surv(time, status) ~ 1", None, None),
        ("cif", gen["cr.csv"], "Surv(time, cause) ~ grp", None, None),
        ("logrank", pbc, "Surv(time, status == 2) ~ trt", None, None),
        ("logrank", pbc, "Surv(time, status == 2) ~ edema", None, None),
        ("logrank", pbc, "Surv(time, status == 2) ~ stage", None, None),
        ("logrank", pbc, "Surv(time, status > 0) ~ sex + ascites", None, None),
        ("logrank", gen["ties.csv"], "Surv(time, status) ~ grp", None, None),
        ("logrank", gen["noevents.csv"], "Surv(time, status) ~ grp", None, None),
    ]


def is_null(v):
    return v is None or v in ("NA", "Inf", "-Inf", "NaN")


def compare(ours, theirs, path, problems):
    if isinstance(theirs, list) and not isinstance(ours, list) and len(theirs) == 1:
        theirs = theirs[0]  # jsonlite writes a length-1 vector as a scalar or [x]
    if isinstance(ours, list) and not isinstance(theirs, list):
        theirs = [theirs]
    if isinstance(theirs, dict):
        for k, v in theirs.items():
            if k not in ours:
                problems.append(f"{path}.{k}: missing in livercell")
            else:
                compare(ours[k], v, f"{path}.{k}", problems)
    elif isinstance(theirs, list):
        if not isinstance(ours, list) or len(ours) != len(theirs):
            problems.append(f"{path}: length {len(ours) if isinstance(ours, list) else '-'} vs R {len(theirs)}")
            return
        for i, (a, b) in enumerate(zip(ours, theirs)):
            compare(a, b, f"{path}[{i}]", problems)
    elif is_null(theirs) or is_null(ours):
        if not (is_null(theirs) and is_null(ours)):
            problems.append(f"{path}: livercell {ours!r}, R {theirs!r}")
    elif isinstance(theirs, str):
        if ours != theirs:
            problems.append(f"{path}: livercell {ours!r}, R {theirs!r}")
    else:
        a, b = float(ours), float(theirs)
        if abs(a - b) > max(TOL, TOL * abs(b)):
            problems.append(f"{path}: livercell {a!r}, R {b!r}")


def main():
    binary, source, work = sys.argv[1], sys.argv[2], sys.argv[3]
    os.makedirs(work, exist_ok=True)
    gen = generated_cases(work)
    gen["pbcseq_cp.csv"] = counting_process(source, work)
    oracle = os.path.join(source, "tests/stats_oracle/oracle.R")
    failed = passed = 0
    for command, csv, formula, conf_type, conf_level in cases(source, gen):
        r_args = ["Rscript", oracle, command, csv, formula] + ([conf_type, conf_level] if conf_type else [])
        ours_args = [binary, "stats", command, "--csv", csv, "--formula", formula, "--format", "json"]
        if command == "cox":
            ours_args += ["--ties", conf_type]
            r_args = ["Rscript", oracle, command, csv, formula, conf_type]
        elif conf_type:
            ours_args += ["--conf-type", conf_type, "--conf-level", conf_level]
        r = subprocess.run(r_args, capture_output=True, text=True)
        ours = subprocess.run(ours_args, capture_output=True, text=True)
        name = f"{command} {os.path.basename(csv)} {formula} {conf_type or ''}"
        if r.returncode != 0 or ours.returncode != 0:
            print(f"FAIL {name}: R exit {r.returncode} {r.stderr.strip()[:300]}; livercell exit {ours.returncode} {ours.stderr.strip()[:300]}")
            failed += 1
            continue
        problems = []
        compare(json.loads(ours.stdout), json.loads(r.stdout), "", problems)
        if problems:
            failed += 1
            print(f"FAIL {name}: {len(problems)} differences")
            for p in problems[:8]:
                print("   ", p)
        else:
            passed += 1
            print(f"ok   {name}")
    # Plots: well-formed XML, the promised parts, and the same bytes on every run.
    import xml.etree.ElementTree as ET
    pbc = os.path.join(source, "data/cohorts/pbc.csv")
    for command, formula in [("km", "Surv(time, status == 2) ~ trt"), ("cif", "Surv(time, status) ~ trt")]:
        outputs = []
        for run in range(2):
            path = os.path.join(work, f"{command}{run}.svg")
            r = subprocess.run([binary, "stats", command, "--csv", pbc, "--formula", formula,
                                "--plot", path, "--format", "json"], capture_output=True, text=True)
            outputs.append(open(path, "rb").read() if r.returncode == 0 else b"")
        name = f"plot {command}"
        try:
            root = ET.fromstring(outputs[0])
            paths = [e for e in root.iter() if e.tag.endswith("path")]
            texts = "".join(e.text or "" for e in root.iter() if e.tag.endswith("text"))
            ok = (outputs[0] == outputs[1] and len(paths) >= 2 and "Number at risk" in texts
                  and "Time (days)" in texts and "trt=1" in texts)
        except ET.ParseError as e:
            ok = False
            print(f"    {e}")
        if ok:
            passed += 1
            print(f"ok   {name}")
        else:
            failed += 1
            print(f"FAIL {name}: not well-formed, incomplete, or not deterministic")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
