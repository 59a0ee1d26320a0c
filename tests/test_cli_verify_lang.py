"""`main.py audit verify` and the account commands speak the operator's language (issue 13, "Korean first").

A guarded row is edited, another deleted, and the chain broken behind the application's back in the test
database; `audit verify` names each in Korean by default (no English word of the old sentences), in English
with `--lang en`, and `--json` keeps its English fields while adding the message key, parameters and text.
"""

from __future__ import annotations

import io
import json
import re
from typing import Any

import pytest
from sqlalchemy import text
from sqlmodel import Session, select

import main
from core.models import User
from tests.builders import make_user

# words of the English sentences that must not reach a Korean reader (table and column names may: they are
# what the operator types into SQL; the `main.py audit rebaseline` command in a hint is a command)
ENGLISH = re.compile(r"\b(recorded|deleted|inserted|edited|event|events|BROKEN|broken|intact|history|chain|"
                     r"content|outside|application|hint|line|log|guarded|rows?|problems?|checkpoint|now|"
                     r"validation|error|String|should|characters|pydantic)\b", re.IGNORECASE)
HANGUL = re.compile(r"[가-힣]")


@pytest.fixture(autouse=True)
def no_locale(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(name, raising=False)


def _verify(capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, str]:
    code = main.main([*extra[:2], "audit", "verify", *extra[2:]] if extra[:1] == ("--lang",)
                     else ["audit", "verify", *extra])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def _korean(output: str) -> None:
    assert HANGUL.search(output), output
    assert not ENGLISH.findall(output), (ENGLISH.findall(output), output)


def _sql(session: Session, statement: str, **params: Any) -> None:
    session.exec(text(statement).bindparams(**params))  # type: ignore[call-overload]
    session.commit()


def test_an_intact_history_is_reported_in_korean_then_english(session: Session,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    make_user(session)
    code, out = _verify(capsys)
    assert code == 0 and "기록 이상 없음" in out
    _korean(out)
    code, out = _verify(capsys, "--lang", "en")
    assert code == 0 and "history intact" in out and not HANGUL.search(out)


def test_an_edited_and_a_deleted_row_are_named_in_korean_and_english(session: Session,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    edited, gone = make_user(session, full_name="김하나"), make_user(session)
    _sql(session, "UPDATE app_user SET full_name = '박둘' WHERE id = :i", i=edited.id)
    _sql(session, "DELETE FROM app_user WHERE id = :i", i=gone.id)
    code, out = _verify(capsys)
    assert code == 1
    _korean(out)
    assert f"수정됨    app_user {edited.id}번 행: full_name: 기록 '김하나', 현재 '박둘' (" in out
    assert "번 이벤트의 기록과 비교)" in out
    assert f"삭제됨    app_user {gone.id}번 행: 시스템을 거치지 않고 지워졌습니다(마지막 기록: " in out
    assert "보호 대상 행: 표 " in out and "문제 2건" in out and "기록 손상 (" in out

    code, out = _verify(capsys, "--lang", "en")
    assert code == 1 and not HANGUL.search(out.replace("김하나", "").replace("박둘", ""))
    assert f"edited    app_user {edited.id}: full_name: recorded '김하나', now '박둘' (recorded by event " in out
    assert f"deleted   app_user {gone.id}: deleted outside the application (last recorded by event " in out
    assert "history BROKEN (" in out

    code, out = _verify(capsys, "--json")  # the machine's view: English fields kept, key + params + text added
    data = json.loads(out)
    assert code == 1 and data["ok"] is False and data["lang"] == "ko"
    assert data["summary"] == "history BROKEN: 2 row problem(s)" and data["summary_text"] == "기록 손상: 행 문제 2건"
    by_kind = {f["kind"]: f for f in data["findings"]}
    change = by_kind["edited"]
    assert change["detail"].startswith("full_name: recorded '김하나', now '박둘' (recorded by event ")
    assert change["message_key"] == "audit.finding.edited" and change["kind_text"] == "수정됨"
    assert change["params"]["changes"] == [{"message_key": "audit.change.value",
                                            "params": {"column": "full_name", "recorded": "김하나", "now": "박둘"},
                                            "text": "full_name: 기록 '김하나', 현재 '박둘'"}]
    assert change["text"] == f"full_name: 기록 '김하나', 현재 '박둘' ({change['event_id']}번 이벤트의 기록과 비교)"
    deleted = by_kind["deleted"]
    assert deleted["params"] == {"event": deleted["event_id"]} and deleted["message_key"] == "audit.finding.deleted"
    assert deleted["detail"] == f"deleted outside the application (last recorded by event {deleted['event_id']})"
    code, out = _verify(capsys, "--lang", "en", "--json")
    data = json.loads(out)
    assert data["lang"] == "en" and data["summary_text"] == data["summary"]
    assert {f["text"] for f in data["findings"]} == {f["detail"] for f in data["findings"]}


def test_a_broken_chain_is_named_in_korean_and_english(session: Session, capsys: pytest.CaptureFixture[str]) -> None:
    make_user(session)
    make_user(session)
    first = session.exec(text("SELECT MIN(id) FROM audit_event")).one()[0]  # type: ignore[call-overload]
    _sql(session, "UPDATE audit_event SET reason = 'rewritten' WHERE id = :i", i=first)
    code, out = _verify(capsys)
    assert code == 1
    _korean(out.replace("rewritten", ""))
    assert f"감사 체인 손상: 이벤트 {first}에서 내용이 저장된 해시와 맞지 않습니다(수정됨)" in out
    code, out = _verify(capsys, "--lang", "en")
    assert f"audit chain BROKEN at event {first}: content does not match its hash (edited)" in out
    code, out = _verify(capsys, "--json")
    chain = json.loads(out)["chain"]
    assert chain["problem"] == "content does not match its hash (edited)"  # English, as before
    assert chain["problem_message"] == {"message_key": "audit.chain.hash_mismatch", "params": {},
                                        "text": "내용이 저장된 해시와 맞지 않습니다(수정됨)"}


def test_the_api_renders_verification_in_the_readers_language(client: Any, session: Session) -> None:
    from core.models import Role
    from tests.builders import token_for

    auditor = make_user(session, Role.auditor)
    other = make_user(session)
    _sql(session, "DELETE FROM app_user WHERE id = :i", i=other.id)
    ko = client.get("/api/v1/audit/verify", headers=token_for(auditor)).json()
    en = client.get("/api/v1/audit/verify", headers={**token_for(auditor), "Accept-Language": "en"}).json()
    assert ko["lang"] == "ko" and ko["summary_text"] == "기록 손상: 행 문제 1건"
    assert ko["summary"] == en["summary"] == en["summary_text"] == "history BROKEN: 1 row problem(s)"
    [finding] = ko["findings"]
    assert finding["text"].startswith("시스템을 거치지 않고 지워졌습니다") and finding["kind_text"] == "삭제됨"
    assert en["findings"][0]["text"] == finding["detail"] == en["findings"][0]["detail"]


def test_create_user_with_a_short_username_prints_one_korean_line_and_creates_nothing(
        session: Session, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("a-long-enough-passphrase-77\n"))
    assert main.main(["create-user", "--username", "ab", "--role", "official", "--password-stdin"]) == 2
    err = capsys.readouterr().err
    assert err.strip() == "오류: 입력이 올바르지 않아 아무것도 바꾸지 않았습니다: 아이디: 3자 이상이어야 합니다"
    monkeypatch.setattr("sys.stdin", io.StringIO("a-long-enough-passphrase-77\n"))
    assert main.main(["--lang", "en", "create-user", "--username", "ab", "--role", "official",
                      "--password-stdin"]) == 2
    assert capsys.readouterr().err.strip() == ("error: invalid input, nothing changed: username: String should have "
                                               "at least 3 characters")
    assert session.exec(select(User).where(User.username == "ab")).first() is None
    assert session.exec(select(User)).all() == []


def test_password_prompts_are_korean_by_default(session: Session, capsys: pytest.CaptureFixture[str],
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    prompts: list[str] = []

    def getpass(prompt: str = "") -> str:
        prompts.append(prompt)
        return "a-long-enough-passphrase-77"

    monkeypatch.setattr(main.getpass, "getpass", getpass)
    assert main.main(["create-user", "--username", "x", "--role", "official"]) == 2  # refused after the prompt
    assert main.main(["--lang", "en", "create-user", "--username", "x", "--role", "official"]) == 2
    assert main.main(["set-password", "--username", "nobody"]) == 2
    assert main.main(["--lang", "en", "set-password", "--username", "nobody"]) == 2
    assert prompts == ["비밀번호: ", "password: ", "새 비밀번호: ", "new password: "]
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith("오류: ") and "아이디: " in err[0] and err[2] == "오류: 그 아이디의 사용자가 없습니다."
    assert session.exec(select(User)).all() == []


def test_key_file_and_rebaseline_refusals_are_korean_then_english(session: Session, tmp_path: Any,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "none.jsonl"
    assert main.main(["audit", "verify", "--checkpoint", str(missing)]) == 2
    assert capsys.readouterr().err.strip() == f"오류: 체크포인트 파일 {missing}가 없습니다"
    assert main.main(["--lang", "en", "audit", "verify", "--checkpoint", str(missing)]) == 2
    assert capsys.readouterr().err.strip() == f"error: checkpoint file {missing} does not exist"
    key = tmp_path / "k.pem"
    assert main.main(["audit", "keygen", "--out", str(key)]) == 0
    before = key.read_bytes()
    assert main.main(["audit", "keygen", "--out", str(key)]) == 2
    err = capsys.readouterr().err.strip().splitlines()[-1]
    assert err == f"오류: {key}가 이미 있습니다. 새 키를 만들면 지금까지의 체크포인트를 모두 확인할 수 없게 됩니다"
    assert key.read_bytes() == before  # not overwritten
    assert main.main(["audit", "rebaseline", "--added", "nosuch.col", "--reason", "이관"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("오류: 'nosuch.col'은(는) 보호 대상 표의 '표.열'이 아닙니다(보호 대상 표: ")
    assert main.main(["--lang", "en", "audit", "rebaseline", "--added", "nosuch.col", "--reason", "x"]) == 2
    assert capsys.readouterr().err.startswith("error: 'nosuch.col' is not TABLE.COLUMN of a guarded table (")
    from core.models import AuditEvent

    assert session.exec(select(AuditEvent)).all() == []  # nothing written


def test_sys01_evidence_reads_in_the_readers_language(session: Session) -> None:
    """The compliance page and reports show SYS-01's evidence through compliance.labels: Korean page, Korean."""
    from datetime import date

    from compliance import labels
    from compliance import service as compliance_service

    gone = make_user(session)
    _sql(session, "DELETE FROM app_user WHERE id = :i", i=gone.id)
    run = compliance_service.run_checks(session, today=date(2022, 1, 1))
    [finding] = [f for f in run.findings if f.check_id == "SYS-01"]
    heads, rows = labels.evidence_table(finding, "ko")
    detail = rows[0][heads.index("내용")]
    assert detail.startswith("시스템을 거치지 않고 지워졌습니다(마지막 기록: ")
    assert rows[0][heads.index("문제 유형")] == "기록 없이 삭제됨"
    heads, rows = labels.evidence_table(finding, "en")
    assert rows[0][heads.index("Detail")].startswith("deleted outside the application (last recorded by event ")


def test_a_report_footer_names_a_missing_key_in_korean(session: Session, monkeypatch: pytest.MonkeyPatch,
                                                       tmp_path: Any) -> None:
    from core.settings import get_settings
    from reports.service import checkpoint_line

    monkeypatch.setattr(get_settings(), "demo_mode", False)
    monkeypatch.setattr(get_settings(), "audit_key_file", str(tmp_path / "missing.key"))
    ko = checkpoint_line(session, "test", "ko")
    assert ko.startswith("감사 체크포인트를 기록하지 못했습니다: 감사 서명 키 ") and "does not exist" not in ko
    assert "does not exist" in checkpoint_line(session, "test", "en")
