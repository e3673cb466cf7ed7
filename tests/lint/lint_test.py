#!/usr/bin/env python3
"""The layering lint catches what it promises to (issue #22): for each rule, a small tree that
breaks it must fail tools/check_layering.py naming the file and the rule, and the same tree
without the violation must pass. Run from the source root; prints "N passed, N failed"."""
import pathlib
import subprocess
import sys
import tempfile

LINT = pathlib.Path(__file__).resolve().parents[2] / "tools" / "check_layering.py"

CLEAN = {
    "cli/cmd_x.cc": '#include "livercell/clinic/records.h"\n'
                    'int Run() { return clinic::RecordLab(ctx, actor, lab).ok(); }\n',
    "server/route_x.cc": '#include "livercell/clinic/products.h"\n'
                         'auto r = clinic::ReleaseProduct(ctx, actor, id, pw, &list);\n',
    "cli/cmd_y.cc": 'auto sink = base::OutputSink::Open(path);\nsink.value()->Commit();\n',
}

# (name, file, text, what the lint must say)
VIOLATIONS = [
    ("cli includes server", "cli/cmd_bad.cc", '#include "livercell/server/server.h"\n',
     "cli/ may not depend on server/"),
    ("server includes cli", "server/bad.cc", '#include "livercell/cli/app.h"\n',
     "server/ may not depend on cli/"),
    ("cli writes a lab", "cli/cmd_bad.cc", "repo->AddLab(lab);\n",
     "writes without the clinic"),
    ("server writes a product event", "server/bad.cc",
     "r.AppendCustodyEvent(id, event);\n", "writes without the clinic"),
    ("cli opens its own transaction", "cli/cmd_bad.cc",
     "(*repo)->InTransaction([&] { return base::OkStatus(); });\n",
     "writes without the clinic"),
    ("cli appends to the audit trail", "cli/cmd_bad.cc",
     "access::AuditLog(db).Append(entries);\n", "writes without the clinic"),
    ("cli adds an account", "cli/cmd_bad.cc",
     "access::Accounts(repo->connection()).Add(name, role, pw);\n", "writes without the clinic"),
    ("domain includes JSON", "domain/labs/bad.cc", "#include <nlohmann/json.hpp>\n",
     "domain/ must not include"),
    ("storage includes clinic", "storage/bad.cc", '#include "livercell/clinic/clinic.h"\n',
     "storage/ may not depend on clinic/"),
]


def lint(files):
    with tempfile.TemporaryDirectory() as root:
        for rel, text in files.items():
            path = pathlib.Path(root) / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        run = subprocess.run([sys.executable, str(LINT), "--root", root],
                             capture_output=True, text=True)
        return run.returncode, run.stdout


def main():
    passed = failed = 0

    def check(ok, name, detail=""):
        nonlocal passed, failed
        if ok:
            passed += 1
        else:
            failed += 1
            print(f"FAIL {name}\n{detail}")

    code, out = lint(CLEAN)
    check(code == 0, "a clean tree passes", out)
    for name, rel, text, said in VIOLATIONS:
        code, out = lint({**CLEAN, rel: text})
        check(code == 1 and said in out and rel.split("/")[-1] in out, name, out)
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
