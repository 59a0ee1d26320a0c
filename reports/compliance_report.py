"""The compliance audit report (감사 점검 보고서): findings from `compliance.service`, data from the owners' reads.

The findings, their words (message, subject, evidence, check title, rule text) come from the
compliance domain (`compliance.service.run_checks`, `compliance.labels`); the workbook's data
sheets come from the tables' owners (`budgeting.queries`, `program.delivery`, `core.audit`).
Nothing here writes SQL; the ledger and the audit log are streamed in chunks.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, date, datetime
from typing import Any

from core import audit
from core.db import Session
from core.i18n import Lang, format_date
from core.money import ratio
from core.timeutil import KST
from program import delivery as delivery_service
from program import service as program_service
from reports.document import Chart, Column, Document, Section, Series, Table
from reports.labels import Words, audit_action, label, yes_no
from reports.metadata import Progress, report_metadata

# Ledger rows fetched per query when streaming the workbook: 50k rows of SQLAlchemy Rows cost ~75 MB
# of peak memory at national scale, 10k about a fifth of it, for no measurable loss of speed.
LEDGER_CHUNK = 10_000
SEVERITIES = ("high", "medium", "low")


# --------------------------------------------------------------------------- the compliance domain's words


def _labels() -> Any:
    try:
        from compliance import labels
    except ImportError:  # the compliance domain has not published its labels module yet
        return None
    return labels


def _evidence_value(key: str, value: Any, lang: Lang) -> str:
    if isinstance(value, bool):
        return yes_no(value, lang)
    if isinstance(value, int) and key.endswith("_krw"):
        return f"{value:,}원" if lang == "ko" else f"{value:,} KRW"
    if isinstance(value, int):
        return f"{value:,}" if not key.endswith(("_id", "_number")) else str(value)
    if isinstance(value, date | datetime):
        return format_date(value, lang)
    return str(value)


def finding_texts(lang: Lang) -> tuple[Callable[[Any], str], Callable[[Any], str], Callable[[Any], list[str]]]:
    """(message, subject, evidence lines) of a finding in `lang`, from compliance.labels when it has them."""
    mod = _labels()
    message = getattr(mod, "finding_message", None)
    subject = getattr(mod, "finding_subject", None)
    field_label = getattr(mod, "field_label", None)
    field_value = getattr(mod, "field_value", None)

    def msg(f: Any) -> str:
        return message(f, lang) if message and getattr(f, "message_key", None) else f.message

    def subj(f: Any) -> str:
        return subject(f, lang) if subject and getattr(f, "subject_key", None) else (f.project_code or f.subject)

    def line(e: dict[str, Any]) -> str:
        if field_label and field_value:
            return "; ".join(f"{field_label(k, lang)}: {field_value(k, v, lang)}" for k, v in e.items())
        return "; ".join(f"{k}: {_evidence_value(k, v, lang)}" for k, v in e.items())

    def ev(f: Any) -> list[str]:
        return [line(e) for e in f.evidence]  # one evidence row a line, each value labelled, money exact

    return msg, subj, ev


def check_words(
    checks: dict[str, Any], lang: Lang, rules: Any = None
) -> tuple[Callable[[str], str], Callable[[str], str]]:
    """(title, rule text with the programme's rule values) of a check in `lang`, from compliance.labels."""
    mod = _labels()
    title = getattr(mod, "check_title", None)
    rule = getattr(mod, "check_rule_text", None)

    def t(check_id: str) -> str:
        if title:
            return str(title(check_id, lang))
        c = checks[check_id]
        return c.title_ko if lang == "ko" else c.title_en

    def r(check_id: str) -> str:
        return str(rule(check_id, lang, rules)) if rule else checks[check_id].rule

    return t, r


# --------------------------------------------------------------------------- the document


def compliance_document(
    session: Session,
    *,
    program_id: int | None,
    generated_by: str,
    today: date,
    workbook: bool,
    now: datetime | None = None,
    progress: Progress | None = None,
    evidence_per_finding: int = 20,
    lang: Lang = "ko",
) -> Document:
    """Compliance audit: findings by severity with their evidence; the workbook adds the underlying data.

    `workbook=True` adds the sheets of awards, budget lines, the ledger (streamed in chunks),
    hires, crowdsourcing, deliveries and the audit log. `program_id=None`: every programme.
    """
    from budgeting import queries as bq
    from compliance import service as compliance_service

    w = Words(lang)
    programs = (
        [program_service.get_program(session, program_id)]
        if program_id is not None
        else list(program_service.list_programs(session))
    )
    pids = [p.id for p in programs if p.id is not None]
    program = programs[0] if len(programs) == 1 else None
    scope = (
        program.name_ko
        if program and lang == "ko"
        else (program.name_en or program.name_ko)
        if program
        else w(
            f"전체 사업 ({programs[0].year}–{programs[-1].year}년)",
            f"all programmes {programs[0].year}–{programs[-1].year}",
        )
        if programs
        else ""
    )
    report = compliance_service.run_checks(session, today=today, program_id=program_id)
    checks = {c.id: c for c in compliance_service.list_checks()}
    title_of, rule_of = check_words(checks, lang, program.rules if program else None)
    message_of, subject_of, evidence_of = finding_texts(lang)
    awards = [a for pid in pids for a in bq.list_awards(session, program_id=pid, limit=1_000_000)[0]]
    project_of_award = {a.id: f"{a.project_code} {a.project_title}" for a in awards}

    def project(f: Any) -> str:
        """The project (code and title) of a finding, unless its target already names that project."""
        code = f.project_code or ""
        if code and subject_of(f).startswith(code):
            return w("(대상과 같음)", "(the target)")
        if f.award_id in project_of_award:
            return project_of_award[f.award_id]
        return code or "–"

    sev_label = getattr(_labels(), "severity_label", None)
    status_label = getattr(_labels(), "status_label", None)
    sev = {s: sev_label(s, lang) if sev_label else label("severity", s, lang) for s in SEVERITIES}
    status_cols = [
        Column("check", w("점검 번호", "Check"), "text", 0.7),
        Column("title", w("점검 항목", "Check"), "text", 3),
        Column("severity", w("심각도", "Severity"), "text", 0.8),
        Column("status", w("결과", "Result"), "text", 0.9),
        Column("findings", w("지적 건수", "Findings"), "int", 0.7),
        Column("rule", w("점검 기준", "Rule"), "text", 4.2),
    ]
    status_rows = [
        (
            o.check_id,
            title_of(o.check_id),
            sev[str(checks[o.check_id].severity)],
            status_label(o.status, lang) if status_label else label("report.check_status", o.status, lang),
            o.findings,
            rule_of(o.check_id),
        )
        for o in report.checks
    ]
    finding_cols = [
        Column("severity", w("심각도", "Severity"), "text", 0.7),
        Column("check", w("점검 번호", "Check"), "text", 0.7),
        Column("title", w("점검 항목", "Check"), "text", 1.8),
        Column("subject", w("대상", "Target"), "text", 1.6),
        Column("project", w("과제", "Project"), "text", 2.2),
        Column("amount", w("금액(원)", "Amount (KRW)"), "won", 1.1),
        Column("message", w("내용", "Finding"), "text", 4),
    ]

    def finding_row(f: Any) -> tuple[Any, ...]:
        return (
            sev[str(f.severity)],
            f.check_id,
            title_of(f.check_id),
            subject_of(f),
            project(f),
            f.amount_krw,
            message_of(f),
        )

    ev_cols = [
        Column("check", w("점검 번호", "Check"), "text", 0.7),
        Column("subject", w("대상", "Target"), "text", 1.6),
        Column("project", w("과제", "Project"), "text", 2),
        Column("evidence", w("증거", "Evidence"), "text", 7),
    ]

    def evidence_rows(findings: Sequence[Any], limit: int | None) -> list[tuple[Any, ...]]:
        return [(f.check_id, subject_of(f), project(f), line) for f in findings for line in evidence_of(f)[:limit]]

    counts = report.counts
    counts_text = w(
        f"중대 {counts['high']:,} · 주의 {counts['medium']:,} · 참고 {counts['low']:,} · 계 {report.total:,}",
        f"high {counts['high']:,} · medium {counts['medium']:,} · low {counts['low']:,} · total {report.total:,}",
    )
    day = format_date(today, lang)
    doc = Document(
        title=w("감사 점검 보고서", "Compliance audit report"),
        subtitle=f"{scope} · {w('기준일', 'as of')} {day}",
        meta=report_metadata(
            session,
            generated_by,
            program,
            now,
            lang=lang,
            extra=((w("범위", "Scope"), scope), (w("기준일", "As of"), day), (w("지적 건수", "Findings"), counts_text)),
        ),
        filename_stem=f"compliance-{program.year}" if program else "compliance-all",
        lang=lang,
    )
    doc.sections = [
        Section(
            w("1. 요약", "1. Summary"),
            paragraphs=[
                w(
                    f"점검 {len(report.checks)}개 항목, 지적 {report.total:,}건 (중대 {counts['high']:,}, "
                    f"주의 {counts['medium']:,}, 참고 {counts['low']:,}), 기준일 {day}",
                    f"{len(report.checks)} checks, {report.total:,} findings (high {counts['high']:,}, "
                    f"medium {counts['medium']:,}, low {counts['low']:,}). As of {day}.",
                )
            ],
            tables=[
                Table(
                    "checks",
                    w("점검 항목별 결과", "Result by check"),
                    status_cols,
                    status_rows,
                    sheet=w("점검 결과", "Checks"),
                )
            ],
            charts=[
                Chart(
                    "bar",
                    w("심각도별 지적 건수", "Findings by severity"),
                    [sev[k] for k in SEVERITIES],
                    [Series(w("지적 건수", "Findings"), [counts.get(k, 0) for k in SEVERITIES])],
                    y_label=w("지적 (건)", "Findings"),
                    value_labels=True,
                    bar_colors=("#c00000", "#ed7d31", "#a5a5a5"),
                )
            ],
        ),
    ]
    if not workbook:
        for s in SEVERITIES:
            sev_findings = [f for f in report.findings if f.severity == s]
            if not sev_findings:
                continue
            doc.sections.append(
                Section(
                    w(f"지적 사항: {sev[s]}", f"Findings: {sev[s]}"),
                    tables=[
                        Table(
                            f"findings_{s}",
                            w(f"지적 사항 ({len(sev_findings):,}건)", f"Findings ({len(sev_findings):,})"),
                            finding_cols,
                            [finding_row(f) for f in sev_findings],
                        ),
                        Table(
                            f"evidence_{s}",
                            w(
                                f"증거 (지적 사항당 최대 {evidence_per_finding}행)",
                                f"Evidence (at most {evidence_per_finding} rows a finding)",
                            ),
                            ev_cols,
                            evidence_rows(sev_findings, evidence_per_finding),
                        ),
                    ],
                )
            )
        return doc

    doc.sections.append(
        Section(
            w("2. 지적 사항", "2. Findings"),
            tables=[
                Table(
                    "findings",
                    w("지적 사항", "Findings"),
                    finding_cols,
                    (finding_row(f) for f in report.findings),
                    sheet=w("지적 사항", "Findings"),
                    row_count=len(report.findings),
                ),
                Table(
                    "evidence",
                    w("증거", "Evidence"),
                    ev_cols,
                    _stream_evidence(report.findings, subject_of, project, evidence_of),
                    sheet=w("증거", "Evidence"),
                ),
            ],
        )
    )
    doc.sections.append(
        Section(w("3. 근거 자료", "3. Data"), tables=_data_tables(session, pids, awards, today, progress, lang))
    )
    return doc


def _stream_evidence(
    findings: Sequence[Any],
    subject_of: Callable[[Any], str],
    project: Callable[[Any], str],
    evidence_of: Callable[[Any], list[str]],
) -> Iterator[tuple[Any, ...]]:
    for f in findings:
        subject, prj = subject_of(f), project(f)
        for line in evidence_of(f):
            yield f.check_id, subject, prj, line


def _kst(at: datetime | None) -> datetime | None:
    """A stored UTC timestamp as a Korean wall-clock datetime (a workbook cell has no time zone)."""
    if at is None:
        return None
    return (at if at.tzinfo else at.replace(tzinfo=UTC)).astimezone(KST).replace(tzinfo=None)


def _data_tables(
    session: Session, pids: list[int], awards: list[Any], today: date, progress: Progress | None, lang: Lang
) -> list[Table]:
    """The data behind the findings, programme after programme; the ledger, hires and audit log are streamed."""
    from budgeting import queries as bq

    w = Words(lang)
    fields = {
        f.code: (f.name_ko if lang == "ko" else f.name_en or f.name_ko) for f in program_service.list_fields(session)
    }
    total = w("합계", "Total")
    award_cols = [
        Column("id", w("협약 번호", "Award no."), "id"),
        Column("project", w("과제 코드", "Project code"), "text"),
        Column("title", w("과제명", "Project title"), "text", 2),
        Column("field", w("분야", "Field"), "text"),
        Column("call_type", w("공모 유형", "Call type"), "text"),
        Column("consortium", w("컨소시엄", "Consortium"), "text", 2),
        Column("grant", w("정부출연금(원)", "Grant (KRW)"), "won"),
        Column("matching", w("민간부담금(원)", "Matching (KRW)"), "won"),
        Column("budget", w("예산(원)", "Budget (KRW)"), "won"),
        Column("spent", w("집행액(원)", "Spent (KRW)"), "won"),
        Column("remaining", w("잔액(원)", "Remaining (KRW)"), "won"),
        Column("rate", w("집행률", "Execution rate"), "percent"),
        Column("start", w("협약 시작일", "Start"), "date"),
        Column("end", w("협약 종료일(연장 포함)", "End (with extensions)"), "date"),
        Column("status", w("상태", "Status"), "text"),
    ]
    award_rows = [
        (
            a.id,
            a.project_code,
            a.project_title,
            fields.get(a.field_code, a.field_code),
            label("call_type", a.call_type_code, lang),
            a.consortium_name,
            a.grant_krw,
            a.matching_krw,
            a.budget_krw,
            a.spent_krw,
            a.remaining_krw,
            a.execution_rate,
            a.start_date,
            a.current_end_date,
            label("award_status", a.status, lang),
        )
        for a in awards
    ]
    code_of = {a.id: a.project_code for a in awards}
    categories: dict[str, str] = {}

    def category(code: Any) -> str:
        key = str(getattr(code, "value", code))
        if key not in categories:
            categories[key] = label("cost_category", key, lang)
        return categories[key]

    line_cols = [
        Column("line", w("비목 번호", "Line no."), "id"),
        Column("award", w("협약 번호", "Award no."), "id"),
        Column("project", w("과제 코드", "Project code"), "text"),
        Column("category", w("비목", "Category"), "text"),
        Column("budget", w("예산(원)", "Budget (KRW)"), "won"),
        Column("spent", w("집행액(원)", "Spent (KRW)"), "won"),
        Column("remaining", w("잔액(원)", "Remaining (KRW)"), "won"),
        Column("rate", w("집행률", "Execution rate"), "percent"),
    ]
    line_rows = [
        (lid, aid, code_of.get(aid, ""), category(cat), b, s, b - s, ratio(s, b))
        for pid in pids
        for aid, lines in sorted(bq.line_spend(session, pid).items())
        for cat, (lid, b, s) in lines.items()
    ]

    ledger_cols = [
        Column("id", w("전표 번호", "Entry no."), "id"),
        Column("award", w("협약 번호", "Award no."), "id"),
        Column("project", w("과제 코드", "Project code"), "text"),
        Column("category", w("비목", "Category"), "text"),
        Column("date", w("집행일", "Date"), "date"),
        Column("amount", w("금액(원)", "Amount (KRW)"), "won"),
        Column("payee", w("지급처", "Payee"), "text", 2),
        Column("payee_bn", w("사업자등록번호", "Business reg. no."), "text"),
        Column("description", w("적요", "Description"), "text", 2),
        Column("evidence", w("증빙", "Evidence"), "text"),
        Column("reverses", w("취소 대상 전표", "Reverses entry"), "id"),
    ]
    n_ledger = sum(bq.ledger_count(session, pid) for pid in pids)

    def ledger_rows() -> Iterator[tuple[Any, ...]]:
        for chunk in (c for pid in pids for c in bq.iter_ledger_chunks(session, pid, LEDGER_CHUNK)):
            for r in chunk:
                yield (r[0], r[1], r[2], category(r[3]), *r[4:])

    def report_ledger(n: int) -> None:
        if progress:
            progress("ledger", n, n_ledger)

    orgs = {o.id: o.name for o in program_service.list_organizations(session, limit=10_000_000)[0]}
    hire_cols = [
        Column("id", w("고용 번호", "Hire no."), "id"),
        Column("award", w("협약 번호", "Award no."), "id"),
        Column("project", w("과제 코드", "Project code"), "text"),
        Column("person", w("인원 키", "Person key"), "text"),
        Column("org", w("소속기관", "Employer"), "text", 1.6),
        Column("role", w("직무", "Role"), "text"),
        Column("type", w("고용 형태", "Employment"), "text"),
        Column("start", w("계약 시작일", "Contract start"), "date"),
        Column("end", w("계약 종료일", "Contract end"), "date"),
        Column("full_time", w("전일제", "Full time"), "text"),
        Column("insurance", w("4대보험", "Social insurance"), "text"),
        Column("contract_ev", w("근로계약 증빙", "Contract evidence"), "text"),
        Column("insurance_ev", w("보험 증빙", "Insurance evidence"), "text"),
        Column("payroll_ev", w("급여 증빙", "Payroll evidence"), "text"),
        Column("counts", w("인정", "Counts"), "text"),
        Column("lacks", w("증빙 미비", "Lacks evidence"), "text"),
    ]
    yes, no = yes_no(True, lang), yes_no(False, lang)

    def hire_rows() -> Iterator[tuple[Any, ...]]:
        for a in awards:
            for h in bq.list_hires(session, a.id):
                yield (
                    h.id,
                    h.award_id,
                    a.project_code,
                    h.person_key,
                    orgs.get(h.org_id, "–"),
                    h.job_role,
                    label("employment_type", h.employment_type, lang),
                    h.contract_start,
                    h.contract_end,
                    yes if h.full_time else no,
                    yes if h.social_insurance else no,
                    h.evidence_contract,
                    h.evidence_insurance,
                    h.evidence_payroll,
                    yes if h.counts else no,
                    yes if h.lacks_evidence else no,
                )

    hc = {h.award_id: h for pid in pids for h in bq.hires_table(session, program_id=pid, as_of=today)}
    crowd_cols = [
        Column("award", w("협약 번호", "Award no."), "id"),
        Column("project", w("과제 코드", "Project code"), "text"),
        Column("planned_pay", w("계획 크라우드 지급(원)", "Planned crowd pay (KRW)"), "won"),
        Column("paid", w("지급액(원)", "Paid (KRW)"), "won"),
        Column("share", w("출연금 대비", "Share of grant"), "percent"),
        Column("planned_workers", w("계획 작업자", "Planned workers"), "int"),
        Column("workers", w("참여 작업자", "Workers"), "int"),
        Column("items", w("가공 건수", "Items"), "int"),
        Column("planned_hours", w("계획 교육시간", "Planned training hours"), "int"),
        Column("hours", w("교육시간", "Training hours"), "int"),
        Column("sessions", w("교육 횟수", "Sessions"), "int"),
        Column("required_hires", w("의무 고용", "Hires required"), "int"),
        Column("counted_hires", w("인정 고용", "Hires counted"), "int"),
    ]
    crowd_rows = [
        (
            c.award_id,
            code_of.get(c.award_id, ""),
            c.planned_crowd_payment_krw,
            c.crowd_paid_krw,
            c.crowd_share_of_grant,
            c.planned_crowd_workers,
            c.workers_engaged,
            c.items_labelled,
            c.planned_training_hours,
            c.training_hours,
            c.training_sessions,
            hc[c.award_id].required if c.award_id in hc else None,
            hc[c.award_id].counted if c.award_id in hc else None,
        )
        for pid in pids
        for c in bq.crowd_table(session, program_id=pid)
    ]
    dl_cols = [
        Column("name", w("데이터명", "Dataset"), "text", 2),
        Column("project", w("과제 코드", "Project code"), "text"),
        Column("field", w("분야", "Field"), "text"),
        Column("contracted", w("계약 물량", "Contracted volume"), "int"),
        Column("built", w("구축 물량", "Built volume"), "int"),
        Column("ratio", w("달성률", "Delivered"), "percent"),
        Column("result", w("품질검증 결과", "Verification result"), "text"),
        Column("verified", w("검증일", "Verified on"), "date"),
        Column("semantic_target", w("의미정확성 목표(%)", "Semantic accuracy target (%)"), "decimal"),
        Column("semantic", w("의미정확성(%)", "Semantic accuracy (%)"), "decimal"),
        Column("due", w("보완 기한", "Remediation due"), "date"),
        Column("remedied", w("보완일", "Remedied on"), "date"),
        Column("quality_state", w("품질 상태", "Quality state"), "text"),
        Column("open_due", w("개방 기한", "Opening due"), "date"),
        Column("opened", w("개방일", "Opened on"), "date"),
        Column("opening_state", w("개방 상태", "Opening state"), "text"),
    ]
    dl_rows = [
        (
            s.data_type_name,
            s.project_code,
            s.field_name_ko,
            s.contracted_volume,
            s.built_volume,
            s.delivered_ratio,
            label("quality_result", s.quality_result, lang) if s.quality_result else "",
            s.verified_date,
            s.semantic_target_pct,
            s.semantic_measured_pct,
            s.remediation_due_date,
            s.remedied_date,
            label("quality_state", s.quality_state, lang),
            s.open_due_date,
            s.opened_date,
            label("opening_state", s.opening_state, lang),
        )
        for pid in pids
        for s in delivery_service.delivery_statuses(session, today=today, program_id=pid)
    ]
    audit_cols = [
        Column("id", w("이벤트 번호", "Event no."), "id"),
        Column("at", w("시각 (한국시간)", "Time (KST)"), "datetime"),
        Column("actor", w("행위자", "Actor"), "text"),
        Column("action", w("행위", "Action"), "text"),
        Column("action_code", w("행위 코드", "Action code"), "text"),
        Column("entity", w("대상", "Entity"), "text"),
        Column("entity_id", w("대상 번호", "Entity no."), "id"),
        Column("reason", w("사유", "Reason"), "text", 2),
        Column("hash", w("해시", "Hash"), "text", 3),
    ]
    actions: dict[str, str] = {}

    def action_label(code: str) -> str:
        if code not in actions:
            actions[code] = audit_action(code, lang)
        return actions[code]

    def audit_rows() -> Iterator[tuple[Any, ...]]:
        for chunk in audit.iter_events(session):
            for ev_id, at, actor, action, etype, eid, reason, digest in chunk:
                yield (
                    ev_id,
                    _kst(at),
                    actor,
                    action_label(action),
                    action,
                    label("report.audit_entity", etype, lang),
                    int(eid) if eid and str(eid).isdigit() else eid,
                    reason,
                    digest,
                )

    return [
        Table("awards", w("협약", "Awards"), award_cols, award_rows, total_label=total, sheet=w("협약", "Awards")),
        Table(
            "budget_lines",
            w("비목별 예산·집행", "Budget lines"),
            line_cols,
            line_rows,
            total_label=total,
            sheet=w("비목별 예산", "Budget lines"),
        ),
        Table(
            "ledger",
            w("집행 원장", "Ledger"),
            ledger_cols,
            ledger_rows(),
            total_label=total,
            row_count=n_ledger,
            progress=report_ledger,
            sheet=w("집행 원장", "Ledger"),
        ),
        Table("hires", w("고용", "Hires"), hire_cols, hire_rows(), sheet=w("고용", "Hires")),
        Table(
            "crowdsourcing",
            w("크라우드소싱·교육", "Crowdsourcing and training"),
            crowd_cols,
            crowd_rows,
            total_label=total,
            sheet=w("크라우드소싱", "Crowdsourcing"),
        ),
        Table(
            "deliveries",
            w("산출물", "Deliveries"),
            dl_cols,
            dl_rows,
            total_label=total,
            sheet=w("산출물", "Deliveries"),
        ),
        Table("audit_log", w("감사 로그", "Audit log"), audit_cols, audit_rows(), sheet=w("감사 로그", "Audit log")),
    ]
