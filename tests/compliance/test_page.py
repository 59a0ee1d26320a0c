"""The compliance page over the seeded programme: stored findings of the scope, Korean words, exact won, freshness."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.engine import Engine

from dashboard import data
from dashboard.pages import compliance as page
from tests.dashboard.conftest import live_db, on_unit_db, unit_db  # noqa: F401  (the seeded dashboard database)


def texts(component: Any) -> str:
    if component is None:
        return ""
    if isinstance(component, str | int | float):
        return str(component)
    if isinstance(component, list | tuple):
        return " ".join(texts(c) for c in component)
    return texts(getattr(component, "children", None))


def test_grid_shows_project_messages_and_exact_won(on_unit_db: Engine) -> None:  # noqa: F811
    pid, as_of = data.scope({})
    scope = {"program": pid, "as_of": as_of.isoformat() if as_of else None}
    tiles, _, rows, alt = page.update_with_alt(None, "", "", "ko", scope)
    report = data.findings_report(pid, as_of)
    assert len(rows) == report.total > 0 and "DLV-02" in texts(alt)
    assert {r["severity"] for r in rows} <= {"중대", "주의", "참고"}
    money = next(r for r in rows if r["check_id"] == "MON-01")
    f = next(f for f in report.findings if f.check_id == "MON-01")
    assert money["amount_krw"] == f.amount_krw  # a number; the grid formats it as exact won
    assert money["project"] == f"{f.project_code} {f.project_title}" and money["title"] == "협약기간 외 집행"
    assert f"{f.amount_krw:,}원" in money["message"]
    assert all("_id" not in r["message"] and "award " not in r["message"] for r in rows)
    en = page.update_with_alt(None, "high", "", "en", scope)[2]
    assert en and all(r["severity"] == "High" for r in en)
    assert page.column_defs("ko")[3]["headerName"] == "과제" and page.column_defs("ko")[2]["headerName"] == "점검 항목"


def test_evidence_is_label_and_value(on_unit_db: Engine) -> None:  # noqa: F811
    pid, as_of = data.scope({})
    scope = {"program": pid, "as_of": as_of.isoformat() if as_of else None}
    _, _, rows, _ = page.update_with_alt(None, "", "MON-04", "ko", scope)
    shown = texts(page.evidence(None, [{"idx": rows[0]["idx"]}], "ko", scope))
    assert "지급처" in shown and "사업자등록번호" in shown and "원" in shown and "payee" not in shown
    assert "크라우드소싱" not in shown or "crowd_platform" not in shown
    assert "위 목록에서" in texts(page.evidence(None, [{"idx": 10**6}], "ko", scope))
    assert "위 목록에서" in texts(page.evidence(None, [{"idx": "x"}], "ko", scope))


def test_scope_and_freshness(on_unit_db: Engine) -> None:  # noqa: F811
    pid, as_of = data.scope({})
    line = texts(page.freshness_line(pid, as_of, "ko"))
    assert "점검 결과 계산" in line and "이후 변경 없음" in line
    other = date(2022, 6, 30)  # another as-of date: its own stored set, judged on that day
    later = data.findings_report(pid, other)
    assert later.as_of == other and later.total != data.findings_report(pid, as_of).total
    page_ko = texts(page.layout(None, "ko", {"program": str(pid), "as_of": other.isoformat()}))
    assert "기준일 2022. 6. 30." in page_ko
