#!/usr/bin/env python3
"""Flags clinical numbers without a cited source (STYLE.md C6).

In src/livercell/domain and src/livercell/sim (tests excluded), every numeric literal other
than 0 and 1 must sit in a paragraph (lines up to the nearest blank line above and below) that
carries a `Source:` comment (or `Not clinical:` for a numerical tolerance). Array sizes and static_asserts are not clinical numbers and are
skipped, and so is a file whose first lines say `// check_sources: not clinical (why)`. Exits 1 listing each uncited literal as file:line.
"""
import pathlib
import re
import sys

NUMBER = re.compile(r"(?<![\w.])(\d+\.\d*|\.\d+|\d+)([eE][-+]?\d+)?(?![\w.])")
STRING = re.compile(r'"(?:\\.|[^"\\])*"')
EXEMPT_LINE = re.compile(r"static_assert|std::array<|\[\d+\]|std::size_t\{|#\s*(include|define)|"
                         r"kAnalyteCount|kScoreCount|\bcase\b|<< \d")


def code_part(line):
    line = STRING.sub('""', line)
    return line.split("//", 1)[0]


def paragraphs(lines):
    start = 0
    for i, line in enumerate(lines + [""]):
        if not line.strip():
            if i > start:
                yield start, i
            start = i + 1


def main():
    problems = []
    for top in ("src/livercell/domain", "src/livercell/sim"):
        for path in sorted(pathlib.Path(top).rglob("*")):
            if path.suffix not in (".h", ".cc") or path.name.endswith("_test.cc"):
                continue
            lines = path.read_text(encoding="utf-8").splitlines()
            if any(l.startswith("// check_sources: not clinical") for l in lines[:5]):
                continue  # a file of formats and limits, declared so on its first lines
            for start, end in paragraphs(lines):
                cited = any("Source:" in l or "Not clinical:" in l for l in lines[start:end])
                if cited:
                    continue
                for i in range(start, end):
                    code = code_part(lines[i])
                    if EXEMPT_LINE.search(lines[i]):
                        continue
                    for m in NUMBER.finditer(code):
                        if float(m.group(0)) in (0.0, 1.0):
                            continue
                        problems.append(f"{path}:{i + 1}: {m.group(0)} has no `// Source:` in its paragraph")
    for p in problems:
        print(p)
    print(f"check_sources: {len(problems)} uncited number(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
