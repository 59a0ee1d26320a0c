"""The seed as a job (core/jobs.py): ``seed.scale`` fills an empty database at the programme or the national
scale, for admins only. ``main.py seed`` runs it (in its own process by default, on a worker with
``--job``) after any ``--reset`` and migration, so the job row survives the wipe; its progress feeds the
command line's progress bar, its request and outcome are audit events, and it can be cancelled (it stops at
its next progress report; the step under way is rolled back, the steps before it stay: ``--reset`` again).

The rows are the same as `run_seed` writes directly for the same seed: the job adds only its own row and
its ``job.*`` audit events.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from core import db, i18n
from core.bounded import RequestModel, bounded_int
from core.errors import Conflict
from core.jobs import Context, Output, register
from core.models import Role
from seed_data.common import SeedContext
from seed_data.run import STEPS, is_empty, run_seed

T = TypeVar("T")

if TYPE_CHECKING:
    SeedNumber = int
else:
    SeedNumber = bounded_int(0)

# Each step's share of the run (percent), as measured on the national scale (SQLite, 2 cores: programme 5 s,
# evaluation 73 s, money 67 s, delivery 1 s); the programme scale takes seconds.
SHARE = {"seed_programme": (1, 4), "seed_evaluation": (4, 52), "seed_money": (52, 97), "seed_delivery": (97, 98)}

i18n.register_messages({
    "seed.step.seed_programme": ("사업·과제·기관·제안서를 넣는 중입니다",
                                 "Seeding the programmes, projects, organisations and proposals"),
    "seed.step.seed_evaluation": ("평가위원회와 평가 점수를 넣는 중입니다", "Seeding the panels and the scores"),
    "seed.step.seed_money": ("협약·예산·집행 내역을 넣는 중입니다", "Seeding the agreements, budgets and ledger"),
    "seed.step.seed_delivery": ("구축 실적·검증·개방 내역을 넣는 중입니다",
                                "Seeding the delivery, verifications and openings"),
    "seed.not_empty": ("데이터베이스에 이미 사업 자료가 있습니다. 처음부터 넣으려면 main.py seed --reset을 쓰세요",
                       "the database already holds a programme; use main.py seed --reset to start over"),
})


class SeedParams(RequestModel):
    scale: Literal["program", "national"] = "program"
    seed: SeedNumber = 2021


@dataclass
class JobSeedContext(SeedContext):
    """The seed's context inside the job: every long loop (`bar`) reports the step's share done."""

    job: Context | None = None
    step: str = ""
    in_memory: bool = True  # SQLite: the step's own transaction holds the write lock; keep progress in memory

    def bar(self, items: Sequence[T] | Iterable[T], desc: str, total: int | None = None) -> Iterator[T]:
        size = total if total is not None else (len(items) if isinstance(items, Sequence) else None)
        low, high = SHARE.get(self.step, (0, 100))
        for i, item in enumerate(super().bar(items, desc, total)):
            if self.job is not None and i % 25 == 0:
                share = i / size if size else 0.0
                percent = low + int((high - low) * min(share, 1.0))
                report = self.job.note if self.in_memory else self.job.progress
                report(percent, f"seed.step.{self.step}")
            yield item


@register("seed.scale", ("초기 자료 넣기", "Seeding the database"), (Role.admin,), SeedParams)
def seed(ctx: Context) -> Output:
    """Fill the (empty) database with the 2021 programme at the scale asked for; the counts are its file."""
    engine = db.get_engine()
    if not is_empty(engine):
        raise Conflict("seed.not_empty")
    sqlite = engine.dialect.name == "sqlite"
    ctx.holds_write_lock = sqlite  # the heartbeat only reads while a step's transaction holds the lock
    context = JobSeedContext(scale=ctx.params["scale"], seed=int(ctx.params["seed"]), job=ctx, in_memory=sqlite)

    def on_step(index: int, total: int, name: str) -> None:
        context.step = name
        ctx.progress(SHARE.get(name, (100 * index // total, 0))[0], f"seed.step.{name}")

    report = run_seed(engine, scale=context.scale, seed=context.seed, context=context, on_step=on_step)
    ctx.progress(98, "job.writing")
    body: dict[str, Any] = {"scale": report.scale, "seed": report.seed, "counts": report.counts,
                            "seconds": {k: round(v, 2) for k, v in report.seconds.items()},
                            "main_program_id": report.main_program_id, "steps": [f for _, f in STEPS]}
    return Output(f"seed-{report.scale}-{report.seed}.json", "application/json",
                  json.dumps(body, ensure_ascii=False, indent=1).encode("utf-8"))
