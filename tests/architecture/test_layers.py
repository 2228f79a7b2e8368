"""The layer order of ARCHITECTURE.md, checked on the source itself.

interfaces → pipeline → policy | audit | monitor | analytics → ingest | detect |
transform | vault → storage → core | errors. Imports go one way, downward; siblings
never import each other; only ``vault/`` touches the cryptography primitives; only
``interfaces/`` reads the environment.
"""

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "veil"

RANK = {
    "interfaces": 60,
    "testing": 60,
    "pipeline": 50,
    "policy": 40,
    "audit": 40,
    "monitor": 40,
    "analytics": 40,
    "evaluation": 40,
    "config": 35,
    "ingest": 30,
    "detect": 30,
    "transform": 30,
    "vault": 30,
    "storage": 20,
    "core": 10,
    "errors": 5,
    "__init__": 70,
    "data": 0,
}


def _modules() -> list[Path]:
    return sorted(p for p in SRC.rglob("*.py"))


def _part(path: Path) -> str:
    rel = path.relative_to(SRC)
    return rel.parts[0].removesuffix(".py")


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.extend(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.append(node.module)
    return names


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(SRC)))
def test_imports_flow_downward(path: Path) -> None:
    own = _part(path)
    assert own in RANK, f"{own} is not placed in the layer order"
    for name in _imports(path):
        if not name.startswith("veil.") or name == "veil":
            continue
        target = name.split(".")[1]
        if target == own:
            continue
        assert RANK[target] < RANK[own], f"{own} may not import {name}"


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(SRC)))
def test_only_vault_touches_crypto_primitives(path: Path) -> None:
    if _part(path) == "vault":
        return
    for name in _imports(path):
        assert not name.startswith("cryptography"), f"{path.name} imports {name}"


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(SRC)))
def test_only_interfaces_read_the_environment(path: Path) -> None:
    if _part(path) in {"interfaces", "testing"}:
        return
    source = path.read_text(encoding="utf-8")
    assert "os.environ" not in source, path.name
    assert "getenv" not in source, path.name
