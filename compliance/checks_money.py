"""Checks of the money: agreement period, line budgets, indirect cap, round trips, labour per item, promises."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from compliance import rules
from compliance.checks_delivery import statuses
from compliance.models import Finding, Severity
from compliance.registry import Check, CheckContext, check

EVIDENCE_LIMIT = 500  # evidence rows kept per finding (the count and the sum cover them all)


def _refs(ctx: CheckContext, pid: int) -> dict[int, Any]:
    """Award id → the budgeting domain's award reference, for the programme (one read per run)."""
    from budgeting import queries

    return ctx.memo(f"award_refs:{pid}", lambda: {r.award_id: r for r in
                                                  queries.awards_by_project(ctx.session, pid).values()})


def _where(ref: Any, pid: int, award_id: int) -> dict[str, Any]:
    return {"program_id": pid, "award_id": award_id, "project_id": ref.project_id if ref else None}


def _in_scope(ctx: CheckContext, ref: Any) -> bool:
    return ctx.in_scope(ref.project_id if ref else None)


@check("MON-01", "협약기간 외 집행", "Spending outside the agreement period", Severity.high, domain="money",
       rule="every payment is dated within the award's agreement period (extensions included)")
def spending_outside_period(self: Check, ctx: CheckContext) -> Iterator[Finding]:
    from budgeting import queries

    for pid in ctx.program_ids:
        refs = _refs(ctx, pid)
        by_award: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
        for row in queries.entries_outside_period(ctx.session, pid):
            by_award[row[1]].append(row)
        for award_id, rows in by_award.items():
            ref = refs.get(award_id)
            if not _in_scope(ctx, ref):
                continue
            total = sum(int(r[3]) for r in rows)
            yield self.finding(
                ctx, "compliance.mon01", {"count": len(rows), "amount": total, "start": rows[0][6],
                                          "end": rows[0][7]},
                amount_krw=total, **_where(ref, pid, award_id), refs={"expenditure": [int(r[0]) for r in rows]},
                evidence=[{"entry": r[0], "spent_date": r[2], "amount": int(r[3]), "payee": r[4], "category": r[5],
                           "start": r[6], "end": r[7]} for r in rows[:EVIDENCE_LIMIT]])


@check("MON-02", "비목 예산 초과 집행", "Budget line overspent", Severity.high, domain="money",
       rule="spent on a budget line ≤ its budget (after approved transfers)")
def line_overrun(self: Check, ctx: CheckContext) -> Iterator[Finding]:
    from budgeting import queries

    for pid in ctx.program_ids:
        refs = _refs(ctx, pid)
        for award_id, lines in queries.line_spend(ctx.session, pid).items():
            over = [(cat, b, s) for cat, (_, b, s) in lines.items() if s > b]
            line_ids = [lid for _, (lid, b, s) in lines.items() if s > b]
            ref = refs.get(award_id)
            if not over or not _in_scope(ctx, ref):
                continue
            excess = sum(s - b for _, b, s in over)
            yield self.finding(
                ctx, "compliance.mon02", {"categories": [c for c, *_ in over], "amount": excess},
                amount_krw=excess, **_where(ref, pid, award_id), refs={"line": line_ids},
                evidence=[{"category": cat, "budget": b, "spent": s, "excess": s - b} for cat, b, s in over])


@check("MON-03", "간접비 한도 초과", "Indirect costs over the cap", Severity.medium, domain="money",
       rule="indirect costs spent ≤ indirect_cost_cap (5%) × direct costs spent")
def indirect_over_cap(self: Check, ctx: CheckContext) -> Iterator[Finding]:
    from budgeting import queries
    from budgeting import rules as brules

    for pid in ctx.program_ids:
        cap = ctx.rules(pid).indirect_cost_cap
        refs = _refs(ctx, pid)
        for award_id, lines in queries.line_spend(ctx.session, pid).items():
            spent = {cat: s for cat, (_, _, s) in lines.items()}
            excess = brules.indirect_excess_krw(spent, cap)
            ref = refs.get(award_id)
            if excess <= 0 or not _in_scope(ctx, ref):
                continue
            direct = sum(v for k, v in spent.items() if k != "indirect")
            cap_krw = brules.indirect_cost_cap_krw(direct, cap)
            values = {"indirect": spent.get("indirect", 0), "direct": direct, "cap": cap, "cap_krw": cap_krw,
                      "amount": excess}
            line = lines.get("indirect", (None,))[0]
            yield self.finding(ctx, "compliance.mon03", values, amount_krw=excess, **_where(ref, pid, award_id),
                               refs={"line": [line] if line else []},
                               evidence=[{k: v for k, v in values.items() if k != "amount"} | {"excess": excess}])


# A crowdsourcing platform that is a member is paid for crowd work by design; any other
# payment from an award to a member of its own consortium sends grant money back in.
LEGITIMATE_MEMBER_PAYMENTS = {("crowd_platform", "crowdsourcing")}


@check("MON-04", "컨소시엄 참여기관에 대한 지급 (환류 위험)", "Payments to a consortium member (round-trip risk)",
       Severity.high, domain="money",
       rule="no payee of an award shares a business number with a member of its consortium "
            "(except crowd work paid to a member crowdsourcing platform)")
def round_trip_payee(self: Check, ctx: CheckContext) -> Iterator[Finding]:
    from budgeting import queries

    for pid in ctx.program_ids:
        refs = _refs(ctx, pid)
        by_key: dict[tuple[int, str], list[tuple[Any, ...]]] = defaultdict(list)
        for row in queries.payments_to_members(ctx.session, pid):
            if (str(row[8]), str(row[6])) in LEGITIMATE_MEMBER_PAYMENTS:
                continue
            by_key[(row[1], row[5])].append(row)
        for (award_id, bn), rows in by_key.items():
            ref = refs.get(award_id)
            if not _in_scope(ctx, ref):
                continue
            total = sum(int(r[3]) for r in rows)
            payee = rows[0][4]
            yield self.finding(
                ctx, "compliance.mon04", {"payee": payee, "bn": bn, "count": len(rows), "amount": total},
                amount_krw=total, **_where(ref, pid, award_id), subject_key="compliance.subject.payee",
                subject_params={"payee": payee}, refs={"expenditure": [int(r[0]) for r in rows]},
                evidence=[{"entry": r[0], "spent_date": r[2], "amount": int(r[3]), "payee": r[4], "bn": r[5],
                           "category": r[6], "member_role": r[8]} for r in rows[:EVIDENCE_LIMIT]])


@check("LAB-01", "건당 인건비 이상치 (작업량 과다 계상 의심)", "Labour cost per delivered item far above the programme",
       Severity.high, domain="money", scope="programme",
       rule="labour-cost index = (labour spent ÷ items built) ÷ (award budget ÷ items contracted) ≤ Q3 + 3 × IQR "
            "of the programme's awards (Tukey far-out fence)")
def labour_per_item_outlier(self: Check, ctx: CheckContext) -> Iterator[Finding]:
    from budgeting import queries

    built_by_project: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for s in statuses(ctx):
        built_by_project[s.project_id][0] += s.built_volume
        built_by_project[s.project_id][1] += s.contracted_volume
    for pid in ctx.program_ids:
        lines = queries.line_spend(ctx.session, pid)
        per: list[tuple[Any, int, int, int, int, Decimal]] = []
        for ref in _refs(ctx, pid).values():
            award_lines = lines.get(ref.award_id, {})
            labour = award_lines.get("labour", (None, 0, 0))[2]
            budget = sum(b for _, b, _ in award_lines.values())
            built, contracted = built_by_project.get(ref.project_id, [0, 0])
            index = rules.labour_index(labour, built, budget, contracted)
            if index is not None and labour > 0:
                per.append((ref, labour, built, budget, contracted, index))
        values = [x[-1] for x in per]
        fence = rules.upper_fence(values, ctx.rules(pid).labour_outlier_iqr_factor)
        if fence is None:
            continue
        q1, median, q3 = rules.quartiles(values)
        for ref, labour, built, budget, contracted, index in per:
            if index > fence:
                per_item = rules.per_item(labour, built)
                price = rules.per_item(budget, contracted)
                yield self.finding(
                    ctx, "compliance.lab01", {"per_item": per_item, "price": price, "index": index,
                                              "median": median, "fence": fence},
                    amount_krw=labour, **_where(ref, pid, ref.award_id),
                    evidence=[{"labour": labour, "built": built, "per_item": per_item, "budget": budget,
                               "contracted": contracted, "price": price, "index": index, "q1": q1,
                               "median": median, "q3": q3, "fence": fence, "compared": len(per)}])


@check("CRD-01", "크라우드소싱·교육 약속 미이행", "Crowdsourcing or training far below the proposal",
       Severity.medium, domain="money",
       rule="after the award ends, crowd payments and training hours reach at least 50% of what the proposal "
            "promised (and was scored for)")
def promises_not_kept(self: Check, ctx: CheckContext) -> Iterator[Finding]:
    from budgeting import queries as bq

    for pid in ctx.program_ids:
        refs = _refs(ctx, pid)
        min_ratio = ctx.rules(pid).promise_min_ratio
        for row in bq.crowd_table(ctx.session, program_id=pid):
            ref = refs.get(row.award_id)
            if ref is None or ref.end_date >= ctx.today or not _in_scope(ctx, ref):
                continue
            crowd = rules.far_below_promise(row.crowd_paid_krw, row.planned_crowd_payment_krw, min_ratio)
            training = rules.far_below_promise(row.training_hours, row.planned_training_hours, min_ratio)
            if not (crowd or training):
                continue
            evidence: list[dict[str, Any]] = []
            for far, measure, promised, delivered in (
                    (crowd, "crowd_payment_krw", row.planned_crowd_payment_krw, row.crowd_paid_krw),
                    (training, "training_hours", row.planned_training_hours, row.training_hours)):
                if far:
                    evidence.append({"measure": measure, "promised": promised, "delivered": delivered,
                                     "ratio": (Decimal(delivered) / Decimal(promised)).quantize(Decimal("0.001"))})
            key = "compliance.crd01." + ("both" if crowd and training else "crowd" if crowd else "training")
            yield self.finding(
                ctx, key, {"crowd_paid": row.crowd_paid_krw, "crowd_promised": row.planned_crowd_payment_krw,
                           "training": row.training_hours, "training_promised": row.planned_training_hours},
                amount_krw=max(0, row.planned_crowd_payment_krw - row.crowd_paid_krw),
                **_where(ref, pid, row.award_id), evidence=evidence)
