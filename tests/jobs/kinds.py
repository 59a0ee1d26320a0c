"""A job kind for the tests only (loaded by test workers through JOB_MODULES): it reports progress, then
waits until a gate file exists, so a test can look at a job in the middle, stop its worker, or cancel it."""

from __future__ import annotations

import time
from pathlib import Path

from core.jobs import Context, Output, register
from core.models import Role


@register("test.gate", ("시험용 대기 작업", "Test gate job"), (Role.official, Role.auditor))
def gate(ctx: Context) -> Output:
    gate_file = Path(ctx.params["gate"])
    started = Path(ctx.params["gate"] + ".started")
    with started.open("a") as f:
        f.write("x")
    ctx.progress(50, "job.step", step="gate")
    while not gate_file.exists():
        ctx.progress(50, "job.step", step="gate")
        time.sleep(0.05)
    runs = len(started.read_text())
    return Output("gate.txt", "text/plain; charset=utf-8", f"opened on run {runs}".encode())
