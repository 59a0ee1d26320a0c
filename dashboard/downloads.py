"""A report download as a job, on any page: a button enqueues the job (core/jobs.py, as the caller), an interval
polls it, a progress bar with the job's message (Korean or English) shows how far it is, then a link to the file.

    downloads.button("cp-compliance-pdf", "report.compliance", {"format": "pdf", "program_id": pid},
                     t("cp.pdf", lang), lang)

The callbacks (pattern-matching ids, registered once by `register`) re-check everything on the server: the
caller from the login cookie, the kind against the roles it allows (core.jobs.enqueue), the parameters through
bounded types; only the caller (or an admin) can poll a job.
"""

from __future__ import annotations

from typing import Any

from dash import MATCH, Input, Output, State, dcc, html
from dash.exceptions import PreventUpdate
from pydantic import ValidationError

from core import db, jobs
from core.bounded import Code, Day, Id, RequestModel
from core.errors import DomainError
from core.i18n import as_lang
from dashboard import access
from dashboard.i18n import t

POLL_MS = 1000


class Spec(RequestModel):
    """What a button asks for (sent back by the browser, so bounded and checked again)."""

    kind: Code
    format: Code | None = None
    program_id: Id | None = None
    project_id: Id | None = None
    call_type: Code | None = None
    as_of: Day | None = None
    lang: Code = "ko"


def button(key: str, kind: str, params: dict[str, Any], label: str, lang: str | None) -> html.Div:
    """A download button for a report job of `kind` with `params`; `key` must be unique on the page."""
    spec = {"kind": kind, "lang": as_lang(lang), **{k: v for k, v in params.items() if v is not None}}
    return html.Div([
        html.Button(label, id={"type": "dl-start", "key": key}, className="button", n_clicks=0),
        dcc.Store(id={"type": "dl-spec", "key": key}, data=spec),
        dcc.Store(id={"type": "dl-job", "key": key}),
        dcc.Interval(id={"type": "dl-poll", "key": key}, interval=POLL_MS, disabled=True),
        html.Div(id={"type": "dl-status", "key": key}, className="hint", style={"minHeight": "1.4em"}),
    ], className="download", style={"display": "inline-block", "marginRight": "8px", "verticalAlign": "top"},
        id=f"download-{key}")


def status(job: jobs.JobRead, lang: str) -> list[Any]:
    """The progress bar and message of a job; the file link once it is done."""
    parts: list[Any] = [html.Progress(value=str(job.progress), max="100", style={"width": "160px"},
                                      title=f"{job.progress}%"),
                        html.Span(f" {job.progress}% · {job.message}")]
    if job.file_url:
        parts = [html.A(f"{t('dl.download', lang)} · {job.file_name}", href=job.file_url, download=job.file_name or "",
                        className="button")]
    elif job.status in jobs.FINISHED:
        parts = [html.Span(f"{job.status_label} · {job.message}")]
    return parts


def start(n_clicks: int | None, spec: dict[str, Any] | None) -> tuple[Any, bool, list[Any]]:
    """Enqueue the job of a button for the caller."""
    if not n_clicks or not spec:
        raise PreventUpdate
    user = access.caller()
    if user is None:
        raise PreventUpdate
    lang = as_lang((spec or {}).get("lang"))
    try:
        checked = Spec.model_validate(spec)
    except ValidationError:
        return None, True, [html.Span(t("dl.error", lang))]
    params = checked.model_dump(mode="json", exclude={"kind", "lang"}, exclude_none=True)
    try:
        with db.session_scope(write=True) as session:
            job = jobs.enqueue(session, user, checked.kind, params, reason=None)
            view = jobs.read(job, lang)
    except DomainError as exc:
        return None, True, [html.Span(f"{t('dl.error', lang)}: {exc.render(lang)}")]
    return view.id, view.status in jobs.FINISHED, status(view, lang)


def poll(_: int | None, job_id: Any, spec: dict[str, Any] | None) -> tuple[list[Any], bool]:
    """The job's progress; polling stops once it is finished."""
    user = access.caller()
    if user is None or not isinstance(job_id, int) or isinstance(job_id, bool) or not 0 < job_id < 2**31:
        raise PreventUpdate
    lang = as_lang((spec or {}).get("lang"))
    try:
        with db.session_scope() as session:
            view = jobs.read(jobs.get_job(session, job_id, user), lang)
    except DomainError:
        raise PreventUpdate from None
    return status(view, lang), view.status in jobs.FINISHED


def register(dash_app: Any) -> None:
    """Register the component's two callbacks once per app (pages that use it call this)."""
    if getattr(dash_app, "_downloads_registered", False):
        return
    dash_app._downloads_registered = True
    access.register(dash_app, start, Output({"type": "dl-job", "key": MATCH}, "data"),
                    Output({"type": "dl-poll", "key": MATCH}, "disabled"),
                    Output({"type": "dl-status", "key": MATCH}, "children"),
                    Input({"type": "dl-start", "key": MATCH}, "n_clicks"),
                    State({"type": "dl-spec", "key": MATCH}, "data"), page=None, prevent_initial_call=True)
    access.register(dash_app, poll, Output({"type": "dl-status", "key": MATCH}, "children", allow_duplicate=True),
                    Output({"type": "dl-poll", "key": MATCH}, "disabled", allow_duplicate=True),
                    Input({"type": "dl-poll", "key": MATCH}, "n_intervals"),
                    State({"type": "dl-job", "key": MATCH}, "data"),
                    State({"type": "dl-spec", "key": MATCH}, "data"), page=None, prevent_initial_call=True)
