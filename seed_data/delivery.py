"""Seed step 4: delivery of the data types (monthly progress, TTA verification, AI Hub opening).

For every data type of an awarded project (status awarded or later, set by the
evaluation step) of a programme of year Y: items built May–December Y (a fifth extended
to February Y+1), a verification in March–June Y+1 and an opening due on 31 July Y+1.
About 47% of the 2020–2021 types miss a quality target (the 2024 audit), 20% in other
years; only a few of them are remedied on time. Nothing after `SEED_AS_OF` has happened.

Planted (ctx.plant): ``volume_shortfall`` (data type ids built below the programme's
delivery_min_ratio; one of them at 0.2% of its contract), ``quality_not_remedied``
(remedied after the deadline, or still open with the deadline passed by SEED_AS_OF),
``opened_late`` and ``not_opened`` (not opened and the due date passed by SEED_AS_OF).
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlmodel import Session, select

from core import audit
from core.money import split_largest_remainder
from program.delivery import DELIVERING_STATUSES
from program.delivery_models import DataOpening, DeliveryProgress, QualityVerification
from program.models import DataType, Program, Project
from seed_data.common import SEED_CLOCK, SeedContext, bulk_insert

SEED_AS_OF = date(2026, 9, 30)  # the seeded world's "now" for deliveries: later events have not happened
SYNTACTIC_TARGET = Decimal("99.5")  # 구문 정확성 목표 (%)
REMEDIATION_DAYS = 60


def _month_add(d: date, months: int) -> date:
    m = d.month - 1 + months
    return date(d.year + m // 12, m % 12 + 1, 1)


def _pct(x: float) -> Decimal:
    return Decimal(str(round(x, 3)))


def seed_delivery(session: Session, ctx: SeedContext) -> None:
    rng = ctx.rng("delivery")
    years = {p.id: p.year for p in session.exec(select(Program)).all()}
    types = session.exec(select(DataType.id, DataType.contracted_volume, DataType.modality, Project.id,
                                Project.program_id).join(Project, Project.id == DataType.project_id)
                         .where(Project.status.in_(DELIVERING_STATUSES))  # type: ignore[attr-defined]
                         .order_by(DataType.id)).all()

    main_types = [r[0] for r in types if r[4] == ctx.main_program_id]
    pick = random.Random(f"{ctx.seed}:delivery-plant")
    shortfall_ids = set(pick.sample(main_types, min(3, len(main_types))))
    tiny_id = min(shortfall_ids) if shortfall_ids else None

    progress: list[dict[str, Any]] = []
    verifications: list[dict[str, Any]] = []
    openings: list[dict[str, Any]] = []
    planted: dict[str, list[int]] = {"volume_shortfall": [], "quality_not_remedied": [], "opened_late": [],
                                     "not_opened": []}
    for dt_id, contracted, _modality, _proj_id, prog_id in ctx.bar(types, "delivery"):
        year = years[prog_id]
        # --- built volume, spread over the build months
        if dt_id == tiny_id:
            built = contracted * 2 // 1000  # 0.2% of the contract
        elif dt_id in shortfall_ids:
            built = contracted * rng.randint(700, 930) // 1000
        else:
            built = contracted * rng.randint(960, 1080) // 1000
        if dt_id in shortfall_ids:
            planted["volume_shortfall"].append(dt_id)
        n_months = 10 if rng.random() < 0.2 else 8
        months = [_month_add(date(year, 5, 1), i) for i in range(n_months)]
        weights = [Decimal(rng.randint(40, 140)) for _ in months]
        for m, n in zip(months, split_largest_remainder(built, weights), strict=True):
            if m <= SEED_AS_OF:
                progress.append({"id": len(progress) + 1, "data_type_id": dt_id, "month": m, "built_items": n,
                                 "recorded_at": SEED_CLOCK})

        # --- quality verification (TTA)
        verified = date(year + 1, 3, 1) + timedelta(days=rng.randrange(0, 120))
        if verified > SEED_AS_OF:
            continue
        fail_share = 0.47 if year in (2020, 2021) else 0.20
        failing = rng.random() < fail_share or dt_id == tiny_id
        semantic_target = _pct(rng.choice([80, 85, 88, 90, 92, 95]))
        if failing:
            result = "fail" if rng.random() < 0.4 else "conditional"
            if rng.random() < 0.5:
                syn = _pct(rng.uniform(96.0, 99.4))
                sem = semantic_target + _pct(rng.uniform(0, 4))
            else:
                syn = _pct(rng.uniform(99.5, 99.95))
                sem = semantic_target - _pct(rng.uniform(0.5, 12))
            due = verified + timedelta(days=REMEDIATION_DAYS)
            roll = rng.random()
            if roll < 0.06:
                remedied: date | None = due - timedelta(days=rng.randrange(0, 50))
            elif roll < 0.50:
                remedied = due + timedelta(days=rng.randrange(10, 400))
            else:
                remedied = None
            if remedied is not None and remedied > SEED_AS_OF:
                remedied = None
            status = "remedied" if remedied else "open"
            if (remedied is not None and remedied > due) or (remedied is None and SEED_AS_OF > due):
                planted["quality_not_remedied"].append(dt_id)
        else:
            result, due, remedied, status = "pass", None, None, "not_required"
            syn = _pct(rng.uniform(99.5, 99.98))
            sem = min(semantic_target + _pct(rng.uniform(0.2, 8)), Decimal("99.9"))
        verifications.append({
            "id": len(verifications) + 1, "data_type_id": dt_id, "verified_date": verified, "agency": "TTA",
            "result": result, "syntactic_target_pct": SYNTACTIC_TARGET, "syntactic_measured_pct": syn,
            "semantic_target_pct": semantic_target, "semantic_measured_pct": sem, "remediation_due_date": due,
            "remediation_status": status, "remedied_date": remedied, "note": None,
        })

        # --- opening on the data hub (AI Hub)
        open_due = date(year + 1, 7, 31)
        ready = remedied if failing else verified
        roll = rng.random()
        opened: date | None
        if ready is None:  # never remedied: opened anyway (on time or late), or held back
            opened = (open_due - timedelta(days=rng.randrange(0, 40)) if roll < 0.5
                      else open_due + timedelta(days=rng.randrange(180, 800)) if roll < 0.75 else None)
        elif roll < 0.85 and ready <= open_due:
            opened = max(ready, open_due - timedelta(days=45)) + timedelta(days=rng.randrange(0, 30))
            opened = min(opened, open_due)
        elif roll < 0.97:
            opened = max(ready, open_due) + timedelta(days=rng.randrange(30, 790))  # 1–26 months late
        else:
            opened = None
        if opened is not None and opened > SEED_AS_OF:
            opened = None
        if opened is not None and opened > open_due:
            planted["opened_late"].append(dt_id)
        elif opened is None and SEED_AS_OF > open_due:
            planted["not_opened"].append(dt_id)
        openings.append({"id": len(openings) + 1, "data_type_id": dt_id, "due_date": open_due,
                         "opened_date": opened, "hub": "AI Hub",
                         "url": f"https://aihub.or.kr/dataset/{dt_id}" if opened else None})

    bulk_insert(session, DeliveryProgress, progress)
    bulk_insert(session, QualityVerification, verifications)
    bulk_insert(session, DataOpening, openings)
    ctx.count("delivery_progress", len(progress))
    ctx.count("quality_verification", len(verifications))
    ctx.count("data_opening", len(openings))
    for key, ids in planted.items():
        ctx.plant(key, *ids)
    audit.record(session, audit.SYSTEM, "seed.delivery", "program", ctx.main_program_id,
                 after={"progress": len(progress), "verifications": len(verifications), "openings": len(openings),
                        "planted": {k: len(v) for k, v in planted.items()}, "as_of": SEED_AS_OF},
                 occurred_at=SEED_CLOCK + timedelta(days=3 * 365))
