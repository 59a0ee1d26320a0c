"""The seed as a job (`seed.scale`, seed_data/jobs.py): `main.py seed` makes the job row after the reset and
the migration, runs it through `run_job` with a progress bar fed by the job, and the rows are the ones
`run_seed` writes directly; admins only; bad parameters queue nothing; a cancelled seed says what is left."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, func, select

import main
import schema
from core import db, jobs
from core.audit import SYSTEM, Actor, verify_chain
from core.errors import Forbidden, RuleViolation
from core.jobs import Job, JobStatus
from core.models import AuditEvent
from core.settings import get_settings
from program.models import Program
from seed_data import run as seed_run
from seed_data.common import SeedContext
from seed_data.run import run_seed

# the job's own row and events (and the chain's head); salted password hashes; audit_row is compared apart
SKIP_TABLES = {"job", "audit_event", "audit_head", "app_user", "audit_row"}


@pytest.fixture
def own_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, clean_engine: Engine,
           no_locale: None) -> Iterator[str]:
    """`main.py seed` on its own SQLite file (it reconfigures the process's engine; restored after)."""
    url = f"sqlite:///{tmp_path / 'seed.db'}"
    settings = get_settings()
    for attr, value in (("database_url", url), ("job_storage_dir", str(tmp_path / "jobs")),
                        ("job_queue_url", "memory://")):
        monkeypatch.setattr(settings, attr, value)
    jobs.configure()
    yield url
    db.configure(clean_engine.url.render_as_string(hide_password=False))
    jobs.configure("memory://")


@pytest.fixture
def no_locale(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(name, raising=False)


def _dump(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    out = {}
    with engine.connect() as conn:
        for table in schema.load_models().sorted_tables:
            if table.name not in SKIP_TABLES:
                out[table.name] = [tuple(r) for r in conn.execute(table.select().order_by(*table.primary_key.columns))]
    return out


def _coverage(engine: Engine) -> list[tuple[Any, ...]]:
    """The rows' digests, each naming its covering event by its place among the seed's own events (the
    job's `job.enqueue` event comes first in the job's log, so the event ids are one higher there)."""
    from core.models import AuditRow

    with Session(engine) as s:
        ids = s.exec(select(AuditEvent.id).where(AuditEvent.entity_type != "job").order_by(col(AuditEvent.id))).all()
        place = {event_id: n for n, event_id in enumerate(ids)}
        rows = s.exec(select(AuditRow)).all()
        return sorted((r.table_name, r.row_id, place[r.event_id], r.digest, r.fields) for r in rows)


def _seed_events(engine: Engine) -> list[tuple[str, str, str, str | None]]:
    with Session(engine) as s:
        rows = s.exec(select(AuditEvent).where(AuditEvent.entity_type != "job").order_by(col(AuditEvent.id))).all()
        return [(e.action, e.entity_type, e.entity_id, e.after_json) for e in rows]


def test_seed_command_runs_a_job_with_a_progress_bar(own_db: str, capsys: pytest.CaptureFixture[str]):
    assert main.main(["seed", "--reset"]) == 0
    captured = capsys.readouterr()
    assert "초기 자료를 넣었습니다: 규모 program, 시드 2021" in captured.out
    assert "  project                         150" in captured.out
    bar = captured.err.replace("\r", "\n")
    assert "평가위원회와 평가 점수를 넣는 중입니다" in bar and "완료했습니다 |██████████| 100%" in bar
    engine = db.get_engine()
    with Session(engine) as s:
        (job,) = s.exec(select(Job)).all()
        assert (job.kind, job.status, job.progress, job.requested_by) == ("seed.scale", JobStatus.done, 100, "system")
        assert job.params == {"scale": "program", "seed": 2021}
        assert job.reason == "main.py seed --scale program --seed 2021 --reset"
        events = s.exec(select(AuditEvent.action, AuditEvent.reason).where(AuditEvent.entity_type == "job")).all()
        assert [a for a, _ in events] == ["job.enqueue", "job.finish"]
        assert events[0][1] == job.reason
        assert verify_chain(s).ok
    # a second --reset wipes the job table too: the new job row is made after the wipe (id 1 again)
    assert main.main(["--lang", "en", "seed", "--reset", "--quiet"]) == 0
    captured = capsys.readouterr()
    assert "seeded scale=program seed=2021" in captured.out and captured.err.count("%") == 0
    with Session(db.get_engine()) as s:
        assert [(j.id, j.status) for j in s.exec(select(Job)).all()] == [(1, JobStatus.done)]
    # an already seeded database is left as it is, and no job is made
    assert main.main(["seed"]) == 0
    assert capsys.readouterr().out.strip() == main._say(None, "cli.already_seeded")
    with Session(db.get_engine()) as s:
        assert s.exec(select(func.count()).select_from(Job)).one() == 1


def test_the_job_writes_the_same_rows_as_the_direct_seed(own_db: str, tmp_path: Path):
    direct = db.make_engine(f"sqlite:///{tmp_path / 'direct.db'}")
    schema.create_all(direct)
    run_seed(direct, scale="program", seed=7)
    engine = db.configure(own_db)
    schema.create_all(engine)
    job = jobs.submit("seed.scale", {"scale": "program", "seed": 7}, reason="determinism", on_worker=False,
                      lang="ko", show=False)
    assert job.status == JobStatus.done, job.message("en")
    assert _dump(engine) == _dump(direct)
    assert _coverage(engine) == _coverage(direct)
    assert _seed_events(engine) == _seed_events(direct)  # the seed's own events too, in order
    with Session(engine) as s:
        assert verify_chain(s).ok
    direct.dispose()


def test_only_admins_seed_and_bad_parameters_queue_nothing(own_db: str):
    engine = db.configure(own_db)
    schema.create_all(engine)
    with db.session_scope(write=True) as s:
        for role in ("official", "auditor", "evaluator"):
            with pytest.raises(Forbidden):
                jobs.enqueue(s, Actor("someone", role, 5), "seed.scale", {"scale": "program"})
        for params in ({"scale": "world"}, {"seed": -1}, {"seed": 2**40}, {"scale": "program", "rows": 5}):
            with pytest.raises(RuleViolation) as err:
                jobs.enqueue(s, SYSTEM, "seed.scale", params)
            assert err.value.field is not None and err.value.field.startswith("params.")
        s.rollback()
        assert s.exec(select(Job)).all() == []
        admin = jobs.enqueue(s, Actor("root", "admin", 1), "seed.scale", {}, put=False)
        assert admin.params == {"scale": "program", "seed": 2021} and admin.status == JobStatus.queued


def test_seed_job_on_a_seeded_database_fails_in_korean_and_english(own_db: str):
    engine = db.configure(own_db)
    schema.create_all(engine)
    run_seed(engine, scale="program", seed=3)
    job = jobs.submit("seed.scale", {}, reason="again", on_worker=False, lang="ko", show=False)
    assert job.status == JobStatus.failed
    assert job.message("ko") == ("실패했습니다: 데이터베이스에 이미 사업 자료가 있습니다. "
                                 "처음부터 넣으려면 main.py seed --reset을 쓰세요")
    assert job.message("en").startswith("Failed: the database already holds a programme")
    with Session(engine) as s:
        assert s.exec(select(func.count()).select_from(Program)).one() == 1


def _cancel_inside(session: Session, ctx: SeedContext) -> None:
    """A seed step that is cancelled while it runs (as Ctrl-C or the API would ask)."""
    (job_id,) = list(jobs.RUNNING)
    session.add(Program(year=1999, name_ko="취소될 사업", total_budget_krw=1))
    session.flush()  # written inside the step's transaction
    assert session.exec(select(Program).where(Program.year == 1999)).one().id is not None
    jobs.RUNNING[job_id]._cancel.set()
    for _ in ctx.bar(range(1000), "cancelled step"):
        pass


def test_a_cancelled_seed_rolls_back_its_step_and_says_what_is_left(own_db: str, monkeypatch: pytest.MonkeyPatch,
                                                                   capsys: pytest.CaptureFixture[str]):
    monkeypatch.setattr(seed_run, "STEPS", [seed_run.STEPS[0], ("tests.jobs.test_seed_job", "_cancel_inside"),
                                            *seed_run.STEPS[1:]])
    assert main.main(["seed", "--reset"]) == 1
    err = capsys.readouterr().err
    assert "작업 1번: 취소됨 — 취소했습니다" in err
    assert ("초기 자료를 끝까지 넣지 못해 데이터베이스에 일부만 들어 있습니다. "
            "다시 넣으려면 다음을 실행하세요: main.py seed --reset") in err
    with Session(db.get_engine()) as s:
        job = s.exec(select(Job)).one()
        assert job.status == JobStatus.cancelled and job.result_path is None
        assert s.exec(select(Program).where(Program.year == 1999)).all() == []  # the step was rolled back
        assert s.exec(select(func.count()).select_from(Program)).one() == 1  # the first step stays
        finish = s.exec(select(AuditEvent).where(AuditEvent.action == "job.finish")).one()
        assert json.loads(finish.after_json or "{}")["status"] == "cancelled"
