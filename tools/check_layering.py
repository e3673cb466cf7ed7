#!/usr/bin/env python3
"""Checks the include rules of STYLE.md C1 and §2 over src/livercell.

- A subsystem includes only the subsystems it may depend on (the table below).
- Inside domain/, each part includes only the parts listed before it.
- `internal/` headers are included only from their own subsystem.
- domain/ includes no JSON, SQL or HTTP library.
- The doors (cli/, server/, app/) change nothing themselves (STYLE.md C16, issue #22): they call
  no method of the registry, the accounts or the audit trail that writes. Every change goes
  through clinic/, which checks the permission and appends the audit entry in one transaction.
Exits 1 listing every violation as file:line: message. `--root DIR` checks another tree
(tests/lint/ proves that each rule catches a violation).
"""
import pathlib
import re
import sys

ALLOWED = {
    "base": set(),
    "domain": {"base"},
    "stats": {"domain", "base"},
    "sim": {"stats", "domain", "base"},
    "fhir": {"domain", "base"},
    "storage": {"domain", "base"},
    # The documents LiverCell reads and writes (JSON, TOML), shared by server and CLI.
    "formats": {"domain", "base"},
    # Accounts, roles and the audit trail: who may do what, and the record of what was done.
    "access": {"storage", "domain", "base"},
    # The clinic's use cases (STYLE.md C16): permission, validation, change and audit in one
    # transaction; the only code that changes the registry on behalf of a person.
    "clinic": {"base", "domain", "stats", "sim", "fhir", "storage", "access", "formats"},
    # The two doors translate HTTP or a terminal into clinic calls; never each other.
    "server": {"base", "domain", "stats", "sim", "fhir", "storage", "access", "formats", "clinic"},
    "cli": {"base", "domain", "stats", "sim", "fhir", "storage", "access", "formats", "clinic"},
    # The executable: the command line with `serve` added, the one place that sees both doors.
    "app": {"base", "cli", "server", "formats", "clinic"},
}
DOMAIN_ORDER = ["units", "labs", "scores", "records", "assessment", "protocol", "product", "outcomes"]
DOMAIN_FORBIDDEN = ("nlohmann/", "simdjson", "sqlite3", "libpq", "httplib", "toml++")
INCLUDE = re.compile(r'^\s*#\s*include\s*[<"]([^">]+)[">]')
DOORS = ("cli", "server", "app")
# Methods that write: storage::Repository's, access::Accounts', access::AuditLog's, the lab
# batch and a raw transaction. A door calling one bypasses the clinic.
WRITES = re.compile(
    r"(?:\.|->)\s*(CreatePatient|UpdatePatient|FindOrCreatePatient|AddLabs?|AddFinding|AddEvent|"
    r"AddAdverseEvent|AddQualityOfLife|AddAssessment|AddPlan|AddProduct|AppendCustodyEvent|"
    r"InTransaction|StartSession|EndSession|SetDisabled|SetPassword|Append|Begin|Commit|"
    r"ExecuteScript)\s*\(|\bLabBatch\b|\bAccounts\s*\(.*\)\s*\.\s*Add\s*\(")
# Calls that look like writes but are not the registry's: an output file's Commit.
NOT_REGISTRY = re.compile(r"\bsink\b.*(?:\.|->)\s*Commit\s*\(")


def subsystem(parts):
    return parts[0] if parts else ""


def main():
    args = sys.argv[1:]
    root = pathlib.Path(args[args.index("--root") + 1]) if "--root" in args else \
        pathlib.Path("src/livercell")
    problems = []
    for path in sorted(root.rglob("*")):
        if path.suffix not in (".h", ".cc"):
            continue
        rel = path.relative_to(root).parts
        sub = subsystem(rel)
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            code = line.split("//", 1)[0]
            if sub in DOORS and WRITES.search(code) and not NOT_REGISTRY.search(code):
                problems.append(f"{path}:{number}: {sub}/ writes without the clinic "
                                f"(call a use case in clinic/): {line.strip()}")
            m = INCLUDE.match(line)
            if not m:
                continue
            target = m.group(1)
            where = f"{path}:{number}"
            if sub == "domain" and target.startswith(DOMAIN_FORBIDDEN):
                problems.append(f"{where}: domain/ must not include {target} (no JSON, SQL or HTTP)")
            if not target.startswith("livercell/"):
                continue
            tparts = target.split("/")[1:]
            tsub = subsystem(tparts)
            if "internal" in tparts and tsub != sub:
                problems.append(f"{where}: {target} is internal to {tsub}/")
            if tsub != sub and tsub not in ALLOWED.get(sub, set()):
                problems.append(f"{where}: {sub}/ may not depend on {tsub}/")
            if sub == "domain" and tsub == "domain" and len(rel) > 1 and len(tparts) > 1:
                mine, theirs = rel[1], tparts[1]
                if mine in DOMAIN_ORDER and theirs in DOMAIN_ORDER and \
                        DOMAIN_ORDER.index(theirs) > DOMAIN_ORDER.index(mine):
                    problems.append(f"{where}: domain/{mine} may not include domain/{theirs}")
    for p in problems:
        print(p)
    print(f"check_layering: {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
