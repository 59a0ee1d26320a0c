"""Envelope limits under concurrent awards and transfers (threads; row locks on PostgreSQL)."""

import threading

from sqlmodel import Session, select

from budgeting import service
from budgeting.models import Award, Envelope, EnvelopeTransfer
from budgeting.schemas import AwardCreate, EnvelopeTransferCreate
from core import db
from core.errors import LimitExceeded
from tests.budgeting.builders import END, OFFICIAL, START, make_funded_program, make_selection
from tests.builders import count, make_proposal

GRANT = 1_000_000_000


def test_concurrent_awards_and_transfers_never_overspend_an_envelope(session, clean_engine):
    # HEALTH weighs 10B of ceilings, LANG 1B: a 6.05B total gives HEALTH 5.5B and LANG 0.55B
    program, projects = make_funded_program(
        session, total=6_050_000_000, projects=[("HEALTH", GRANT)] * 10 + [("LANG", GRANT)])
    envs = {e.code: e for e in session.exec(select(Envelope)).all()}
    session.commit()
    health, lang = envs["designated-HEALTH"], envs["designated-LANG"]
    assert health.amount_krw == 5_500_000_000
    selections = [make_selection(session, project=p, proposal=make_proposal(session, project=p,
                                                                             requested_grant_krw=GRANT,
                                                                             private_matching_krw=100_000_000))
                  for p in projects[:6]]
    barrier = threading.Barrier(12)
    outcomes: list[str] = []
    lock = threading.Lock()

    def run(job):
        with Session(db.writer(clean_engine), expire_on_commit=False) as s:
            barrier.wait()
            try:
                job(s)
                result = "ok"
            except LimitExceeded:
                s.rollback()
                result = "409"
        with lock:
            outcomes.append(result)

    def award(sel_id):
        return lambda s: service.create_award(s, OFFICIAL, AwardCreate(selection_id=sel_id, start_date=START,
                                                                       end_date=END))

    def transfer(s):
        service.transfer_between_envelopes(s, OFFICIAL, program.id, EnvelopeTransferCreate(
            from_envelope_id=health.id, to_envelope_id=lang.id, amount_krw=GRANT, reason="재배분"))

    jobs = [award(sel.id) for sel in selections] + [transfer] * 6
    threads = [threading.Thread(target=run, args=(j,)) for j in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["409"] * 7 + ["ok"] * 5  # 5.5B holds five 1B draws, no more
    session.commit()
    env = session.exec(select(Envelope).where(Envelope.id == health.id)
                       .execution_options(populate_existing=True)).one()
    awarded = sum(a.grant_krw for a in session.exec(select(Award)).all())
    moved = sum(t.amount_krw for t in session.exec(select(EnvelopeTransfer)).all())
    assert env.amount_krw == 5_500_000_000 - moved
    assert awarded <= env.amount_krw
    assert awarded + moved == 5_000_000_000
    total = sum(e.amount_krw for e in session.exec(select(Envelope).execution_options(populate_existing=True)).all())
    assert total == program.total_budget_krw
    assert count(session, Award) + count(session, EnvelopeTransfer) == 5


def test_concurrent_project_creation_never_exceeds_the_programme_total(session, clean_engine):
    """Finding 2: the programme row is locked before the ceilings are summed (both databases, threads)."""
    from core.errors import LimitExceeded as Limit
    from program import service as program_service
    from program.models import Project, ProjectCreate
    from tests.builders import make_program, make_project

    program = make_program(session, total_budget_krw=2_000_000_000)
    make_project(session, program, ceiling_krw=1_500_000_000)
    barrier = threading.Barrier(8)
    outcomes: list[str] = []
    lock = threading.Lock()

    def run(i: int) -> None:
        with Session(db.writer(clean_engine), expire_on_commit=False) as s:
            barrier.wait()
            try:
                program_service.create_project(s, OFFICIAL, ProjectCreate(
                    program_id=program.id, code=f"T-{i}", field_code="HEALTH", call_type="designated",
                    title_ko=f"과제 {i}", ceiling_krw=100_000_000))
                result = "ok"
            except Limit:
                s.rollback()
                result = "409"
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["409"] * 3 + ["ok"] * 5
    session.commit()
    assert sum(p.ceiling_krw for p in session.exec(select(Project)).all()) == 2_000_000_000
