"""Proposal intake (제안서 일괄 접수): a template to download, and an import of proposals with their consortia.

The template (.xlsx) has one sheet per kind of row — 제안서 (one row a proposal) and 컨소시엄 구성원
(one row a member, joined by 제안서번호) — each with Korean headers and a sample row (its 제안서번호
starts with "예시" and is never imported), and a 작성 안내 sheet. The CSV variant is one flat table:
a row per member, the proposal's columns filled on its first row.

An import reads the whole file, checks every cell and every consortium rule, and writes nothing when
anything is wrong: the error lists each problem with its sheet, row, column and a Korean reason. The
same file (same SHA-256) is refused the second time. Organisations are matched by business number
(created when new). Progress is reported through a plain `progress(done, total)` callable, so a job
queue can relay it.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from core import audit
from core.audit import Actor
from core.db import lock_limit, lock_rows
from core.errors import Conflict, InvalidValue, RuleViolation, Term
from core.i18n import as_lang, code_label
from core.timeutil import utcnow
from core.uploads import MAX_CELLS, MAX_COLUMNS, MAX_SECONDS, Upload, _check_zip, _Deadline, _scan_parts
from program import lifecycle
from program.models import (
    BUSINESS_NUMBER_PATTERN,
    REGIONS,
    Consortium,
    ConsortiumMember,
    IntakeResult,
    MemberRole,
    Organization,
    OrgKind,
    Program,
    ProgramStatus,
    Project,
    ProjectStatus,
    Proposal,
    ProposalImport,
)

Progress = Callable[[int, int], None]

PROPOSAL_SHEET = "제안서"
MEMBER_SHEET = "컨소시엄 구성원"
GUIDE_SHEET = "작성 안내"
SAMPLE_PREFIX = "예시"
MONEY_MAX = 10**15

#: (key, Korean header, kind) of the proposal sheet, in order.
PROPOSAL_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("key", "제안서번호", "key"),
    ("project_code", "과제코드", "text"),
    ("title", "제안서 제목", "text"),
    ("consortium_name", "컨소시엄명", "name"),
    ("requested_grant_krw", "정부출연금 신청액(원)", "positive"),
    ("private_matching_krw", "민간부담금(원)", "won"),
    ("planned_direct_hires", "직접고용 계획(명)", "won"),
    ("planned_crowd_payment_krw", "크라우드소싱 지급 계획(원)", "won"),
    ("planned_crowd_workers", "크라우드 작업자 계획(명)", "won"),
    ("planned_training_hours", "교육 계획(시간)", "won"),
    ("planned_volume", "구축 물량 계획", "won"),
    ("vulnerable_hiring_plan", "취약계층 고용 계획(예/아니오)", "bool"),
)
#: (key, Korean header, kind) of the member sheet, in order.
MEMBER_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("key", "제안서번호", "key"),
    ("org_name", "기관명", "name"),
    ("business_number", "사업자등록번호", "bn"),
    ("org_kind", "기관 유형", "kind"),
    ("region", "지역", "region"),
    ("role", "역할", "role"),
    ("share_pct", "참여 비율(%)", "share"),
)

_SAMPLE_PROPOSAL = ("예시-1", "(과제코드)", "OO 데이터 구축 사업계획", "예시 컨소시엄", 1_900_000_000, 211_200_000,
                    46, 500_000_000, 300, 120, 100_000, "예")
_SAMPLE_MEMBERS = (("예시-1", "예시데이터(주)", "123-45-67890", code_label("org_kind", "sme", "ko"), "서울",
                    code_label("member_role", "lead", "ko"), 60),
                   ("예시-1", "예시대학교 산학협력단", "234-56-78901", code_label("org_kind", "university", "ko"),
                    "대전", code_label("member_role", "participant", "ko"), 40))
_BN = re.compile(BUSINESS_NUMBER_PATTERN)
_YES, _NO = {"예", "y", "yes", "true", "1", "o"}, {"아니오", "아니요", "n", "no", "false", "0", "x", ""}


def _code_choices(group: str, codes: list[str]) -> dict[str, str]:
    """Label (Korean or English) or code → code, for the cells of a coded column."""
    out: dict[str, str] = {}
    for c in codes:
        out[c] = c
        out[code_label(group, c, "ko")] = c
        out[code_label(group, c, "en").lower()] = c
    return out


# --------------------------------------------------------------------------- template


def template_xlsx() -> bytes:
    """The intake workbook: 제안서 and 컨소시엄 구성원 sheets (headers + a sample row) and a guide."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = PROPOSAL_SHEET
    ws.append([h for _, h, _ in PROPOSAL_COLUMNS])
    ws.append(list(_SAMPLE_PROPOSAL))
    members = wb.create_sheet(MEMBER_SHEET)
    members.append([h for _, h, _ in MEMBER_COLUMNS])
    for row in _SAMPLE_MEMBERS:
        members.append(list(row))
    for sheet in (ws, members):
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for col in sheet.columns:
            sheet.column_dimensions[col[0].column_letter].width = 22
    guide = wb.create_sheet(GUIDE_SHEET)
    for line in _guide_lines():
        guide.append([line])
    guide.column_dimensions["A"].width = 110
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def template_csv() -> bytes:
    """The flat CSV variant: one row per consortium member, the proposal's columns on its first row."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow([h for _, h, _ in PROPOSAL_COLUMNS] + [h for k, h, _ in MEMBER_COLUMNS if k != "key"])
    for i, member in enumerate(_SAMPLE_MEMBERS):
        first = list(_SAMPLE_PROPOSAL) if i == 0 else [_SAMPLE_PROPOSAL[0]] + [""] * (len(PROPOSAL_COLUMNS) - 1)
        writer.writerow(first + list(member[1:]))
    return buf.getvalue().encode("utf-8-sig")


def _guide_lines() -> list[str]:
    kinds = ", ".join(code_label("org_kind", k.value, "ko") for k in OrgKind)
    roles = ", ".join(code_label("member_role", r.value, "ko") for r in MemberRole)
    return [
        "제안서 일괄 접수 서식 작성 안내",
        f"1. '{PROPOSAL_SHEET}' 시트: 제안서 한 건이 한 행입니다. 제안서번호는 파일 안에서 겹치지 않게 적습니다.",
        f"2. '{MEMBER_SHEET}' 시트: 컨소시엄 구성원 한 기관이 한 행입니다. 제안서번호로 제안서와 연결됩니다.",
        "3. 제안서번호가 '예시'로 시작하는 행은 예시이므로 가져오지 않습니다. 지우거나 그대로 두어도 됩니다.",
        "4. 금액은 원 단위 정수로 적습니다(쉼표 없이). 과제코드는 접수 중인 과제의 코드입니다.",
        "5. 주관기관은 제안서마다 정확히 1개이며, 참여 비율을 적으면 합계가 100이어야 합니다.",
        f"6. 기관 유형: {kinds}",
        f"7. 역할: {roles}",
        f"8. 지역: {', '.join(REGIONS)}",
        "9. 파일 전체를 먼저 검사하며, 문제가 하나라도 있으면 아무것도 가져오지 않고 시트·행·열·사유를 알려 줍니다.",
        "10. 같은 파일은 두 번 가져올 수 없습니다.",
    ]


# --------------------------------------------------------------------------- reading


def _read_xlsx_sheets(upload: Upload, max_rows: int) -> dict[str, list[list[Any]]]:
    """Every sheet of the workbook by name, after core.uploads' safety checks (zip directory, XML scan)."""
    from openpyxl import load_workbook

    deadline = _Deadline(upload.filename, MAX_SECONDS)
    _check_zip(upload)
    _scan_parts(upload, max_rows, MAX_COLUMNS, MAX_CELLS, deadline)
    try:
        wb = load_workbook(io.BytesIO(upload.content), read_only=True, data_only=True, keep_links=False)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds on junk; each is the file's fault
        raise RuleViolation("intake.unreadable", field="file", reason=type(exc).__name__) from None
    try:
        out: dict[str, list[list[Any]]] = {}
        for ws in wb.worksheets:
            ws.reset_dimensions()
            out[ws.title.strip()] = [list(r[:MAX_COLUMNS]) for r in ws.iter_rows(values_only=True)]
        return out
    except Exception as exc:  # noqa: BLE001
        raise RuleViolation("intake.unreadable", field="file", reason=type(exc).__name__) from None
    finally:
        wb.close()


def _read_csv_sheets(upload: Upload, max_rows: int) -> dict[str, list[list[Any]]]:
    """The flat CSV split into the two sheets' tables (header rows rebuilt)."""
    from core.uploads import read_table

    table = read_table(upload, max_rows=max_rows)
    n_prop = len(PROPOSAL_COLUMNS)
    members_header = [h for _, h, _ in MEMBER_COLUMNS]
    proposals = [[h for _, h, _ in PROPOSAL_COLUMNS]]
    members = [members_header]
    expected = [h for _, h, _ in PROPOSAL_COLUMNS] + members_header[1:]
    if not table or [_text(v) for v in table[0][:len(expected)]] != expected:
        raise RuleViolation("intake.header", field="file", columns=", ".join(expected))
    for row in table[1:]:
        row = list(row) + [""] * (len(expected) - len(row))
        prop = row[:n_prop]
        if any(_text(v) for v in prop[1:]):
            proposals.append(prop)
        else:
            proposals.append([])  # keeps row numbers aligned with the file
        members.append([row[0], *row[n_prop:len(expected)]])
    return {PROPOSAL_SHEET: proposals, MEMBER_SHEET: members, "_csv": [[upload.filename]]}


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


# --------------------------------------------------------------------------- checking


@dataclass
class _Member:
    org_name: str
    business_number: str
    kind: str
    region: str
    role: str
    share_bp: int
    row: int


@dataclass
class _Proposal:
    key: str
    row: int
    values: dict[str, Any]
    members: list[_Member] = field(default_factory=list)


class _Problems:
    def __init__(self) -> None:
        self.items: list[dict[str, Any]] = []

    def add(self, sheet: str, row: int, column: str, key: str, **params: Any) -> None:
        # the reason keeps its key: the API renders it in the caller's language (core.http_errors), the
        # dashboard and the intake job in the page's (`problem_rows`)
        self.items.append({"sheet": sheet, "row": row, "column": column, "field": f"{sheet}.{column}",
                           "reason": InvalidValue(key, **params)})


def problem_rows(details: Any, lang: str | None) -> list[dict[str, Any]]:
    """An intake refusal's problems (sheet, row, column, reason) with each reason in `lang`, as plain JSON values."""
    if not isinstance(details, list):
        return []
    out: list[dict[str, Any]] = []
    for d in details:
        if isinstance(d, dict):
            reason = d.get("reason")
            out.append({**d, "reason": reason.render(as_lang(lang)) if isinstance(reason, InvalidValue)
                        else str(reason or "")})
    return out


def _check_header(sheets: dict[str, list[list[Any]]], name: str, columns: tuple[tuple[str, str, str], ...]) -> None:
    if name not in sheets:
        raise RuleViolation("intake.no_sheet", field="file", sheet=name)
    header = [_text(v) for v in (sheets[name][0] if sheets[name] else [])][:len(columns)]
    if header != [h for _, h, _ in columns]:
        raise RuleViolation("intake.header", field="file", columns=f"{name}: " + ", ".join(h for _, h, _ in columns))


def _cell(problems: _Problems, sheet: str, row: int, header: str, kind: str, raw: Any) -> Any:
    """The value of one cell, or None after recording why it is refused."""
    text = _text(raw)
    if kind in ("key", "name", "bn", "kind", "region", "role") and not text:
        problems.add(sheet, row, header, "intake.required")
        return None
    if kind in ("text", "name", "key") and len(text) > 200:
        problems.add(sheet, row, header, "intake.too_long", limit=200)
        return None
    if kind in ("won", "positive"):
        if text == "" and kind == "won":
            return 0
        digits = text.replace(",", "")
        if not digits.isascii() or not digits.isdigit() or len(digits) > 16 or int(digits) > MONEY_MAX:
            problems.add(sheet, row, header, "intake.integer" if kind == "won" else "intake.positive")
            return None
        if kind == "positive" and int(digits) <= 0:
            problems.add(sheet, row, header, "intake.positive")
            return None
        return int(digits)
    if kind == "bool":
        low = text.lower()
        if low in _YES:
            return True
        if low in _NO:
            return False
        problems.add(sheet, row, header, "intake.bool")
        return None
    if kind == "bn":
        if not _BN.match(text):
            problems.add(sheet, row, header, "intake.business_number")
            return None
    if kind == "share":
        if text == "":
            return 0
        try:
            pct = float(text.rstrip("%"))
        except ValueError:
            pct = -1
        if not 0 <= pct <= 100:
            problems.add(sheet, row, header, "intake.share")
            return None
        return round(pct * 100)
    return text


def _parse(session: Session, program: Program, sheets: dict[str, list[list[Any]]],
           problems: _Problems, progress: Progress | None = None) -> list[_Proposal]:
    is_csv = "_csv" in sheets
    prop_sheet = "CSV" if is_csv else PROPOSAL_SHEET
    member_sheet = "CSV" if is_csv else MEMBER_SHEET
    projects = {p.code: p for p in session.exec(select(Project).where(Project.program_id == program.id)).all()}
    kinds = _code_choices("org_kind", [k.value for k in OrgKind])
    roles = _code_choices("member_role", [r.value for r in MemberRole])
    proposals: dict[str, _Proposal] = {}
    n_rows = len(sheets[PROPOSAL_SHEET]) + len(sheets[MEMBER_SHEET]) - 2
    checked = 0

    def tick() -> None:
        nonlocal checked
        checked += 1
        if progress is not None and (checked % 50 == 0 or checked == n_rows):
            progress(checked, n_rows)

    for number, raw in enumerate(sheets[PROPOSAL_SHEET][1:], start=2):
        tick()
        if not raw or not any(_text(v) for v in raw):
            continue
        key = _text(raw[0])
        if key.startswith(SAMPLE_PREFIX):
            continue
        values: dict[str, Any] = {}
        ok = True
        for i, (name, header, kind) in enumerate(PROPOSAL_COLUMNS):
            value = _cell(problems, prop_sheet, number, header, kind, raw[i] if i < len(raw) else None)
            if value is None and kind != "text":
                ok = False
            values[name] = value if value is not None else ""
        code = values["project_code"]
        project = projects.get(code)
        if project is None:
            problems.add(prop_sheet, number, "과제코드", "intake.unknown_project", value=str(code)[:40])
            ok = False
        elif not lifecycle.accepts_proposals(ProjectStatus(project.status)):
            problems.add(prop_sheet, number, "과제코드", "intake.project_closed", value=code)
            ok = False
        if key in proposals:
            problems.add(prop_sheet, number, "제안서번호", "intake.duplicate_key", value=key[:40])
            continue
        if ok:
            proposals[key] = _Proposal(key=key, row=number, values=values)
        else:
            proposals[key] = _Proposal(key=key, row=-number, values=values)  # known key, refused row
    for number, raw in enumerate(sheets[MEMBER_SHEET][1:], start=2):
        tick()
        if not raw or not any(_text(v) for v in raw):
            continue
        key = _text(raw[0])
        if key.startswith(SAMPLE_PREFIX):
            continue
        cells: dict[str, Any] = {}
        ok = True
        for i, (name, header, kind) in enumerate(MEMBER_COLUMNS):
            value = _cell(problems, member_sheet, number, header, kind, raw[i] if i < len(raw) else None)
            ok = ok and value is not None
            cells[name] = value
        if not ok:
            continue
        if cells["org_kind"] not in kinds and cells["org_kind"].lower() not in kinds:
            problems.add(member_sheet, number, "기관 유형", "intake.kind",
                         allowed=", ".join(code_label("org_kind", k.value, "ko") for k in OrgKind))
            continue
        if cells["role"] not in roles and cells["role"].lower() not in roles:
            problems.add(member_sheet, number, "역할", "intake.role",
                         allowed=", ".join(code_label("member_role", r.value, "ko") for r in MemberRole))
            continue
        if cells["region"] not in REGIONS:
            problems.add(member_sheet, number, "지역", "intake.region", allowed=", ".join(REGIONS))
            continue
        target = proposals.get(key)
        if target is None:
            problems.add(member_sheet, number, "제안서번호", "intake.unknown_key", value=key[:40])
            continue
        target.members.append(_Member(
            org_name=cells["org_name"], business_number=cells["business_number"],
            kind=kinds.get(cells["org_kind"], kinds.get(cells["org_kind"].lower(), "")),
            region=cells["region"], role=roles.get(cells["role"], roles.get(cells["role"].lower(), "")),
            share_bp=cells["share_pct"], row=number))
    known = dict(session.execute(select(Organization.business_number, Organization.name)).all())
    in_file: dict[str, str] = {}
    for p in proposals.values():
        if p.row < 0:
            continue
        if not p.members:
            problems.add(prop_sheet, p.row, "제안서번호", "intake.no_members")
            continue
        leads = [m for m in p.members if m.role == MemberRole.lead.value]
        if len(leads) != 1:
            problems.add(member_sheet, p.members[0].row, "역할", "intake.lead_count", n=len(leads))
        seen: set[str] = set()
        for m in p.members:
            if m.business_number in seen:
                problems.add(member_sheet, m.row, "사업자등록번호", "intake.member_twice")
            seen.add(m.business_number)
            existing = known.get(m.business_number) or in_file.get(m.business_number)
            if existing is not None and existing != m.org_name:
                problems.add(member_sheet, m.row, "기관명", "intake.org_mismatch", existing=existing)
            in_file.setdefault(m.business_number, m.org_name)
        shares = sum(m.share_bp for m in p.members)
        if shares not in (0, 10000):
            problems.add(member_sheet, p.members[0].row, "참여 비율(%)", "intake.shares", total=f"{shares / 100:g}")
    return [p for p in proposals.values() if p.row > 0]


# --------------------------------------------------------------------------- import


def _checked(session: Session, program_id: int, upload: Upload, max_rows: int,
             progress: Progress | None) -> tuple[Program, list[_Proposal]]:
    """The programme (locked in a write session) and the file's proposals, every cell and rule checked."""
    name = (upload.filename or "").lower()
    program = lock_limit(session, Program, program_id)  # serialises with closing the call
    if program is None:
        raise RuleViolation("program.not_found", field="program_id", program_id=program_id)
    if ProgramStatus(program.status) != ProgramStatus.call_open:
        raise Conflict("program.not_open", field="status", status=Term("program_status", program.status))
    previous = session.exec(select(ProposalImport).where(ProposalImport.program_id == program_id,
                                                         ProposalImport.sha256 == upload.sha256)).first()
    if previous is not None:
        raise Conflict("intake.duplicate", field="file", day=previous.imported_at, import_id=previous.id)
    if name.endswith(".xlsx"):
        sheets = _read_xlsx_sheets(upload, max_rows)
        _check_header(sheets, PROPOSAL_SHEET, PROPOSAL_COLUMNS)
        _check_header(sheets, MEMBER_SHEET, MEMBER_COLUMNS)
    elif name.endswith(".csv"):
        sheets = _read_csv_sheets(upload, max_rows)
    else:
        raise RuleViolation("intake.type", field="file", name=upload.filename[:100])
    problems = _Problems()
    parsed = _parse(session, program, sheets, problems, progress)
    if problems.items:
        first = problems.items[0]
        raise RuleViolation("intake.invalid", field="file", details=problems.items[:500], n=len(problems.items),
                            first=InvalidValue("intake.cell", sheet=first["sheet"], row=first["row"],
                                               column=first["column"], reason=first["reason"]))
    if not parsed:
        raise RuleViolation("intake.no_rows", field="file")
    return program, parsed


def check_proposals(session: Session, program_id: int, upload: Upload, *, max_rows: int = 20_000,
                    progress: Progress | None = None) -> int:
    """Check an intake file without writing (a read session): how many proposals it would import.

    Raises what `import_proposals` would (every problem listed); `progress(done, total)` counts the rows
    checked. A job runs this first, outside the write transaction, so its progress can be stored while the
    file is read; `import_proposals` checks again under the lock (the state may have changed since).
    """
    return len(_checked(session, program_id, upload, max_rows, progress)[1])


def import_proposals(session: Session, actor: Actor, program_id: int, upload: Upload, *,
                     max_rows: int = 20_000, progress: Progress | None = None) -> IntakeResult:
    """Import the proposals, consortia and members of an intake file into a programme whose call is open.

    The whole file is checked first; any problem refuses it (422, every problem with sheet, row,
    column and a reason in the caller's language) and nothing is written. The same file twice → 409.
    One commit. Blocking: run it in a worker thread (or as a job, program/jobs.py). `progress(done, total)`
    counts the proposals written (inside the write transaction: on SQLite it must not write to the database).
    """
    _, parsed = _checked(session, program_id, upload, max_rows, None)
    total = len(parsed)
    if progress is not None:
        progress(0, total)
    projects = {p.code: p for p in session.exec(select(Project).where(Project.program_id == program_id)).all()}
    lock_rows(session, Project, [projects[p.values["project_code"]].id or 0 for p in parsed])
    orgs = {o.business_number: o for o in session.exec(select(Organization)).all()}
    new_orgs = 0
    ids: list[int] = []
    now = utcnow()
    for done, p in enumerate(parsed, start=1):
        for m in p.members:
            if m.business_number not in orgs:
                org = Organization(name=m.org_name, business_number=m.business_number, kind=OrgKind(m.kind),
                                   region=m.region)
                session.add(org)
                session.flush()
                orgs[m.business_number] = org
                new_orgs += 1
        lead = next(m for m in p.members if m.role == MemberRole.lead.value)
        consortium = Consortium(name=p.values["consortium_name"], lead_org_id=orgs[lead.business_number].id)
        session.add(consortium)
        session.flush()
        for m in p.members:
            session.add(ConsortiumMember(consortium_id=consortium.id, org_id=orgs[m.business_number].id,
                                         role=MemberRole(m.role), share_bp=m.share_bp))
        v = p.values
        proposal = Proposal(project_id=projects[v["project_code"]].id, consortium_id=consortium.id,
                            title=v["title"], requested_grant_krw=v["requested_grant_krw"],
                            private_matching_krw=v["private_matching_krw"],
                            planned_direct_hires=v["planned_direct_hires"],
                            planned_crowd_payment_krw=v["planned_crowd_payment_krw"],
                            planned_crowd_workers=v["planned_crowd_workers"],
                            planned_training_hours=v["planned_training_hours"], planned_volume=v["planned_volume"],
                            vulnerable_hiring_plan=bool(v["vulnerable_hiring_plan"]), submitted_at=now)
        session.add(proposal)
        session.flush()
        assert proposal.id is not None
        ids.append(proposal.id)
        if progress is not None:
            progress(done, total)
    record = ProposalImport(program_id=program_id, sha256=upload.sha256, filename=upload.filename[:255],
                            proposals=len(ids), organizations=new_orgs, consortia=len(ids),
                            first_proposal_id=ids[0], last_proposal_id=ids[-1], imported_by=actor.username)
    session.add(record)
    try:
        session.flush()
    except IntegrityError as exc:  # the same file imported concurrently
        session.rollback()
        raise Conflict("intake.duplicate", field="file", day=now, import_id=0) from exc
    audit.record(session, actor, "proposal.import", "proposal_import", record.id,
                 after={"file": upload.filename, "sha256": upload.sha256, "proposal_ids": ids,
                        "organizations_created": new_orgs})
    session.commit()
    assert record.id is not None
    return IntakeResult(import_id=record.id, filename=record.filename, sha256=record.sha256, proposals=len(ids),
                        organizations=new_orgs, consortia=len(ids), proposal_ids=ids)
