"""Signed checkpoints kept outside the database (issue 10): the log must extend each one.

The reproductions of the issue: an event appended with its hash recomputed and the head
updated, an old event edited with every later hash recomputed, the last events deleted and
the head adjusted, every event and the head deleted — each passed `audit verify` before.
Each is now detected against a checkpoint file, and the first checkpoint contradicted is named.
"""

from __future__ import annotations

import json
import os
import stat
from datetime import datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlmodel import Session, select

from core import audit, checkpoint
from core.audit import Actor
from core.models import AuditEvent, AuditHead
from core.settings import Settings, get_settings


@pytest.fixture
def key(tmp_path: Path) -> checkpoint.Ed25519PrivateKey:
    return checkpoint.keygen(str(tmp_path / "audit.key"))


@pytest.fixture
def cp_file(tmp_path: Path) -> Path:
    return tmp_path / "checkpoints.jsonl"


def _settings(cp_file: Path, tmp_path: Path) -> Settings:
    return Settings(audit_checkpoint_file=str(cp_file), audit_key_file=str(tmp_path / "audit.key"))


def _events(session: Session, n: int, start: int = 0) -> None:
    for i in range(start, start + n):
        audit.record(session, Actor("alice", "official", 1), "thing.update", "thing", i, after={"v": i, "이름": "한글"})
        session.commit()


def _checkpoint(session: Session, cp_file: Path, tmp_path: Path, key: checkpoint.Ed25519PrivateKey,
                note: str = "test") -> checkpoint.Checkpoint:
    return checkpoint.write(session, note=note, settings=_settings(cp_file, tmp_path), key=key)


def _verify(session: Session, cp_file: Path, key: checkpoint.Ed25519PrivateKey) -> audit.HistoryReport:
    session.commit()
    return audit.verify_history(session, checkpoints=str(cp_file), public_key=key.public_key())


def _rechain(session: Session) -> None:
    """What an attacker with write access does after changing events: recompute every hash and the head."""
    prev = audit.GENESIS_HASH
    rows = session.exec(select(AuditEvent).order_by(AuditEvent.id)).all()  # type: ignore[arg-type]
    for ev in rows:
        ev.prev_hash = prev
        ev.hash = f"placeholder{ev.id:053d}"  # unique placeholders first: the column is unique
    session.flush()
    for ev in rows:
        ev.hash = audit.event_hash(prev_hash=prev, occurred_at=ev.occurred_at, actor=ev.actor, action=ev.action,
                                   entity_type=ev.entity_type, entity_id=ev.entity_id, before_json=ev.before_json,
                                   after_json=ev.after_json, reason=ev.reason)
        ev.prev_hash = prev
        prev = ev.hash
        session.add(ev)
        session.flush()
    head = session.get(AuditHead, 1)
    assert head is not None
    head.last_hash, head.event_count, head.last_event_id = prev, len(rows), rows[-1].id if rows else None
    session.add(head)
    session.commit()


def _setup(session: Session, cp_file: Path, tmp_path: Path, key: checkpoint.Ed25519PrivateKey) -> list[int]:
    """5 events, checkpoint #1; 5 more, checkpoint #2."""
    _events(session, 5)
    _checkpoint(session, cp_file, tmp_path, key)
    _events(session, 5, start=5)
    _checkpoint(session, cp_file, tmp_path, key)
    return [e for e in session.exec(select(AuditEvent.id).order_by(AuditEvent.id)).all()]  # type: ignore[arg-type]


def test_the_log_extends_its_checkpoints(session: Session, cp_file: Path, tmp_path: Path, key) -> None:
    _setup(session, cp_file, tmp_path, key)
    _events(session, 3, start=10)
    report = _verify(session, cp_file, key)
    assert report.ok, report.checkpoints.summary()
    assert report.checkpoints.checked == 2 and report.checkpoints.newest.events == 10
    lines = cp_file.read_text().splitlines()
    assert [json.loads(x)["seq"] for x in lines] == [1, 2]


def _first(report: audit.HistoryReport) -> str:
    assert not report.ok
    assert report.checkpoints is not None and not report.checkpoints.ok
    first = report.checkpoints.first_contradicted
    assert first is not None
    return first.detail


def test_event_inserted_with_recomputed_hashes_and_head(session: Session, cp_file, tmp_path, key) -> None:
    """An event slipped in before the newest checkpoint, every hash recomputed and the head updated:
    the chain alone is fooled, checkpoint #2 is not."""
    ids = _setup(session, cp_file, tmp_path, key)
    session.exec(text("UPDATE audit_event SET id = id + 100 WHERE id > :i").bindparams(i=ids[5]))  # type: ignore[call-overload]
    session.exec(text("INSERT INTO audit_event (id, occurred_at, actor, action, entity_type, entity_id, prev_hash, "  # type: ignore[call-overload]
                      "hash) VALUES (:i, :t, 'mallory', 'thing.update', 'thing', '99', '', 'y')")
                 .bindparams(i=ids[5] + 1, t=datetime(2021, 1, 1)))
    session.commit()
    _rechain(session)
    assert audit.verify_chain(session).ok
    detail = _first(_verify(session, cp_file, key))
    assert "checkpoint #2" in detail and "rewritten" in detail


def test_old_event_edited_and_every_later_hash_recomputed(session: Session, cp_file, tmp_path, key) -> None:
    ids = _setup(session, cp_file, tmp_path, key)
    session.exec(text("UPDATE audit_event SET after_json = :a WHERE id = :i").bindparams(a='{"v":1000}', i=ids[7]))  # type: ignore[call-overload]
    session.commit()
    _rechain(session)
    assert audit.verify_chain(session).ok
    detail = _first(_verify(session, cp_file, key))
    assert "checkpoint #2" in detail and "rewritten" in detail


def test_old_event_edited_without_recomputing(session: Session, cp_file, tmp_path, key) -> None:
    ids = _setup(session, cp_file, tmp_path, key)
    session.exec(text("UPDATE audit_event SET after_json = :a WHERE id = :i").bindparams(a='{"v":1000}', i=ids[2]))  # type: ignore[call-overload]
    report = _verify(session, cp_file, key)
    assert not report.chain.ok and report.chain.first_broken_id == ids[2]
    assert "checkpoint #1" in _first(report)


def test_event_deleted_with_and_without_recomputing(session: Session, cp_file, tmp_path, key) -> None:
    ids = _setup(session, cp_file, tmp_path, key)
    session.exec(text("DELETE FROM audit_event WHERE id = :i").bindparams(i=ids[7]))  # type: ignore[call-overload]
    report = _verify(session, cp_file, key)
    assert not report.chain.ok and "checkpoint #2" in _first(report)
    _rechain(session)
    assert audit.verify_chain(session).ok
    assert "checkpoint #2" in _first(_verify(session, cp_file, key))


def test_event_inserted_without_recomputing(session: Session, cp_file, tmp_path, key) -> None:
    ids = _setup(session, cp_file, tmp_path, key)
    last = session.get(AuditEvent, ids[-1])
    session.exec(text("INSERT INTO audit_event (occurred_at, actor, action, entity_type, entity_id, prev_hash, hash) "  # type: ignore[call-overload]
                      "VALUES (:t, 'mallory', 'thing.update', 'thing', '99', :p, :h)")
                 .bindparams(t=datetime(2021, 1, 1), p=last.hash, h="f" * 64))  # type: ignore[union-attr]
    report = _verify(session, cp_file, key)
    assert not report.chain.ok and report.chain.first_broken_id == ids[-1] + 1
    assert report.checkpoints.ok  # both checkpoints lie before the forged event: still extended
    assert not report.ok


def test_truncated_tail_with_the_head_adjusted(session: Session, cp_file, tmp_path, key) -> None:
    """The last five events deleted and the head adjusted passed `audit verify` (finding)."""
    ids = _setup(session, cp_file, tmp_path, key)
    session.exec(text("DELETE FROM audit_event WHERE id > :i").bindparams(i=ids[4]))  # type: ignore[call-overload]
    keep = session.get(AuditEvent, ids[4])
    session.exec(text("UPDATE audit_head SET last_hash = :h, event_count = 5, last_event_id = :i")  # type: ignore[call-overload]
                 .bindparams(h=keep.hash, i=ids[4]))  # type: ignore[union-attr]
    session.commit()
    assert audit.verify_chain(session).ok
    detail = _first(_verify(session, cp_file, key))
    assert "checkpoint #2" in detail and "only 5 event(s)" in detail and "truncated" in detail


def test_full_wipe(session: Session, cp_file, tmp_path, key) -> None:
    """Every event and the head deleted gave "intact: 0 events" (finding)."""
    _setup(session, cp_file, tmp_path, key)
    session.exec(text("DELETE FROM audit_event"))  # type: ignore[call-overload]
    session.exec(text("DELETE FROM audit_head"))  # type: ignore[call-overload]
    session.commit()
    assert audit.verify_chain(session).ok
    detail = _first(_verify(session, cp_file, key))
    assert "checkpoint #1" in detail and "wiped" in detail


def test_a_checkpoint_signed_with_another_key_is_refused(session: Session, cp_file, tmp_path, key) -> None:
    _events(session, 3)
    other = checkpoint.keygen(str(tmp_path / "other.key"))
    _checkpoint(session, cp_file, tmp_path, other)
    detail = _first(_verify(session, cp_file, key))
    assert "not signed by the audit key" in detail and "refused" in detail


def test_a_forged_line_and_removed_lines_are_noticed(session: Session, cp_file, tmp_path, key) -> None:
    _setup(session, cp_file, tmp_path, key)
    _checkpoint(session, cp_file, tmp_path, key)
    lines = cp_file.read_text().splitlines()
    forged = json.loads(lines[0])
    forged["events"] = 1
    cp_file.write_text("\n".join([json.dumps(forged), lines[1], lines[2]]) + "\n")
    assert "line 1" in _verify(session, cp_file, key).checkpoints.summary()
    cp_file.write_text("\n".join([lines[0], lines[2]]) + "\n")  # checkpoint #2 removed
    detail = _first(_verify(session, cp_file, key))
    assert "checkpoint #3" in detail and "removed" in detail


def test_rows_and_checkpoints_in_one_verdict(session: Session, cp_file, tmp_path, key) -> None:
    """A guarded row edited after a checkpoint: the checkpoints still hold, the row is named."""
    from tests.builders import make_user

    user = make_user(session)
    _checkpoint(session, cp_file, tmp_path, key)
    session.exec(text("UPDATE app_user SET role = 'admin' WHERE id = :i").bindparams(i=user.id))  # type: ignore[call-overload]
    report = _verify(session, cp_file, key)
    assert report.checkpoints.ok and not report.ok
    assert [(f.kind, f.table, f.row_id, f.fields) for f in report.findings] == [("edited", "app_user", user.id,
                                                                                 ("role",))]


# --------------------------------------------------------------------------- the key and the writer


def test_key_is_created_private_in_demo_mode_and_required_outside(tmp_path: Path) -> None:
    demo = Settings(demo_mode=True, audit_key_file=str(tmp_path / "k" / "audit.key"))
    checkpoint.ensure_key(demo)
    assert stat.S_IMODE(os.stat(demo.audit_key_file).st_mode) == 0o600
    prod = Settings(demo_mode=False, secret_key="s" * 40, audit_key_file=str(tmp_path / "missing.key"))
    with pytest.raises(checkpoint.KeyMissing, match="refusing to start"):
        checkpoint.ensure_key(prod)
    os.chmod(demo.audit_key_file, 0o644)
    with pytest.raises(checkpoint.KeyMissing, match="chmod 600"):
        checkpoint.ensure_key(Settings(demo_mode=False, secret_key="s" * 40, audit_key_file=demo.audit_key_file))


def test_writer_thread_writes_at_start_and_stops() -> None:
    notes: list[str] = []
    writer = checkpoint.CheckpointWriter(0.01, notes.append).start()
    while len(notes) < 2:  # the first interval passes
        writer._stop.wait(0.01)
    writer.stop(timeout=5)
    assert set(notes) == {"interval"} and not writer._thread.is_alive()


def test_app_lifespan_writes_a_checkpoint_and_the_api_reports_it(client: TestClient, session: Session) -> None:
    """GET /audit/verify (auditor, admin) returns the command's result with the newest checkpoint."""
    from core.models import Role
    from tests.builders import make_user, token_for

    path = Path(get_settings().audit_checkpoint_file)
    assert path.exists() and json.loads(path.read_text().splitlines()[0])["note"] == "app start"
    auditor = make_user(session, Role.auditor)
    official = make_user(session, Role.official)
    r = client.get("/api/v1/audit/verify", headers=token_for(auditor))
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["ok"] is True and body["last_checkpoint"]["note"] == "app start"
    assert body["checkpoints"]["ok"] is True and body["tables"]["app_user"]["rows"] == 2
    assert client.get("/api/v1/audit/verify", headers=token_for(official)).status_code == 403
    session.exec(text("UPDATE app_user SET role = 'admin' WHERE id = :i").bindparams(i=official.id))  # type: ignore[call-overload]
    session.commit()
    body = client.get("/api/v1/audit/verify", headers=token_for(auditor)).json()
    assert body["ok"] is False
    assert [(f["kind"], f["table"], f["row_id"], f["fields"]) for f in body["findings"]] == [
        ("edited", "app_user", official.id, ["role"])]


def test_compliance_check_fails_when_history_does_not_verify(session: Session) -> None:
    """SYS-01 fails on an edited guarded row (it used to look at the chain only)."""
    from compliance import service as compliance_service
    from tests.builders import make_user

    user = make_user(session)
    session.exec(text("UPDATE app_user SET full_name = 'x' WHERE id = :i").bindparams(i=user.id))  # type: ignore[call-overload]
    session.commit()
    run = compliance_service.run_checks(session, today=datetime(2022, 1, 1).date())
    sys01 = [f for f in run.findings if f.check_id == "SYS-01"]
    assert sys01 and sys01[0].params == {"table": "app_user", "row": user.id, "kind": "edited"}
    assert sys01[0].evidence[0]["columns"] == "full_name"  # the edited field is named


def test_cli_verify_with_checkpoint(session: Session, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    import main

    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):  # no English locale: the output is Korean
        monkeypatch.delenv(name, raising=False)

    _events(session, 2)
    assert main.main(["audit", "checkpoint", "--note", "cli test"]) == 0
    path = get_settings().audit_checkpoint_file
    assert main.main(["audit", "verify", "--checkpoint", path]) == 0
    session.exec(text("DELETE FROM audit_event"))  # type: ignore[call-overload]
    session.exec(text("DELETE FROM audit_head"))  # type: ignore[call-overload]
    session.commit()
    assert main.main(["audit", "verify", "--checkpoint", path]) == 1  # Korean by default (issue 13)
    assert "처음으로 맞지 않는 체크포인트: 1행: 체크포인트 #1" in capsys.readouterr().err
    assert main.main(["--lang", "en", "audit", "verify", "--checkpoint", path]) == 1
    assert "first checkpoint contradicted: line 1: checkpoint #1" in capsys.readouterr().err


def test_merkle_builder_matches_rfc6962_definition() -> None:
    from core import digest as dg

    for n in (0, 1, 2, 3, 5, 8, 13, 64, 100):
        leaves = [f"leaf{i}".encode() for i in range(n)]
        assert dg.merkle_root(leaves) == dg.merkle_root_recursive(leaves)
    # RFC 6962 test vector: the empty tree and one empty leaf
    assert dg.merkle_root([]) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    assert dg.merkle_root([b""]) == "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"


def test_tests_never_sign_into_var() -> None:
    """The test run keeps its key and checkpoints in a folder of its own (conftest), never in var/."""
    var = Path(__file__).resolve().parents[2] / "var"
    assert Path(get_settings().audit_key_file).parent != var
    assert Path(get_settings().audit_checkpoint_file).parent != var


def test_compliance_page_shows_the_chain_state_and_the_newest_checkpoint(session: Session) -> None:
    """The compliance page shows SYS-01's verdict and the newest signed checkpoint (and the break, once broken)."""
    from dashboard.data._cache import request_cache
    from dashboard.pages.compliance import history_card
    from tests.builders import make_program

    program = make_program(session)
    cp = checkpoint.write(session, note="page test")

    def card_text(lang: str = "en") -> str:
        with request_cache():
            return str(history_card(program.id, None, lang))

    shown = card_text()
    assert "History verifies" in shown and cp.footer("en") in shown
    korean = card_text("ko")  # issue 13: the checkpoint line in Korean, its time in KST, as the reports print it
    assert f"감사 체크포인트 #{cp.seq} · 감사 이벤트 {cp.events:,}건 · 해시 {cp.last_hash[:16]}…" in korean
    assert "(한국시간)" in korean and "audit checkpoint" not in korean and "Z ·" not in korean
    session.commit()  # a fresh snapshot: the card stored the findings through a write session of its own
    session.exec(text("UPDATE program SET total_budget_krw = total_budget_krw + 1 WHERE id = :i")  # type: ignore[call-overload]
                 .bindparams(i=program.id))
    audit.record(session, Actor("x", "official"), "thing.touch", "thing", 1)  # a new data version for the cache
    session.commit()
    # Tampering behind the application's back is caught by verification (a full run, `audit verify`),
    # not by re-running every check on every read: the page shows the stored verdict of the last full run.
    from compliance import service as compliance_service
    from program.reporting import as_of_for

    compliance_service.run_full(session, Actor("auditor", "auditor"), program_id=program.id,
                                as_of=as_of_for(session, program.id))
    shown = card_text()
    assert "History does NOT verify" in shown and "problem(s): Guarded record changed" in shown
