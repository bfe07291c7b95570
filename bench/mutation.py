"""Mutation testing of the judgement code: killed and survived mutants, per module.

Runs mutmut (configured in pyproject.toml, ``[tool.mutmut]``: the verdict rules, the checker,
soft-404 probing, the Wayback client, replies and archiver, the manifest, diff and the readers)
and prints, per module, how many mutants the test suite killed, how many survived, and the share
killed. Too slow for CI: every mutant runs the tests that cover it (see the time printed at the
end; the whole set takes hours on a 2-core machine, one module minutes).

    python bench/mutation.py                               # every configured module
    python bench/mutation.py "kzarchive.check.rules*"      # one module (mutmut's patterns)
    python bench/mutation.py --report-only                 # the last run's results
    python bench/mutation.py --report-only --survivors bench/mutation-survivors.md
                                                           # ... and every survivor's change

Surviving mutants are shown with ``mutmut show <name>`` (``--survivors FILE`` writes them all with
their changes). Each one is explained in ``bench/mutation-explained.md`` (an equivalent mutant, code
no input reaches, or a known gap in the tests), which this script reads: it counts the survivors
explained and lists the ones that are not (a new survivor is a test to write or a reason to give),
and the explanations whose mutants no longer survive.
"""

from __future__ import annotations

import argparse
import ast
import difflib
import re
import subprocess
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MUTMUT = str(Path(sys.executable).with_name("mutmut"))
EXPLAINED = ROOT / "bench" / "mutation-explained.md"
_LINE = re.compile(r"^\s*(?P<name>[\w.ǁ]+__mutmut_\d+): (?P<status>[\w ]+)$")
# "- 12, 16–18 (equivalent): why" under "### _Reader.endnotes" under "## kzarchive.extract.html"
_REASON = re.compile(r"^- (?P<numbers>\d[\d,–\- ]*) \((?P<kind>[\w -]+)\): (?P<why>.+)$")
KINDS = ("equivalent", "unreachable", "gap")


def mutmut_key(function: str) -> str:
    """``_Reader.endnotes`` -> ``xǁ_Readerǁendnotes``; ``parse`` -> ``x_parse`` (mutmut's names)."""
    if "." in function:
        cls, method = function.split(".", 1)
        return f"xǁ{cls}ǁ{method}"
    return f"x_{function}"


def read_explained(path: Path = EXPLAINED) -> dict[str, tuple[str, str]]:
    """Every explained mutant's full name -> (kind, why), from the hand-written file."""
    found: dict[str, tuple[str, str]] = {}
    module = function = ""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.startswith("## "):
            module, function = line[3:].strip().strip("`"), ""
        elif line.startswith("### "):
            function = mutmut_key(line[4:].strip().strip("`"))
        elif line.startswith("- ") and module and function:
            match = _REASON.match(line)
            if not match or match["kind"] not in KINDS:
                raise SystemExit(f"{path}:{number}: not '- 1, 2–4 (one of {KINDS}): why'")
            for part in match["numbers"].replace(" ", "").split(","):
                low, _, high = part.replace("-", "–").partition("–")
                for n in range(int(low), int(high or low) + 1):
                    found[f"{module}.{function}__mutmut_{n}"] = (match["kind"], match["why"])
    return found


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
    parser.add_argument(
        "--survivors", type=Path, help="write every surviving mutant and its change to this file"
    )
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
    explained = read_explained()
    print(
        f"{'module':<34}{'killed':>8}{'survived':>10}{'other':>7}{'killed %':>10}"
        f"{'equivalent':>12}{'unreachable':>13}{'gap':>5}{'unexplained':>13}"
    )
    for module in sorted(counts):
        found = counts[module]
        killed = found["killed"] + found["timeout"]
        survived = found["survived"]
        other = sum(found.values()) - killed - survived
        share = 100 * killed / max(killed + survived, 1)
        kinds = Counter(explained.get(n, ("unexplained", ""))[0] for n in survivors[module])
        print(
            f"{module:<34}{killed:>8}{survived:>10}{other:>7}{share:>9.0f}%"
            f"{kinds['equivalent']:>12}{kinds['unreachable']:>13}{kinds['gap']:>5}"
            f"{kinds['unexplained']:>13}"
        )
    if not args.report_only:
        print(f"\nmutmut run took {elapsed:.0f} s")
    surviving = {n for names in survivors.values() for n in names}
    for module, names in sorted(survivors.items()):
        unexplained = [n for n in names if n not in explained]
        if unexplained:
            print(f"\nsurvived in {module}, not explained in {EXPLAINED.name}:")
            for name in unexplained:
                print(f"  {name}")
    stale = sorted(n for n in explained if n not in surviving and module_of(n) in counts)
    if stale:
        print(f"\nexplained in {EXPLAINED.name} but killed now (or renamed): {len(stale)}")
        for name in stale:
            print(f"  {name}")
    if args.survivors:
        args.survivors.write_text(survivor_listing(survivors, explained), encoding="utf-8")
        print(f"\nevery survivor's change: {args.survivors}")


def changes(module: str, names: list[str]) -> dict[str, list[str]]:
    """Each mutant's changed lines, ``-`` the original and ``+`` the mutant, read from the
    mutated copy of ``module`` that mutmut keeps in ``mutants/``."""
    source = (ROOT / "mutants" / (module.replace(".", "/") + ".py")).read_text(encoding="utf-8")
    wanted = {n.removeprefix(module + ".") for n in names}
    wanted |= {w.rsplit("__mutmut_", 1)[0] + "__mutmut_orig" for w in wanted}
    lines = source.splitlines()
    functions = {
        node.name: "\n".join(lines[node.lineno - 1 : node.end_lineno])
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name in wanted
    }
    found: dict[str, list[str]] = {}
    for name in names:
        mutant = name.removeprefix(module + ".")
        base = mutant.rsplit("__mutmut_", 1)[0]
        original, changed = functions.get(base + "__mutmut_orig"), functions.get(mutant)
        if original is None or changed is None:
            found[name] = ["(not found in mutants/: run mutmut again)"]
            continue
        changed = changed.replace(mutant + "(", base + "__mutmut_orig(", 1)
        found[name] = [
            " ".join(line.split())
            for line in difflib.unified_diff(
                original.splitlines(), changed.splitlines(), lineterm="", n=0
            )
            if line[:1] in "+-" and not line.startswith(("---", "+++"))
        ]
    return found


def survivor_listing(survivors: dict[str, list[str]], explained: dict[str, tuple[str, str]]) -> str:
    """Markdown: per module, every surviving mutant with its change and its explanation."""
    out = [
        "# Surviving mutants",
        "",
        "Written by `python bench/mutation.py --report-only --survivors FILE` after the last run;",
        f"each survivor's explanation is from `{EXPLAINED.name}`.",
    ]
    for module, names in sorted(survivors.items()):
        out += ["", f"## {module} ({len(names)})", ""]
        for name, lines in changes(module, names).items():
            short = name.removeprefix(module + ".")
            kind, why = explained.get(name, ("UNEXPLAINED", ""))
            out.append(f"- `{short}`: " + " / ".join(f"`{line}`" for line in lines))
            out.append(f"  - {kind}{': ' + why if why else ''}")
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    main()
