"""The dependency rules of ARCHITECTURE.md are import-linter contracts (.importlinter), run by `make lint`.

Guards issue 11 ("The architecture enforces it"): programme below scoring and budgeting, domains never
importing the dashboard, the reports or the seed, no cycles between packages.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ["core", "program", "scoring", "budgeting", "compliance", "decisions", "opendata", "reports",
            "dashboard", "seed_data"]


def _lint(cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", "import sys; from importlinter.cli import lint_imports; "
                           "sys.exit(lint_imports(no_cache=True, no_logo=True))"],
                          cwd=cwd, capture_output=True, text=True, timeout=300)


def test_the_code_keeps_every_contract() -> None:
    """Issue 11: the repository's own imports keep the layers, the forbidden imports and the independence."""
    result = _lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def _fake_tree(tmp_path: Path, imports: dict[str, str]) -> Path:
    shutil.copy(ROOT / ".importlinter", tmp_path / ".importlinter")
    for pkg in PACKAGES:
        (tmp_path / pkg).mkdir()
        (tmp_path / pkg / "__init__.py").write_text("")
        (tmp_path / pkg / "mod.py").write_text(imports.get(pkg, ""))
    return tmp_path


def test_programme_importing_budgeting_is_refused(tmp_path: Path) -> None:
    """Issue 11: `program/service.py` importing `budgeting.rules` (as it did) breaks the layers contract."""
    result = _lint(_fake_tree(tmp_path, {"program": "import budgeting.mod\n"}))
    assert result.returncode == 1
    assert "program.mod -> budgeting.mod" in result.stdout


def test_a_domain_importing_the_seed_is_refused(tmp_path: Path) -> None:
    """Issue 11: a domain reading the seed (program.delivery did, at run time) breaks the forbidden contract."""
    result = _lint(_fake_tree(tmp_path, {"program": "import seed_data.mod\n"}))
    assert result.returncode == 1
    assert "program.mod -> seed_data.mod" in result.stdout


def test_siblings_importing_each_other_are_refused(tmp_path: Path) -> None:
    """Issue 11: no cycles between packages; reports and the dashboard stay independent of each other."""
    result = _lint(_fake_tree(tmp_path, {"reports": "import dashboard.mod\n"}))
    assert result.returncode == 1
    assert "reports.mod -> dashboard.mod" in result.stdout


def _imports(path: Path) -> set[str]:
    import ast

    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_the_composition_root_wires_by_explicit_imports() -> None:
    """Issue 11: routers, models and pages are imported by name in one place, none loaded from a string, and
    the app (server.py, schema.py) does not reach into the seed: the demo names it checks live in core.demo."""
    for name in ("server.py", "schema.py", "dashboard/app.py"):
        imported = _imports(ROOT / name)
        assert "importlib" not in imported, name
        assert not any(m == "seed_data" or m.startswith("seed_data.") for m in imported), name
    server = _imports(ROOT / "server.py")
    assert {"budgeting", "scoring", "program", "compliance", "reports", "decisions", "opendata"} <= server
