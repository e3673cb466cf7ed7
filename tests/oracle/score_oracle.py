#!/usr/bin/env python3
"""An independent implementation of specs/scores.md, written from the spec text alone.

Used by the `score_oracle` test: it generates patients (random and on every boundary), runs
`livercell score --batch`, and compares every number with this implementation to
|Δ| ≤ max(1e-6, 1e-9·|expected|) (specs/scores.md §1.4). Python's math library is the
reference for ln/log10/sqrt.

usage: score_oracle.py LIVERCELL_BINARY [N_RANDOM] [SEED]
"""
import json
import math
import random
import subprocess
import sys

# specs/scores.md §1.2: accepted units, division factor to canonical, plausible range.
LABS = {
    "bilirubin": ({"mg/dL": 1.0, "umol/L": 17.1}, 0.1, 100),
    "albumin": ({"g/dL": 1.0, "g/L": 10.0}, 0.5, 7),
    "creatinine": ({"mg/dL": 1.0, "umol/L": 88.4}, 0.1, 25),
    "inr": ({"1": 1.0}, 0.5, 15),
    "sodium": ({"mmol/L": 1.0}, 100, 180),
    "ast": ({"U/L": 1.0}, 1, 20000),
    "alt": ({"U/L": 1.0}, 1, 20000),
    "ast_uln": ({"U/L": 1.0}, 10, 200),
    "platelets": ({"10*9/L": 1.0}, 1, 2000),
    "prothrombin_time": ({"s": 1.0}, 5, 200),
}
NEEDS = {
    "child_pugh": ["bilirubin", "albumin", "inr", "ascites", "encephalopathy"],
    "meld": ["bilirubin", "inr", "creatinine"],
    "meld_na": ["bilirubin", "inr", "creatinine", "sodium"],
    "meld_3": ["bilirubin", "inr", "creatinine", "sodium", "albumin", "sex"],
    "albi": ["bilirubin", "albumin"],
    "apri": ["ast", "ast_uln", "platelets"],
    "fib4": ["age_years", "ast", "alt", "platelets"],
    "mayo_pbc": ["bilirubin", "albumin", "age_years", "prothrombin_time", "edema"],
}


def canon(p, name):
    lab = p["labs"][name]
    return lab["value"] / LABS[name][0][lab["unit"]]


def has(p, name):
    return name in p or name in p.get("labs", {})


def meld_i(p):
    bili = max(canon(p, "bilirubin"), 1.0)
    inr = max(canon(p, "inr"), 1.0)
    cr = 4.0 if p.get("dialysis_twice_past_week") else min(max(canon(p, "creatinine"), 1.0), 4.0)
    x = 0.957 * math.log(cr) + 0.378 * math.log(bili) + 1.120 * math.log(inr) + 0.643
    return math.floor(10 * x + 0.5)


def scores(p):
    out, unavailable = {}, {}
    paediatric = "age_years" in p and 12 <= p["age_years"] < 18
    for score, needs in NEEDS.items():
        missing = [n for n in needs if not has(p, n) and not (n == "sex" and score == "meld_3" and paediatric)]
        if missing:
            unavailable[score] = missing
    def ok(s):
        return s not in unavailable
    if ok("child_pugh"):
        b, a, i = canon(p, "bilirubin"), canon(p, "albumin"), canon(p, "inr")
        pts = (1 if b < 2.0 else 2 if b <= 3.0 else 3) + (1 if a > 3.5 else 2 if a >= 2.8 else 3) \
            + (1 if i < 1.7 else 2 if i <= 2.3 else 3) \
            + {"none": 1, "mild": 2, "moderate-severe": 3}[p["ascites"]] \
            + {"none": 1, "grade-1-2": 2, "grade-3-4": 3}[p["encephalopathy"]]
        out["child_pugh"] = {"points": pts, "class": "A" if pts <= 6 else "B" if pts <= 9 else "C"}
    if ok("meld"):
        out["meld"] = {"score": min(meld_i(p), 40)}
    if ok("meld_na"):
        m = meld_i(p)
        na = min(max(canon(p, "sodium"), 125), 137)
        v = m + 1.32 * (137 - na) - 0.033 * m * (137 - na) if m > 11 else m
        out["meld_na"] = {"score": min(math.floor(v + 0.5), 40)}
    if ok("meld_3"):
        f = 1 if paediatric or p.get("sex") == "female" else 0
        bili = max(canon(p, "bilirubin"), 1.0)
        inr = max(canon(p, "inr"), 1.0)
        cr = 3.0 if p.get("dialysis_twice_past_week") else min(max(canon(p, "creatinine"), 1.0), 3.0)
        na = min(max(canon(p, "sodium"), 125), 137)
        alb = min(max(canon(p, "albumin"), 1.5), 3.5)
        v = (1.33 * f + 4.56 * math.log(bili) + 0.82 * (137 - na) - 0.24 * (137 - na) * math.log(bili)
             + 9.09 * math.log(inr) + 11.14 * math.log(cr) + 1.85 * (3.5 - alb)
             - 1.83 * (3.5 - alb) * math.log(cr) + 6)
        out["meld_3"] = {"score": min(max(math.floor(v + 0.5), 6), 40)}
    if ok("albi"):
        bl, al = p["labs"]["bilirubin"], p["labs"]["albumin"]
        b_si = bl["value"] if bl["unit"] == "umol/L" else bl["value"] * 17.1
        a_si = al["value"] if al["unit"] == "g/L" else al["value"] * 10
        s = 0.66 * math.log10(b_si) - 0.085 * a_si
        out["albi"] = {"score": s, "grade": 1 if s <= -2.60 else 2 if s <= -1.39 else 3}
    if ok("apri"):
        out["apri"] = {"score": canon(p, "ast") / canon(p, "ast_uln") * 100 / canon(p, "platelets")}
    if ok("fib4"):
        out["fib4"] = {"score": p["age_years"] * canon(p, "ast")
                       / (canon(p, "platelets") * math.sqrt(canon(p, "alt")))}
    if ok("mayo_pbc"):
        e = {"none": 0, "untreated-or-resolved": 0.5, "despite-diuretics": 1}[p["edema"]]
        out["mayo_pbc"] = {"score": 0.871 * math.log(canon(p, "bilirubin")) - 2.53 * math.log(canon(p, "albumin"))
                           + 0.039 * p["age_years"] + 2.38 * math.log(canon(p, "prothrombin_time")) + 0.859 * e}
    if unavailable:
        out["unavailable"] = unavailable
    return out


# Values that sit on a threshold or bound of the spec, in canonical units.
EDGES = {
    "bilirubin": [0.1, 0.5, 1.0, 1.99, 2.0, 3.0, 3.01, 40, 100],
    "albumin": [0.5, 1.4, 1.5, 2.79, 2.8, 3.5, 3.51, 7],
    "creatinine": [0.1, 1.0, 2.99, 3.0, 3.01, 4.0, 4.01, 25],
    "inr": [0.5, 1.0, 1.69, 1.7, 2.3, 2.31, 15],
    "sodium": [100, 124, 125, 131, 137, 138, 180],
}


def random_patient(rng):
    p = {"labs": {}}
    for name, (units, lo, hi) in LABS.items():
        if rng.random() < 0.1:
            continue  # missing lab
        if name in EDGES and rng.random() < 0.3:
            v = rng.choice(EDGES[name])
        else:
            v = math.exp(rng.uniform(math.log(lo), math.log(hi)))
        unit = rng.choice(list(units))
        value = v * units[unit]
        if rng.random() < 0.5:
            value = float(f"{value:.4g}")  # a value as a lab would report it
        value = min(max(value, lo * units[unit] * (1 + 1e-12)), hi * units[unit] * (1 - 1e-12))
        p["labs"][name] = {"value": value, "unit": unit}
    for key, choices in [("sex", ["female", "male"]), ("ascites", ["none", "mild", "moderate-severe"]),
                         ("encephalopathy", ["none", "grade-1-2", "grade-3-4"]),
                         ("edema", ["none", "untreated-or-resolved", "despite-diuretics"])]:
        if rng.random() < 0.9:
            p[key] = rng.choice(choices)
    if rng.random() < 0.9:
        p["age_years"] = rng.choice([12, 15.5, 17.99, 18, rng.uniform(0, 120), rng.uniform(30, 80)])
    if rng.random() < 0.3:
        p["dialysis_twice_past_week"] = rng.random() < 0.5
    return p


def close(a, b):
    return abs(a - b) <= max(1e-6, 1e-9 * abs(b))


def compare(expected, got, where):
    problems = []
    if set(expected.get("unavailable", {})) != set(got.get("unavailable", {})):
        problems.append(f"{where}: unavailable {got.get('unavailable')} != {expected.get('unavailable')}")
    for score, fields in expected.items():
        if score == "unavailable":
            continue
        if score not in got:
            problems.append(f"{where}: {score} missing")
            continue
        for k, v in fields.items():
            g = got[score].get(k)
            if isinstance(v, str) or k in ("points", "grade") or score.startswith("meld"):
                if g != v:
                    problems.append(f"{where}: {score}.{k} = {g}, expected {v}")
            elif g is None or not close(g, v):
                problems.append(f"{where}: {score}.{k} = {g}, expected {v}")
    return problems


def main():
    binary = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 5000
    rng = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 20261123)
    patients = [random_patient(rng) for _ in range(n)]
    stdin = "".join(json.dumps(p) + "\n" for p in patients)
    run = subprocess.run([binary, "score", "--batch", "--format", "json", "-"], input=stdin,
                         capture_output=True, text=True, check=False)
    if run.returncode != 0:
        print(f"livercell exited {run.returncode}: {run.stderr[:2000]}")
        return 1
    lines = run.stdout.splitlines()
    if len(lines) != n:
        print(f"expected {n} result lines, got {len(lines)}")
        return 1
    problems = []
    for i, (p, line) in enumerate(zip(patients, lines), start=1):
        problems += compare(scores(p), json.loads(line), f"patient {i} {json.dumps(p)}")
    for prob in problems[:20]:
        print(prob)
    checked = sum(len([k for k in scores(p) if k != "unavailable"]) for p in patients)
    print(f"{checked} scores on {n} patients compared with the independent implementation")
    print(f"{checked - len(problems)} passed, {len(problems)} failed")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
