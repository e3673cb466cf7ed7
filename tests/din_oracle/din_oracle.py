#!/usr/bin/python3
"""ISBT 128 DIN check characters against an independent implementation (issue #8 "Done when").

python-stdnum's iso7064.mod_37_2 (Debian's python3-stdnum) is the oracle. 10,000 DINs from a
fixed seed go through `livercell din check --format json -` as typed (spaced, no check
character) and as barcode data with check flags; every check character must agree. Then every
DIN with a wrong check character, and every DIN with one character substituted, must be refused
(MOD 37-2 detects every single substitution). Then the published worked example. Finally
labels: `livercell din label` SVGs parse as XML, are the same bytes on every run, and their
Code 128 bar codes, rendered by rsvg-convert and read by a real decoder (zbarimg), give back
"=" + DIN + check flags.

    din_oracle.py LIVERCELL [COUNT]
"""
import json
import os
import tempfile
import xml.etree.ElementTree as ET
import random
import subprocess
import sys

from stdnum.iso7064 import mod_37_2

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ*"
FIN_LETTERS = "ABCDEFGHIJKLMNPQRSTUVWXYZ"  # no O


def run(binary, lines, *args):
    return subprocess.run([binary, "din", "check", *args, "-"], input="\n".join(lines) + "\n",
                          capture_output=True, text=True, check=False)


def main():
    binary = sys.argv[1]
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 10000
    rng = random.Random(20261123)
    dins = []
    for _ in range(count):
        fin = rng.choice(FIN_LETTERS) + "".join(rng.choice("0123456789") for _ in range(4))
        dins.append(fin + f"{rng.randrange(100):02d}" + f"{rng.randrange(1000000):06d}")
    failures = []

    typed = run(binary, [f"{d[:5]} {d[5:7]} {d[7:]}" for d in dins], "--format", "json")
    if typed.returncode != 0:
        sys.exit(f"typed DINs refused (exit {typed.returncode}): {typed.stderr[:500]}")
    answers = [json.loads(line) for line in typed.stdout.splitlines()]
    assert len(answers) == count, f"{len(answers)} answers for {count} DINs"
    for din, answer in zip(dins, answers):
        expected = mod_37_2.calc_check_digit(din)
        if answer["din"] != din or answer["check"] != expected:
            failures.append(f"{din}: livercell {answer['check']}, stdnum {expected}")
        flags = 60 + ALPHABET.index(expected)
        if answer["barcode"] != f"={din}{flags}":
            failures.append(f"{din}: barcode {answer['barcode']}, expected ={din}{flags}")

    with_check = run(binary, [d + mod_37_2.calc_check_digit(d) for d in dins])
    if with_check.returncode != 0:
        failures.append(f"DINs with their stdnum check character refused: {with_check.stderr[:300]}")
    barcodes = run(binary, [f"={d}{60 + ALPHABET.index(mod_37_2.calc_check_digit(d))}"
                            for d in dins])
    if barcodes.returncode != 0:
        failures.append(f"bar codes with check flags refused: {barcodes.stderr[:300]}")

    wrong = []
    for d in dins[:1000]:
        right = mod_37_2.calc_check_digit(d)
        wrong.append(d + rng.choice([c for c in ALPHABET if c != right]))
    refused = run(binary, wrong)
    if refused.returncode != 2 or len(refused.stderr.splitlines()) != len(wrong):
        failures.append(f"wrong check characters: exit {refused.returncode}, "
                        f"{len(refused.stderr.splitlines())} errors for {len(wrong)}")

    typos = []
    for d in dins[:1000]:
        i = rng.randrange(7, 13)  # a digit of year or sequence, so the structure stays valid
        c = rng.choice([x for x in "0123456789" if x != d[i]])
        typos.append(d[:i] + c + d[i + 1:] + mod_37_2.calc_check_digit(d))
    caught = run(binary, typos)
    if caught.returncode != 2 or len(caught.stderr.splitlines()) != len(typos):
        failures.append(f"single substitutions: exit {caught.returncode}, "
                        f"{len(caught.stderr.splitlines())} caught of {len(typos)}")

    # UK Red Book, Annex 2: G123 498 654 321 -> checksum 17, flags 77, eye-readable H.
    example = run(binary, ["G123 498 654 321"], "--format", "json")
    got = json.loads(example.stdout) if example.returncode == 0 else {}
    if got.get("check") != "H" or got.get("barcode") != "=G12349865432177":
        failures.append(f"worked example: {example.stdout or example.stderr}")

    labels = 0
    with tempfile.TemporaryDirectory() as work:
        for d in dins[:12] + ["G123498654321"]:
            svg = os.path.join(work, "label.svg")
            png = os.path.join(work, "label.png")
            made = subprocess.run([binary, "din", "label", d, "--code", "S1234", "--out", svg],
                                  capture_output=True, text=True, check=False)
            again = subprocess.run([binary, "din", "label", d, "--code", "S1234"],
                                   capture_output=True, text=True, check=False)
            if made.returncode != 0:
                failures.append(f"label {d}: {made.stderr}")
                continue
            text = open(svg, encoding="utf-8").read()
            if again.stdout != text:
                failures.append(f"label {d}: not the same bytes on a second run")
            ET.fromstring(text.encode("utf-8"))
            subprocess.run(["rsvg-convert", "-z", "6", "-b", "white", svg, "-o", png], check=True)
            read = subprocess.run(["zbarimg", "--raw", "-q", "-Scode128.enable", png],
                                  capture_output=True, text=True, check=False)
            expected = f"={d}{60 + ALPHABET.index(mod_37_2.calc_check_digit(d))}"
            if read.stdout.strip() != expected:
                failures.append(f"label {d}: zbarimg read {read.stdout.strip()!r}, "
                                f"expected {expected}")
            labels += 1

    if failures:
        print("\n".join(failures[:20]))
        sys.exit(f"{len(failures)} disagreement(s)")
    print(f"{count} DINs agree with python-stdnum mod_37_2; "
          f"{len(wrong)} wrong check characters and {len(typos)} typos refused; "
          f"{labels} labels read back by zbarimg")


if __name__ == "__main__":
    main()
