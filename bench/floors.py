"""The floors the benchmarks compare the project against (issue 14).

`floor_app()` is a bare FastAPI application (no middleware, no authentication) whose endpoints
return the same rows as the project's list endpoints the fastest honest way FastAPI and pydantic
allow: the same SQL through SQLAlchemy Core on one pooled engine, the rows as dicts, serialised
once by pydantic-core (`to_json`, Rust) into a `Response`. It reads the SQLite file or PostgreSQL
database named by BENCH_DATABASE_URL.

`polars_execution()` is the floor of the national analytics: the ledger of every programme read
from the same SQLite file by connectorx (Rust) into polars and grouped by award and by month;
`polars_execution_rollup()` the same over spend_month, the monthly sums the project reads.
"""

from __future__ import annotations

import os
from decimal import Decimal
from typing import Any

SQL_AWARDS = """
SELECT a.id, a.program_id, a.project_id, p.code AS project_code, p.title_ko AS project_title, f.code AS field_code,
       c.code AS call_type_code, a.consortium_id, k.name AS consortium_name, a.envelope_id, a.grant_krw,
       a.matching_krw, a.start_date, a.end_date, a.current_end_date, a.status
FROM award a JOIN project p ON p.id = a.project_id JOIN core_field f ON f.id = p.field_id
JOIN call_type c ON c.id = p.call_type_id JOIN consortium k ON k.id = a.consortium_id
WHERE a.program_id = :program_id ORDER BY a.id LIMIT :limit OFFSET :offset"""

SQL_PROJECTS = """
SELECT p.id, p.program_id, p.code, p.field_id, f.code AS field_code, p.call_type_id, c.code AS call_type_code,
       p.title_ko, p.title_en, p.region, p.ceiling_krw, p.planned_volume, p.volume_unit, p.status
FROM project p JOIN core_field f ON f.id = p.field_id JOIN call_type c ON c.id = p.call_type_id
WHERE p.program_id = :program_id ORDER BY p.id LIMIT :limit OFFSET :offset"""

SQL_PROPOSALS = """
SELECT r.id, r.project_id, r.consortium_id, r.title, r.requested_grant_krw, r.private_matching_krw,
       r.planned_direct_hires, r.planned_crowd_payment_krw, r.planned_crowd_workers, r.planned_training_hours,
       r.planned_volume, r.vulnerable_hiring_plan, r.submitted_at, r.status
FROM proposal r JOIN project p ON p.id = r.project_id
WHERE p.program_id = :program_id ORDER BY r.id LIMIT :limit OFFSET :offset"""

SQL_POSTINGS = """
SELECT j.id, j.title, j.platform, j.pay_krw, j.pay_unit, j.open_date, j.close_date, f.code AS field_code,
       f.name_ko AS field_name_ko, j.region, p.title_ko AS project_title, j.apply_url, j.award_id, j.is_open
FROM job_posting j JOIN core_field f ON f.id = j.field_id JOIN award a ON a.id = j.award_id
JOIN project p ON p.id = a.project_id
WHERE a.program_id = :program_id ORDER BY j.id LIMIT :limit OFFSET :offset"""


def floor_app() -> Any:
    from fastapi import FastAPI, Response
    from pydantic_core import to_json
    from sqlalchemy import create_engine, text

    engine = create_engine(os.environ["BENCH_DATABASE_URL"], pool_size=8)
    app = FastAPI()

    @app.get("/health")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/awards")
    def awards(program_id: int, limit: int = 150, offset: int = 0) -> Response:
        params = {"program_id": program_id, "limit": limit, "offset": offset}
        with engine.connect() as con:
            items = [dict(r) for r in con.execute(text(SQL_AWARDS), params).mappings()]
            ids = [i["id"] for i in items]
            totals = {r[0]: (int(r[1]), int(r[2])) for r in con.execute(
                text("SELECT award_id, SUM(budget_krw), SUM(spent_krw) FROM budget_line "
                     f"WHERE award_id IN ({','.join(str(int(i)) for i in ids) or 'NULL'}) GROUP BY award_id"))}
            total = con.execute(text("SELECT COUNT(*) FROM award WHERE program_id = :program_id"),
                                params).scalar_one()
        for item in items:
            budget, spent = totals.get(item["id"], (0, 0))
            item.update(budget_krw=budget, spent_krw=spent, remaining_krw=budget - spent,
                        execution_rate=str(Decimal(spent) / Decimal(budget)) if budget else None)
        return Response(to_json({"items": items, "total": total}), media_type="application/json")

    def listing(sql: str, count_sql: str):  # type: ignore[no-untyped-def]
        def endpoint(program_id: int, limit: int = 150, offset: int = 0) -> Response:
            params = {"program_id": program_id, "limit": limit, "offset": offset}
            with engine.connect() as con:
                items = [dict(r) for r in con.execute(text(sql), params).mappings()]
                total = con.execute(text(count_sql), params).scalar_one()
            return Response(to_json({"items": items, "total": total}), media_type="application/json")
        return endpoint

    app.get("/projects")(listing(SQL_PROJECTS, "SELECT COUNT(*) FROM project WHERE program_id = :program_id"))
    app.get("/proposals")(listing(SQL_PROPOSALS, "SELECT COUNT(*) FROM proposal r JOIN project p ON "
                                                 "p.id = r.project_id WHERE p.program_id = :program_id"))
    app.get("/postings")(listing(SQL_POSTINGS, "SELECT COUNT(*) FROM job_posting j JOIN award a ON "
                                               "a.id = j.award_id WHERE a.program_id = :program_id"))

    @app.get("/summary")
    def summary(program_id: int) -> Response:
        p = {"program_id": program_id}
        with engine.connect() as con:
            prog = con.execute(text("SELECT id, year, name_ko, total_budget_krw FROM program WHERE id = :program_id"),
                               p).mappings().one()
            by_type = [dict(r) for r in con.execute(text(
                "SELECT c.code, c.name_ko, c.name_en, COUNT(p.id) AS projects, "
                "COALESCE(SUM(p.ceiling_krw), 0) AS ceiling_krw FROM call_type c LEFT JOIN project p "
                "ON p.call_type_id = c.id AND p.program_id = :program_id GROUP BY c.id, c.code, c.name_ko, "
                "c.name_en ORDER BY c.id"), p).mappings()]
            by_field = [dict(r) for r in con.execute(text(
                "SELECT f.code, f.name_ko, f.name_en, COUNT(p.id) AS projects, "
                "COALESCE(SUM(p.ceiling_krw), 0) AS ceiling_krw FROM core_field f LEFT JOIN project p "
                "ON p.field_id = f.id AND p.program_id = :program_id GROUP BY f.id, f.code, f.name_ko, "
                "f.name_en, f.sort_order ORDER BY f.sort_order"), p).mappings()]
            proposals = con.execute(text("SELECT COUNT(*) FROM proposal r JOIN project p ON p.id = r.project_id "
                                         "WHERE p.program_id = :program_id"), p).scalar_one()
            orgs = con.execute(text("SELECT COUNT(*) FROM organization")).scalar_one()
        body = {**prog, "projects": sum(r["projects"] for r in by_type), "projects_by_call_type": by_type,
                "projects_by_field": by_field, "sum_of_ceilings_krw": sum(r["ceiling_krw"] for r in by_type),
                "proposals": proposals, "organizations": orgs}
        return Response(to_json(body), media_type="application/json")

    return app


def polars_execution(path: str) -> tuple[Any, Any]:
    """Spending of every programme by award and by month: the national analytics' floor."""
    import polars as pl

    ledger = pl.read_database_uri("SELECT program_id, award_id, spent_date, amount_krw FROM expenditure",
                                  f"sqlite://{path}", engine="connectorx")
    ledger = ledger.with_columns(pl.col("spent_date").cast(pl.Utf8).str.slice(0, 7).alias("month"))
    by_award = ledger.group_by("program_id", "award_id").agg(pl.col("amount_krw").sum())
    by_month = ledger.group_by("program_id", "month").agg(pl.col("amount_krw").sum()).sort("program_id", "month")
    return by_award, by_month


def polars_execution_rollup(path: str) -> tuple[Any, Any]:
    """The same two groupings from spend_month, the ledger's monthly sums the project reads (the floor on the
    rows the project reads: connectorx reads the table, polars groups it)."""
    import polars as pl

    sums = pl.read_database_uri("SELECT program_id, award_id, month, amount_krw FROM spend_month",
                                f"sqlite://{path}", engine="connectorx")
    by_award = sums.group_by("program_id", "award_id").agg(pl.col("amount_krw").sum())
    by_month = sums.group_by("program_id", "month").agg(pl.col("amount_krw").sum()).sort("program_id", "month")
    return by_award, by_month
