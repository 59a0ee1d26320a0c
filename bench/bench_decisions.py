"""What-if and decision-package benchmark at programme scale (`python -m bench decisions`).

1. A what-if run over every project of the seeded 2021 programme (150 projects, ~30 proposals a field,
   5–9 sheets each): `decisions.service.run_what_if` (load the frame, envelopes and awards; re-run
   ranking, selection, grant adjustment and envelope limits), with unchanged rules and with a
   scenario that changes everything (threshold, trimming off, bands, bonus, hire rate, designated
   −20%, a lottery). Goal: under 1 s. Also the pure part alone (`compare` on loaded inputs).
2. The decision package of the designated call type (130 projects): rows, PDF and XLSX.

The database: $PROGRAM_DB (a SQLite path) or var/bench-program.db, seeded when missing with
`seed_data.run.run_seed(scale="program", seed=2021)`. Nothing is written to it (runs are not recorded).
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

from bench.common import median_seconds, save

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = {"rules": {"pass_threshold": "75", "trimming": False, "bonus_crowd_points": "4", "hires_per_100m_krw": "3",
                      "adjustment_bands": [{"min_score": "90", "rate": "1"}, {"min_score": "75", "rate": "0.85"}]},
            "budgets": [{"target": "designated", "change_pct": "-20"}], "lottery": {"seed": 2021, "tolerance": "0.5"}}


def database() -> Path:
    path = Path(os.environ.get("PROGRAM_DB", ROOT / "var" / "bench-program.db"))
    if not path.exists():
        import schema
        from core import db
        from seed_data.run import run_seed

        path.parent.mkdir(parents=True, exist_ok=True)
        eng = db.make_engine(f"sqlite:///{path}")
        schema.create_all(eng)
        run_seed(eng, scale="program", seed=2021)
        eng.dispose()
    return path


def main() -> None:
    from sqlmodel import Session

    from core import audit, db
    from decisions import package, service
    from decisions.models import WhatIfRequest
    from reports.decision_pdf import render_decision_pdf
    from reports.decision_xlsx import render_decision_xlsx
    from reports.document import Metadata

    engine = db.make_engine(f"sqlite:///{database()}")
    unchanged, changed = WhatIfRequest(), WhatIfRequest.model_validate(SCENARIO)
    with Session(engine) as session:
        result = service.run_what_if(session, 1, changed)
        inp = service.load_inputs(session, 1)
        t_unchanged = median_seconds(lambda: service.run_what_if(session, 1, unchanged))
        t_changed = median_seconds(lambda: service.run_what_if(session, 1, changed))
        t_load = median_seconds(lambda: service.load_inputs(session, 1))
        t_pure = median_seconds(lambda: service.compare(inp, changed))
        t_rows = median_seconds(lambda: package.decision_package(session, 1, "designated"), repeat=3)
        pkg = package.decision_package(session, 1, "designated")
        meta = Metadata(datetime.now(UTC), "bench", audit.last_hash(session), program="2021")
        t_pdf = median_seconds(lambda: render_decision_pdf(pkg, meta), repeat=3)
        t_xlsx = median_seconds(lambda: render_decision_xlsx(pkg, meta), repeat=3)
    save("decisions", {
        "projects": len(result.projects),
        "whatif_unchanged_s (goal < 1 s)": round(t_unchanged, 3),
        "whatif_changed_s (goal < 1 s)": round(t_changed, 3),
        "whatif_load_inputs_s": round(t_load, 3),
        "whatif_pure_compare_s": round(t_pure, 3),
        "whatif_changed_consortia": result.consortium_changes,
        "whatif_changed_grants": result.grant_changes,
        "decision_package_designated_rows_s": round(t_rows, 3),
        "decision_package_designated_pdf_s": round(t_pdf, 3),
        "decision_package_designated_xlsx_s": round(t_xlsx, 3),
    })


if __name__ == "__main__":
    main()
