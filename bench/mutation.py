"""Mutation testing of the judgement code: killed and survived mutants, per module.

Runs mutmut (configured in pyproject.toml, ``[tool.mutmut]``: the verdict rules, the checker,
soft-404 probing, the Wayback client, replies and archiver, the manifest, diff and the readers)
and prints, per module, how many mutants the test suite killed, how many survived, and the share
killed. Too slow for CI: every mutant runs the tests that cover it (see the time printed at the
end; the whole set takes hours on a 2-core machine, one module minutes).

    python bench/mutation.py                               # every configured module
    python bench/mutation.py "kzarchive.check.rules*"      # one module (mutmut's patterns)
    python bench/mutation.py --report-only                 # the last run's results

Surviving mutants are listed with ``mutmut show <name>``; each one left is either a gap in the
tests or an equivalent mutant (README, "Mutation testing").
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MUTMUT = str(Path(sys.executable).with_name("mutmut"))
_LINE = re.compile(r"^\s*(?P<name>[\w.ǁ]+__mutmut_\d+): (?P<status>[\w ]+)$")


def module_of(name: str) -> str:
    """``kzarchive.check.rules.x_status_verdict__mutmut_3`` -> ``kzarchive.check.rules``."""
    head = re.split(r"\.x_|\.xǁ", name, maxsplit=1)[0]
    return head


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("patterns", nargs="*", help="mutmut's mutant name patterns")
    parser.add_argument("--report-only", action="store_true")
    args = parser.parse_args()
    started = time.monotonic()
    if not args.report_only:
        subprocess.run([MUTMUT, "run", *args.patterns], cwd=ROOT, check=False)
    elapsed = time.monotonic() - started
    listing = subprocess.run(
        [MUTMUT, "results", "--all", "true"], cwd=ROOT, capture_output=True, text=True, check=False
    ).stdout
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    survivors: dict[str, list[str]] = defaultdict(list)
    for line in listing.splitlines():
        match = _LINE.match(line)
        if not match:
            continue
        module, status = module_of(match["name"]), match["status"].strip()
        counts[module][status] += 1
        if status == "survived":
            survivors[module].append(match["name"])
    print(f"{'module':<34}{'killed':>8}{'survived':>10}{'other':>7}{'killed %':>10}")
    for module in sorted(counts):
        found = counts[module]
        killed = found["killed"] + found["timeout"]
        survived = found["survived"]
        other = sum(found.values()) - killed - survived
        share = 100 * killed / max(killed + survived, 1)
        print(f"{module:<34}{killed:>8}{survived:>10}{other:>7}{share:>9.0f}%")
    if not args.report_only:
        print(f"\nmutmut run took {elapsed:.0f} s")
    for module, names in sorted(survivors.items()):
        print(f"\nsurvived in {module}:")
        for name in names:
            print(f"  {name}")


if __name__ == "__main__":
    main()
