"""Long command-line commands with `--job`: the work goes on the queue, a real `main.py worker` runs it, and the
command follows it with a tqdm bar (core/jobs.py `follow`), then writes the job's file where `--out` says.
On the embedded SQLite queue and on Redis (required under CI=true)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

import main
from core.jobs import Job, JobStatus
from core.settings import get_settings
from tests.budgeting.builders import make_award
from tests.jobs.conftest import Queue


@pytest.fixture
def cli_db(clean_engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(get_settings(), "database_url", clean_engine.url.render_as_string(hide_password=False))
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(name, raising=False)


def _jobs(session: Session) -> list[tuple[str, JobStatus, str | None]]:
    session.rollback()  # a fresh snapshot: the worker wrote since
    return [(j.kind, j.status, j.reason) for j in session.exec(select(Job).order_by(col(Job.id))).all()]


def test_export_check_and_report_follow_their_jobs(queue: Queue, cli_db: None, session: Session, tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]):
    award = make_award(session)
    queue.start_worker()
    out = tmp_path / "360.json"
    assert main.main(["export", "open-data", "--standard", "360giving", "--out", str(out), "--job"]) == 0
    captured = capsys.readouterr()
    assert "완료했습니다 |██████████| 100%" in captured.err.replace("\r", "\n")
    assert f"의 파일을 {out}에 썼습니다(" in captured.out and not out.with_name("360.json.part").exists()
    direct = tmp_path / "direct.json"
    assert main.main(["export", "open-data", "--standard", "360giving", "--out", str(direct)]) == 0
    assert json.loads(out.read_text()) == json.loads(direct.read_text())  # the same package either way
    capsys.readouterr()
    assert main.main(["--lang", "en", "check", "--store", "--job", "--program-id", str(award.program_id),
                      "--as-of", "2024-12-31"]) == 0
    printed = capsys.readouterr().out
    assert f"stored findings: programme {award.program_id} as of 2024-12-31, " in printed and " done" in printed
    pdf = tmp_path / "status.pdf"
    assert main.main(["report", "status", "--format", "pdf", "--program-id", str(award.program_id),
                      "--out", str(pdf), "--job"]) == 0
    assert pdf.read_bytes().startswith(b"%PDF")
    assert _jobs(session) == [("opendata.export", JobStatus.done, "main.py export open-data --job"),
                              ("compliance.run", JobStatus.done, "main.py check --store --job"),
                              ("report.status", JobStatus.done, "main.py report status --job")]


def test_bad_job_commands_change_nothing(queue: Queue, cli_db: None, session: Session, tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]):
    assert main.main(["check", "--job"]) == 2
    assert capsys.readouterr().err.strip() == "오류: --job은 --store와 함께만 쓸 수 있습니다(전체 점검 작업)"
    missing = tmp_path / "nowhere" / "x.json"
    assert main.main(["export", "open-data", "--standard", "ocds", "--out", str(missing), "--job"]) == 2
    assert capsys.readouterr().err.strip() == f"오류: {missing.parent} 폴더가 없습니다"
    assert main.main(["--lang", "en", "report", "decision", "--out", str(tmp_path / "d.pdf"), "--job"]) == 2
    assert "report decision needs --call-type" in capsys.readouterr().err
    assert _jobs(session) == [] and not missing.parent.exists()


def test_seed_job_on_a_worker(queue: Queue, cli_db: None, session: Session, monkeypatch: pytest.MonkeyPatch,
                              capsys: pytest.CaptureFixture[str]):
    """`main.py seed --job`: a worker runs the seed job (the test database has its schema already, so the
    migration step is a no-op here); the command follows it and prints the counts."""
    from core import migrate

    monkeypatch.setattr(migrate, "upgrade", lambda url: None)
    queue.start_worker()
    assert main.main(["seed", "--job"]) == 0
    captured = capsys.readouterr()
    assert "초기 자료를 넣었습니다: 규모 program, 시드 2021" in captured.out
    assert "  project                         150" in captured.out
    assert "완료했습니다 |██████████| 100%" in captured.err.replace("\r", "\n")
    ((kind, status, reason),) = _jobs(session)
    assert (kind, status, reason) == ("seed.scale", JobStatus.done, "main.py seed --scale program --seed 2021")
    worker = session.exec(select(Job.worker)).one()
    assert worker is not None and not worker.endswith(f":{os.getpid()}")  # a worker ran it, not this process
