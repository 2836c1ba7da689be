"""The architecture the project documents (docs/architecture.md), checked on the source."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).parent.parent
PARSING = ("bs4", "lxml", "feedparser", "matcher.normalize.text", "matcher.normalize.itdates",
           "matcher.normalize.amounts", "matcher.normalize.kinds", "matcher.normalize.language",
           "matcher.normalize.territory")  # fmt: skip
SQL = re.compile(r"\.execute(many)?\(|\bSELECT\s|\bINSERT\s+(OR\s+\w+\s+)?INTO\b|\bDELETE\s+FROM\b"
                 r"|\bUPDATE\s+\w+\s+SET\b|\bCREATE\s+(TABLE|INDEX)\b")  # fmt: skip


def sources(*folders: str) -> list[Path]:
    found = [p for folder in folders for p in (ROOT / folder).rglob("*.py")]
    return sorted(found) + [p for p in [ROOT / "app.py"] if p.exists()]


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            # `from matcher.store import ranking` imports the submodule
            names |= {f"{node.module}.{alias.name}" for alias in node.names}
    return names


def under(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


MODULES = {module_name(p): p for p in sources("matcher", "scrapers")}
GRAPH = {name: {i for i in imports(path)} for name, path in MODULES.items()}


def closure(start: str) -> set[str]:
    seen, todo = set(), [start]
    while todo:
        name = todo.pop()
        for imported in GRAPH.get(name, set()):
            if imported not in seen:
                seen.add(imported)
                todo.append(imported)
    return seen


def test_scrapers_use_only_models_errors_and_normalize_from_the_matcher_package():
    wrong = {
        (name, imported)
        for name in MODULES
        if under(name, "scrapers")
        for imported in GRAPH[name]
        if under(imported, "matcher")
        and not any(
            under(imported, p) for p in ("matcher.models", "matcher.errors", "matcher.normalize")
        )
    }
    assert wrong == set()


def test_only_the_jobs_and_the_cli_import_the_scrapers():
    importers = {
        name for name in MODULES
        if not under(name, "scrapers") and any(under(i, "scrapers") for i in GRAPH[name])
    }  # fmt: skip
    assert {n for n in importers if n != "matcher.jobs" and not under(n, "matcher.cli")} == set()


def test_nothing_under_matcher_imports_the_cli():
    importers = {
        name for name in MODULES
        if not under(name, "matcher.cli") and any(under(i, "matcher.cli") for i in GRAPH[name])
    }  # fmt: skip
    assert importers == set()


def test_the_store_pulls_in_no_html_or_italian_text_parsing():
    for name in [n for n in MODULES if under(n, "matcher.store")]:
        pulled = {i for i in closure(name) if any(under(i, p) for p in PARSING)}
        assert pulled == set(), name


def test_no_module_outside_the_store_executes_sql():
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in sources("matcher", "scrapers", "bench", "tools")
        if not under(module_name(path), "matcher.store")
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if SQL.search(line)
    ]
    assert offenders == []


def test_modules_stay_small():
    large = {
        str(path.relative_to(ROOT)): lines
        for path in sources("matcher", "scrapers")
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > 310
    }
    assert large == {}
