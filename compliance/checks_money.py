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
    from budgeting import queries

    return ctx.memo(f"award_refs:{pid}", lambda: {r.award_id: r for r in
                                                  queries.awards_by_project(ctx.session, pid).values()})


def _entries(rows: list[tuple[Any, ...]], keys: tuple[str, ...]) -> list[dict[str, Any]]:
    return [dict(zip(keys, r, strict=True)) for r in rows[:EVIDENCE_LIMIT]]


@check("MON-01", "협약기간 외 집행", "Spending outside the agreement period", Severity.high, domain="money",
       rule="every payment is dated within the award's agreement period (extensions included)")
def spending_outside_period(self: Check, ctx: CheckContext) -> Iterator[Finding]:
    from budgeting import queries

    keys = ("expenditure_id", "award_id", "spent_date", "amount_krw", "payee_name", "category", "period_start",
            "period_end")
    for pid in ctx.program_ids:
        by_award: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
        for row in queries.entries_outside_period(ctx.session, pid):
            by_award[row[1]].append(row)
        refs = _refs(ctx, pid)
        for award_id, rows in by_award.items():
            ref = refs.get(award_id)
            total = sum(int(r[3]) for r in rows)
            yield self.finding(
                message=f"award {award_id}: {len(rows)} payment(s) of {total:,} KRW outside "
                        f"{rows[0][6]}..{rows[0][7]}",
                subject=f"award:{award_id}", program_id=pid, award_id=award_id, amount_krw=total,
                project_id=ref.project_id if ref else None, project_code=ref.project_code if ref else None,
                evidence=[{**e, "category": str(e["category"])} for e in _entries(rows, keys)])


@check("MON-02", "비목 예산 초과 집행", "Budget line overspent", Severity.high, domain="money",
       rule="spent on a budget line ≤ its budget (after approved transfers)")
def line_overrun(self: Check, ctx: CheckContext) -> Iterator[Finding]:
    from budgeting import queries

    for pid in ctx.program_ids:
        refs = _refs(ctx, pid)
        for award_id, lines in queries.line_spend(ctx.session, pid).items():
            over = [(cat, lid, b, s) for cat, (lid, b, s) in lines.items() if s > b]
            if not over:
                continue
            ref = refs.get(award_id)
            excess = sum(s - b for _, _, b, s in over)
            yield self.finding(
                message=f"award {award_id}: {', '.join(c for c, *_ in over)} overspent by {excess:,} KRW",
                subject=f"award:{award_id}", program_id=pid, award_id=award_id, amount_krw=excess,
                project_id=ref.project_id if ref else None, project_code=ref.project_code if ref else None,
                evidence=[{"award_id": award_id, "line_id": lid, "category": cat, "budget_krw": b, "spent_krw": s,
                           "excess_krw": s - b} for cat, lid, b, s in over])


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
            if excess <= 0:
                continue
            direct = sum(v for k, v in spent.items() if k != "indirect")
            ref = refs.get(award_id)
            yield self.finding(
                message=f"award {award_id}: indirect costs {spent.get('indirect', 0):,} KRW exceed "
                        f"{float(cap):.0%} of direct costs ({brules.indirect_cost_cap_krw(direct, cap):,} KRW) "
                        f"by {excess:,} KRW",
                subject=f"award:{award_id}", program_id=pid, award_id=award_id, amount_krw=excess,
                project_id=ref.project_id if ref else None, project_code=ref.project_code if ref else None,
                evidence=[{"award_id": award_id, "line_id": lines.get("indirect", (None,))[0],
                           "indirect_spent_krw": spent.get("indirect", 0), "direct_spent_krw": direct,
                           "cap": cap, "cap_krw": brules.indirect_cost_cap_krw(direct, cap), "excess_krw": excess}])


# A crowdsourcing platform that is a member is paid for crowd work by design; any other
# payment from an award to a member of its own consortium sends grant money back in.
LEGITIMATE_MEMBER_PAYMENTS = {("crowd_platform", "crowdsourcing")}


@check("MON-04", "컨소시엄 참여기관에 대한 지급 (환류 위험)", "Payments to a consortium member (round-trip risk)",
       Severity.high, domain="money",
       rule="no payee of an award shares a business number with a member of its consortium "
            "(except crowd work paid to a member crowdsourcing platform)")
def round_trip_payee(self: Check, ctx: CheckContext) -> Iterator[Finding]:
    from budgeting import queries

    keys = ("expenditure_id", "award_id", "spent_date", "amount_krw", "payee_name", "payee_business_number",
            "category", "member_org_id", "member_role")
    for pid in ctx.program_ids:
        by_key: dict[tuple[int, str], list[tuple[Any, ...]]] = defaultdict(list)
        for row in queries.payments_to_members(ctx.session, pid):
            if (str(row[8]), str(row[6])) in LEGITIMATE_MEMBER_PAYMENTS:
                continue
            by_key[(row[1], row[5])].append(row)
        refs = _refs(ctx, pid)
        for (award_id, bn), rows in by_key.items():
            ref = refs.get(award_id)
            total = sum(int(r[3]) for r in rows)
            yield self.finding(
                message=f"award {award_id}: {len(rows)} payment(s) of {total:,} KRW to {rows[0][4]} ({bn}), "
                        f"a member of the award's own consortium",
                subject=f"award:{award_id}/payee:{bn}", program_id=pid, award_id=award_id, amount_krw=total,
                project_id=ref.project_id if ref else None, project_code=ref.project_code if ref else None,
                evidence=[{**e, "category": str(e["category"]), "member_role": str(e["member_role"])}
                          for e in _entries(rows, keys)])


@check("LAB-01", "건당 인건비 이상치 (작업량 과다 계상 의심)", "Labour cost per delivered item far above the programme",
       Severity.high, domain="money",
       rule="labour-cost index = (labour spent ÷ items built) ÷ (award budget ÷ items contracted) ≤ Q3 + 3 × IQR "
            "of the programme's awards (Tukey far-out fence; see compliance/rules.py)")
def labour_per_item_outlier(self: Check, ctx: CheckContext) -> Iterator[Finding]:
    from budgeting import queries

    built_by_project: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for s in statuses(ctx):
        built_by_project[s.project_id][0] += s.built_volume
        built_by_project[s.project_id][1] += s.contracted_volume
    for pid in ctx.program_ids:
        lines = queries.line_spend(ctx.session, pid)
        per: list[tuple[Any, int, int, int, int, Decimal]] = []
        for ref in queries.awards_by_project(ctx.session, pid).values():
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
                yield self.finding(
                    message=f"award {ref.award_id} ({ref.project_code}): labour {labour / built:,.0f} KRW per item "
                            f"built against a contract price of {budget / contracted:,.0f} KRW per item "
                            f"(index {index}; programme median {median:.3f}, fence {fence:.3f})",
                    subject=f"award:{ref.award_id}", program_id=pid, award_id=ref.award_id,
                    project_id=ref.project_id, project_code=ref.project_code, amount_krw=labour,
                    evidence=[{"award_id": ref.award_id, "labour_spent_krw": labour, "items_built": built,
                               "labour_per_item_krw": rules.per_item(labour, built), "budget_krw": budget,
                               "items_contracted": contracted, "labour_index": index, "programme_q1": q1,
                               "programme_median": median, "programme_q3": q3, "fence": fence,
                               "awards_compared": len(per)}])


@check("CRD-01", "크라우드소싱·교육 약속 미이행", "Crowdsourcing or training far below the proposal",
       Severity.medium, domain="money",
       rule="after the award ends, crowd payments and training hours reach at least 50% of what the proposal "
            "promised (and was scored for)")
def promises_not_kept(self: Check, ctx: CheckContext) -> Iterator[Finding]:
    from budgeting import queries as bq

    for pid in ctx.program_ids:
        refs = _refs(ctx, pid)
        for row in bq.crowd_table(ctx.session, program_id=pid):
            ref = refs.get(row.award_id)
            if ref is None or ref.end_date >= ctx.today:
                continue
            evidence: list[dict[str, Any]] = []
            min_ratio = ctx.rules(pid).promise_min_ratio
            if rules.far_below_promise(row.crowd_paid_krw, row.planned_crowd_payment_krw, min_ratio):
                evidence.append({"award_id": row.award_id, "measure": "crowd_payment_krw",
                                 "promised": row.planned_crowd_payment_krw, "delivered": row.crowd_paid_krw})
            if rules.far_below_promise(row.training_hours, row.planned_training_hours, min_ratio):
                evidence.append({"award_id": row.award_id, "measure": "training_hours",
                                 "promised": row.planned_training_hours, "delivered": row.training_hours})
            if evidence:
                for e in evidence:
                    e["delivered_ratio"] = (Decimal(e["delivered"]) / Decimal(e["promised"])).quantize(Decimal("0.001"))
                yield self.finding(
                    message=f"award {row.award_id} ({ref.project_code}): "
                            + "; ".join(f"{e['measure']} {e['delivered']:,} of {e['promised']:,} promised"
                                        for e in evidence),
                    subject=f"award:{row.award_id}", program_id=pid, award_id=row.award_id,
                    project_id=ref.project_id, project_code=ref.project_code,
                    amount_krw=max(0, row.planned_crowd_payment_krw - row.crowd_paid_krw), evidence=evidence)
