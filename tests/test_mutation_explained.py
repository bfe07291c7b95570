"""The explanations of surviving mutants (``bench/mutation-explained.md``) stay readable and name
what exists: ``bench/mutation.py`` parses them; every module is one mutmut mutates, every function
is one of that module's, and a malformed line is refused with its line number."""

from __future__ import annotations

import ast
import importlib.util
import tomllib
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_mutation", ROOT / "bench" / "mutation.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _functions(module: str) -> set[str]:
    """Every function of ``module`` under mutmut's name for it (``x_f``, ``xǁClassǁmethod``)."""
    tree = ast.parse((ROOT / (module.replace(".", "/") + ".py")).read_text(encoding="utf-8"))
    names = {
        f"x_{n.name}" for n in tree.body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)
    }
    for cls in (n for n in tree.body if isinstance(n, ast.ClassDef)):
        for item in cls.body:
            if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef):
                names.add(f"xǁ{cls.name}ǁ{item.name}")
    return names


def test_mutmut_names_functions_and_methods_its_own_way() -> None:
    bench = _bench()
    assert bench.mutmut_key("parse") == "x_parse"
    assert bench.mutmut_key("_Reader.endnotes") == "xǁ_Readerǁendnotes"


def test_every_explanation_names_a_mutated_module_and_one_of_its_functions() -> None:
    bench = _bench()
    explained = bench.read_explained()
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    mutated = {
        p.removesuffix(".py").replace("/", ".") for p in config["tool"]["mutmut"]["only_mutate"]
    }
    # (the pypdf reader's 60 were dropped with it: the PDFium reader is to be measured anew)
    assert len(explained) > 400
    functions = {module: _functions(module) for module in mutated}
    for name, (kind, why) in explained.items():
        module = bench.module_of(name)
        function = name.removeprefix(module + ".").rsplit("__mutmut_", 1)[0]
        assert module in mutated, name
        assert function in functions[module], name
        assert kind in bench.KINDS and why.strip(), name


def test_a_malformed_explanation_is_refused_with_its_line(tmp_path: Path) -> None:
    bench = _bench()
    path = tmp_path / "explained.md"
    path.write_text(
        "## kzarchive.diff\n\n### _link_changes\n- 3, 5–7 (equivalent): fine\n- 9 (likely): no\n",
        encoding="utf-8",
    )
    with pytest.raises(SystemExit, match=r"explained.md:5: not "):
        bench.read_explained(path)
    path.write_text(
        "## kzarchive.diff\n\n### _link_changes\n- 3, 5–7 (gap): why\n", encoding="utf-8"
    )
    assert sorted(bench.read_explained(path)) == [
        f"kzarchive.diff.x__link_changes__mutmut_{n}" for n in (3, 5, 6, 7)
    ]
