"""Checks of the employment obligation: the 2.4 rule, evidence of hires, the same person on two payrolls."""

from __future__ import annotations

from collections.abc import Iterator

from compliance.models import Finding, Severity
from compliance.registry import Check, CheckContext, check


@check("HIR-01", "직접고용 의무 미달 (2.4명/1억원)", "Direct hires below the 2.4 rule", Severity.medium,
       domain="employment",
       rule="counted direct hires ≥ ceil(hires_per_100m_krw × grant / 100,000,000) once the award period has ended")
def hires_below_rule(self: Check, ctx: CheckContext) -> Iterator[Finding]:
    from budgeting import queries as bq

    for pid in ctx.program_ids:
        refs = {r.award_id: r for r in bq.awards_by_project(ctx.session, pid).values()}
        for row in bq.hires_table(ctx.session, program_id=pid):
            ref = refs.get(row.award_id or 0)
            if ref is None or ref.end_date >= ctx.today or row.shortfall <= 0:
                continue
            yield self.finding(
                message=f"award {row.award_id} ({ref.project_code}): {row.counted} direct hires counted, "
                        f"{row.required} required (short by {row.shortfall})",
                subject=f"award:{row.award_id}", program_id=pid, award_id=row.award_id, project_id=ref.project_id,
                project_code=ref.project_code,
                evidence=[{"award_id": row.award_id, "grant_krw": row.grant_krw,
                           "rate_per_100m": ctx.rules(pid).hires_per_100m_krw, "required": row.required,
                           "counted": row.counted, "shortfall": row.shortfall,
                           "lacking_evidence": row.lacking_evidence}])


@check("HIR-02", "근로계약·4대보험 증빙 없는 고용", "Hires without contract or social-insurance evidence",
       Severity.high, domain="employment",
       rule="a direct hire in the award period has a labour contract, social-insurance enrolment and payroll on file")
def hires_without_evidence(self: Check, ctx: CheckContext) -> Iterator[Finding]:
    from budgeting import queries as bq

    for pid in ctx.program_ids:
        lacking = bq.hires_by_award(ctx.session, pid, lacking_evidence_only=True)
        for ref in bq.awards_by_project(ctx.session, pid).values():
            rows = []
            for h in lacking.get(ref.award_id, []):
                missing = [name for name, ok in (("contract", h.evidence_contract), ("social_insurance",
                           h.social_insurance and h.evidence_insurance), ("payroll", h.evidence_payroll)) if not ok]
                rows.append({"hire_id": h.id, "award_id": ref.award_id, "person_key": h.person_key,
                             "org_id": h.org_id, "job_role": h.job_role, "contract_start": h.contract_start,
                             "contract_end": h.contract_end, "missing": ", ".join(missing)})
            if rows:
                yield self.finding(
                    message=f"award {ref.award_id} ({ref.project_code}): {len(rows)} direct hire(s) without "
                            f"complete evidence ({rows[0]['missing']}…)",
                    subject=f"award:{ref.award_id}", program_id=pid, award_id=ref.award_id,
                    project_id=ref.project_id, project_code=ref.project_code, evidence=rows)


@check("HIR-03", "동일인 이중 전일제 고용 (유령 직원 위험)", "Same person full-time on two awards at once",
       Severity.high, domain="employment",
       rule="one person key is employed full-time by at most one award at any time")
def same_person_two_awards(self: Check, ctx: CheckContext) -> Iterator[Finding]:
    from budgeting import queries as bq

    seen: set[tuple[int, int]] = set()
    for pid in ctx.program_ids:
        for person, ha, aa, sa, ea, hb, ab, sb, eb in bq.overlapping_full_time_hires(ctx.session, pid):
            if (ha, hb) in seen:
                continue
            seen.add((ha, hb))
            overlap_days = (min(ea, eb) - max(sa, sb)).days + 1
            yield self.finding(
                message=f"person {person} is full-time on award {aa} and award {ab} for {overlap_days} "
                        f"overlapping days",
                subject=f"person:{person}", program_id=pid, award_id=aa,
                evidence=[{"person_key": person, "hire_id": ha, "award_id": aa, "contract_start": sa,
                           "contract_end": ea},
                          {"person_key": person, "hire_id": hb, "award_id": ab, "contract_start": sb,
                           "contract_end": eb}])
