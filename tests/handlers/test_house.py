"""The layout of DESIGN.md §6, checked on the imports of every module."""

from __future__ import annotations

import ast
import dataclasses
import typing
from pathlib import Path

import pytest

from bot.services import Services
from tests.support import REPO

ROOT = {"bot/app.py", "bot/__main__.py", "bot/cli.py"}  # the composition root


def _modules(folder: str) -> list[Path]:
    return sorted((REPO / folder).rglob("*.py"))


def _imports(path: Path) -> set[str]:
    """Every project module the file imports (absolute names)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return {name for name in found if name.split(".")[0] in {"bot", "handlers", "storage"}}


def _name(path: Path) -> str:
    return path.relative_to(REPO).as_posix()


@pytest.mark.parametrize("path", _modules("handlers"), ids=_name)
def test_handlers_use_the_context_not_the_wiring(path: Path) -> None:
    wiring = ("bot.services", "bot.app", "bot.feeds", "bot.delivery", "bot.cli", "bot.__main__")
    assert [name for name in _imports(path) if name.startswith(wiring)] == []


@pytest.mark.parametrize("path", _modules("bot"), ids=_name)
def test_nothing_below_the_root_imports_handlers(path: Path) -> None:
    if _name(path) in ROOT:
        return
    assert [name for name in _imports(path) if name.startswith("handlers")] == []


@pytest.mark.parametrize("path", _modules("bot/text"), ids=_name)
def test_text_is_a_leaf(path: Path) -> None:
    assert [name for name in _imports(path) if not name.startswith("bot.text")] == []


@pytest.mark.parametrize("path", _modules("storage"), ids=_name)
def test_storage_imports_no_bot_but_its_leaves(path: Path) -> None:
    leaves = ("storage", "bot.text", "bot.config", "bot.errors")
    assert [name for name in _imports(path) if not name.startswith(leaves)] == []


def test_services_have_no_missing_parts() -> None:
    hints = typing.get_type_hints(Services)
    optional = [
        field.name
        for field in dataclasses.fields(Services)
        if type(None) in typing.get_args(hints[field.name])
    ]
    assert optional == []


def test_keyword_terms_come_from_the_text_leaves() -> None:
    from bot.delivery import planner
    from bot.text import keywords

    assert planner.keyword_term is keywords.keyword_term
    assert keywords.keyword_term("بالانسحاب") == keywords.keyword_term("الانسحاب")


def _handlers() -> list[tuple[str, ast.AsyncFunctionDef]]:
    found = []
    for path in _modules("handlers"):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.AsyncFunctionDef) and not node.name.startswith("_"):
                found.append((f"{_name(path)}::{node.name}", node))
    return found


@pytest.mark.parametrize(("name", "handler"), _handlers(), ids=[n for n, _ in _handlers()])
def test_handlers_are_thin_with_a_one_line_docstring(
    name: str, handler: ast.AsyncFunctionDef
) -> None:
    assert handler.end_lineno is not None
    assert handler.end_lineno - handler.lineno < 30
    docstring = ast.get_docstring(handler)
    assert docstring is not None
    assert "\n" not in docstring
