"""Issue 11: compliance writes SQL over its own tables only; the other domains' reads are their functions."""

import ast
from pathlib import Path

import compliance
from compliance import models

OWN = {name for name in dir(models) if hasattr(getattr(models, name), "__table__")}
SQL_CALLS = {"select", "delete", "update", "insert", "text", "get", "exists"}


def sql_over_other_tables(source: str) -> list[str]:
    """`select(Award...)`, `session.get(Hire, …)`, `text(…)`: SQL whose first argument is not a compliance table."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        fn = node.func
        name = fn.attr if isinstance(fn, ast.Attribute) else getattr(fn, "id", "")
        if name not in SQL_CALLS:
            continue
        arg = node.args[0]
        if isinstance(arg, ast.Call) and getattr(arg.func, "id", "") == "col" and arg.args:
            arg = arg.args[0]
        target = arg.value.id if isinstance(arg, ast.Attribute) and isinstance(arg.value, ast.Name) \
            else getattr(arg, "id", None)
        if name == "text" or (target and target[:1].isupper() and target not in OWN):
            found.append(f"{node.lineno} {name}({target})")
    return found


def test_the_detector_sees_sql_over_another_domains_table():
    assert sql_over_other_tables("session.exec(select(Award.id).where(x))") == ["1 select(Award)"]
    assert sql_over_other_tables("session.get(AuditHead, 1)") == ["1 get(AuditHead)"]
    assert sql_over_other_tables("select(FindingSet.id)") == []


def test_compliance_queries_only_its_own_tables():
    root = Path(compliance.__file__).parent
    found = [f"{p.name}:{hit}" for p in sorted(root.glob("*.py"))
             for hit in sql_over_other_tables(p.read_text(encoding="utf-8"))]
    assert found == [], found
    assert not (root / "queries.py").exists()
