"""Checks of the employment obligation: the 2.4 rule, evidence of hires, the same person on two payrolls."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from compliance.models import Finding, Severity
from compliance.registry import Check, CheckContext, check


def _refs(ctx: CheckContext, pid: int) -> dict[int, Any]:
    from compliance.checks_money import _refs as refs

    return refs(ctx, pid)


@check("HIR-01", "직접고용 의무 미달 (2.4명/1억원)", "Direct hires below the 2.4 rule", Severity.medium,
       domain="employment",
       rule="counted direct hires ≥ ceil(hires_per_100m_krw × grant / 100,000,000) once the award period has ended")
def hires_below_rule(self: Check, ctx: CheckContext) -> Iterator[Finding]:
    from budgeting import queries as bq

    for pid in ctx.program_ids:
        refs = _refs(ctx, pid)
        for row in bq.hires_table(ctx.session, program_id=pid, as_of=ctx.today):
            ref = refs.get(row.award_id or 0)
            if ref is None or ref.end_date >= ctx.today or row.shortfall <= 0 or not ctx.in_scope(ref.project_id):
                continue
            yield self.finding(
                ctx, "compliance.hir01", {"counted": row.counted, "required": row.required,
                                          "shortfall": row.shortfall},
                program_id=pid, award_id=row.award_id, project_id=ref.project_id,
                evidence=[{"grant": row.grant_krw, "rate": ctx.rules(pid).hires_per_100m_krw,
                           "required": row.required, "counted": row.counted, "shortfall": row.shortfall,
                           "lacking": row.lacking_evidence}])


@check("HIR-02", "근로계약·4대보험 증빙 없는 고용", "Hires without contract or social-insurance evidence",
       Severity.high, domain="employment",
       rule="a direct hire in the award period has a labour contract, social-insurance enrolment and payroll on file")
def hires_without_evidence(self: Check, ctx: CheckContext) -> Iterator[Finding]:
    from budgeting import queries as bq
    from program.names import organization_names_for_checks

    for pid in ctx.program_ids:
        lacking = bq.hires_by_award(ctx.session, pid, lacking_evidence_only=True, as_of=ctx.today)
        orgs = organization_names_for_checks(ctx.session, {h.org_id for hs in lacking.values() for h in hs})
        for ref in _refs(ctx, pid).values():
            if not ctx.in_scope(ref.project_id):
                continue
            rows = []
            hires = lacking.get(ref.award_id, [])
            for h in hires:
                missing = [name for name, ok in (("contract", h.evidence_contract), ("social_insurance",
                           h.social_insurance and h.evidence_insurance), ("payroll", h.evidence_payroll)) if not ok]
                rows.append({"person": h.person_key, "org": orgs.get(h.org_id, "–"), "job_role": h.job_role,
                             "contract_start": h.contract_start, "contract_end": h.contract_end,
                             "missing": missing})
            if rows:
                yield self.finding(
                    ctx, "compliance.hir02", {"count": len(rows), "missing": rows[0]["missing"]},
                    program_id=pid, award_id=ref.award_id, project_id=ref.project_id, evidence=rows,
                    refs={"hire": [int(h.id) for h in hires]})


def _labeller(refs: dict[int, Any], names: dict[int, dict[int, tuple[str, str, str]]]) -> Any:
    def label(award_id: int) -> str:
        r = refs.get(award_id)
        n = names.get(r.program_id, {}).get(r.project_id) if r else None
        return f"{n[0]} {n[1]}" if n else "–"

    return label


@check("HIR-03", "동일인 이중 전일제 고용 (유령 직원 위험)", "Same person full-time on two awards at once",
       Severity.high, domain="employment", scope="programme",
       rule="one person key is employed full-time by at most one award at any time")
def same_person_two_awards(self: Check, ctx: CheckContext) -> Iterator[Finding]:
    from budgeting import queries as bq

    seen: set[tuple[int, int]] = set()
    for pid in ctx.program_ids:
        pairs = bq.overlapping_full_time_hires(ctx.session, pid)
        refs = bq.award_refs_for_checks(ctx.session, {p[2] for p in pairs} | {p[6] for p in pairs})
        names = {r.program_id: ctx.project_names(r.program_id) for r in refs.values()}
        label = _labeller(refs, names)
        for person, ha, aa, sa, ea, hb, ab, sb, eb in pairs:
            if (ha, hb) in seen:
                continue
            seen.add((ha, hb))
            overlap_days = (min(ea, eb) - max(sa, sb)).days + 1
            ref_a = refs.get(aa)
            yield self.finding(
                ctx, "compliance.hir03", {"person": person, "days": overlap_days, "project_a": label(aa),
                                          "project_b": label(ab)},
                program_id=pid, award_id=aa, other_award_id=ab,
                project_id=ref_a.project_id if ref_a and ref_a.program_id == pid else None,
                subject_key="compliance.subject.person", subject_params={"person": person},
                refs={"hire": [ha, hb]},
                evidence=[{"person": person, "project": label(aa), "contract_start": sa, "contract_end": ea},
                          {"person": person, "project": label(ab), "contract_start": sb, "contract_end": eb}])
