"""What-if allocation (officials): rule values and budgets on the left, the comparison with what was decided
on the right, the differences highlighted. Every run re-checks the caller's role on the server
(access.register) and parses its inputs through the bounded request model (core.bounded types)."""

from __future__ import annotations

from typing import Any

from dash import Input, Output, State, dcc, html
from pydantic import ValidationError

from core import glossary
from core.errors import DomainError
from core.i18n import format_date
from core.models import User
from core.money import format_krw
from dashboard import access, data
from dashboard.data import decisions as decision_data
from dashboard.i18n import t
from decisions.models import WhatIfRequest

PAGE = "whatif"
DIFF = {"background": "#fff3cd"}

# Labels of this page (Korean first); the navigation label is in dashboard/i18n.py.
LABELS: dict[str, tuple[str, str]] = {
    "title": ("가정 배분", "What-if allocation"),
    "intro": ("기록된 평가표로 선정·출연금·재원 한도를 다시 계산합니다. "
              "기록은 바뀌지 않고, 실행마다 감사 로그에 남습니다.",
              "Re-runs selection, grants and envelope limits on the recorded score sheets. Nothing recorded "
              "changes; every run is written to the audit log."),
    "rules": ("규칙", "Rules"), "budgets": ("재원 (증감 %)", "Budgets (change in %)"),
    "threshold": ("선정 기준(점)", "Pass threshold"), "trimming": ("최고·최저 점수 제외", "Trim highest/lowest"),
    "bands": ("점수 구간: 최소점수:지원율, …", "Bands: min score:rate, …"),
    "crowd": ("크라우드소싱 가점", "Crowdsourcing bonus"),
    "vulnerable": ("취약계층 고용 가점", "Vulnerable-hiring bonus"),
    "regional": ("지역 주관기관 가점", "Regional-lead bonus"), "cap": ("가점 상한", "Bonus cap"),
    "hires": ("1억원당 의무 고용(명)", "Hires per 100M KRW"),
    "keep": ("기록된 순위 이탈 유지", "Keep recorded departures"),
    "seed": ("추첨 시드 (비우면 추첨 없음)", "Lottery seed (empty: no lottery)"),
    "tolerance": ("추첨 허용 차이(점)", "Lottery tolerance (points)"), "run": ("계산", "Run"),
    "decided": ("결정", "Decided"), "whatif": ("가정", "What-if"), "delta": ("차이", "Difference"),
    "funded": ("지원 과제", "Projects funded"), "grants": ("출연금 합계", "Grants"),
    "req_hires": ("의무 직접고용(명)", "Required hires"), "crowd_share": ("크라우드소싱 비율", "Crowdsourcing share"),
    "envelopes": ("재원별 비교", "Envelopes"), "changed": ("달라지는 과제", "Projects that change"),
    "none_changed": ("달라지는 과제가 없습니다 (기록된 결정과 같습니다).", "No project changes (same as decided)."),
    "amount": ("배정액", "Amount"), "left": ("잔액", "Left"), "below": ("지원선 아래", "Below the line"),
    "project": ("과제", "Project"), "consortium": ("컨소시엄", "Consortium"), "grant": ("출연금", "Grant"),
    "invalid": ("입력값을 확인하세요", "Check the inputs"), "start": ("규칙이나 재원을 바꾸고 계산을 누르세요.",
                                                           "Change rules or budgets and press Run."),
    "digest": ("결과 요약값", "Result digest"),
}
CALL_TYPES = ("designated", "regional", "free")


def tt(key: str, lang: str | None) -> str:
    ko, en = LABELS.get(key, (key, key))
    return en if lang == "en" else ko


def _field(label: str, cid: str, value: Any = "", **kw: Any) -> html.Div:
    return html.Div([html.Label(label, htmlFor=cid), dcc.Input(id=cid, value=value, debounce=True, type="text",
                                                               style={"width": "100%"}, **kw)])


def layout(user: User | None, lang: str | None, query: dict[str, str]) -> Any:
    pid, as_of = data.scope(query)
    rules = data.program_rules(pid) if pid else {}
    bands = ", ".join(f"{b['min_score']}:{b['rate']}" for b in rules.get("adjustment_bands", []))
    types = data.call_types()
    names = dict(zip(types["code"], types["name_en" if lang == "en" else "name_ko"], strict=True))
    left = html.Div([
        html.H3(tt("rules", lang)),
        _field(tt("threshold", lang), "whatif-threshold", rules.get("pass_threshold", "")),
        dcc.Checklist(id="whatif-trimming", options=[{"label": " " + tt("trimming", lang), "value": "on"}],
                      value=["on"]),
        _field(tt("bands", lang), "whatif-bands", bands),
        _field(tt("crowd", lang), "whatif-crowd", rules.get("bonus_crowd_points", "")),
        _field(tt("vulnerable", lang), "whatif-vulnerable", rules.get("bonus_vulnerable_points", "")),
        _field(tt("regional", lang), "whatif-regional", rules.get("bonus_regional_lead_points", "")),
        _field(tt("cap", lang), "whatif-cap", rules.get("bonus_cap", "")),
        _field(tt("hires", lang), "whatif-hires", rules.get("hires_per_100m_krw", "")),
        html.H3(tt("budgets", lang)),
        *[_field(names.get(c, c), f"whatif-budget-{c}", "0") for c in CALL_TYPES],
        dcc.Checklist(id="whatif-keep", options=[{"label": " " + tt("keep", lang), "value": "on"}], value=["on"]),
        _field(tt("seed", lang), "whatif-seed", ""),
        _field(tt("tolerance", lang), "whatif-tolerance", "0"),
        html.Button(tt("run", lang), id="whatif-run", n_clicks=0, style={"marginTop": "8px"}),
    ], className="card", style={"display": "flex", "flexDirection": "column", "gap": "6px"})
    return html.Div([
        html.H2(tt("title", lang)),
        html.P(f"{glossary.label('as_of', lang)} {format_date(as_of, lang or 'ko')}", className="hint as-of",
               id="whatif-as-of"),
        html.P(tt("intro", lang), className="hint"),
        dcc.Store(id="whatif-lang", data=lang),
        dcc.Store(id="whatif-scope", data={"program": pid, "as_of": as_of.isoformat() if as_of else None}),
        html.Div([left, dcc.Loading(html.Div(html.P(tt("start", lang), className="hint"), id="whatif-result",
                                             className="card"))],
                 style={"display": "grid", "gridTemplateColumns": "minmax(240px, 320px) minmax(0, 1fr)",
                        "gap": "12px"}),
    ], id="whatif-page")


def request_from_inputs(threshold: Any, trimming: Any, bands: Any, crowd: Any, vulnerable: Any, regional: Any,
                        cap: Any, hires: Any, designated: Any, regional_pct: Any, free: Any, keep: Any, seed: Any,
                        tolerance: Any) -> WhatIfRequest:
    """The bounded request from the form's (forgeable) values; raises ValueError/ValidationError when refused."""
    def text(v: Any) -> str | None:
        if v is None or isinstance(v, bool):
            return None
        s = str(v).strip()[:40]
        return s or None

    rules: dict[str, Any] = {k: v for k, v in {
        "pass_threshold": text(threshold), "bonus_crowd_points": text(crowd),
        "bonus_vulnerable_points": text(vulnerable), "bonus_regional_lead_points": text(regional),
        "bonus_cap": text(cap), "hires_per_100m_krw": text(hires)}.items() if v is not None}
    rules["trimming"] = isinstance(trimming, list) and "on" in trimming
    band_text = text(bands) if not isinstance(bands, str) or len(bands) <= 400 else None
    if band_text:
        pairs = [p.split(":") for p in str(bands)[:400].split(",") if p.strip()]
        if any(len(p) != 2 for p in pairs):
            raise ValueError("bands")
        rules["adjustment_bands"] = [{"min_score": a.strip(), "rate": b.strip()} for a, b in pairs]
    budgets = [{"target": c, "change_pct": v} for c, raw in zip(CALL_TYPES, (designated, regional_pct, free),
                                                                 strict=True)
               if (v := text(raw)) is not None and v not in ("0", "0.0", "+0", "-0")]
    body: dict[str, Any] = {"rules": rules, "budgets": budgets,
                            "keep_departures": isinstance(keep, list) and "on" in keep}
    if text(seed) is not None:
        body["lottery"] = {"seed": text(seed), "tolerance": text(tolerance) or "0"}
    return WhatIfRequest.model_validate(body)


def run(user: User | None, n_clicks: int | None, lang: str | None, *values: Any) -> Any:
    """One what-if run (recorded in the audit log) and its comparison, on the page's programme (its scope, last)."""
    scope = values[len(INPUTS)] if len(values) > len(INPUTS) else None
    values = values[:len(INPUTS)]
    pid, _ = data.scope({"program": str((scope or {}).get("program") or "") if isinstance(scope, dict) else ""})
    if not n_clicks or pid is None or user is None:
        return html.P(tt("start", lang), className="hint")
    try:
        request = request_from_inputs(*values)
        result = decision_data.what_if(user, pid, request)
    except (ValueError, ValidationError, DomainError) as exc:
        detail = getattr(exc, "message", None) or (
            "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()[:3])
            if isinstance(exc, ValidationError) else str(exc))
        return html.Div([html.P(tt("invalid", lang), className="error"), html.P(detail, className="hint")],
                        id="whatif-error")
    return comparison(result, lang)


def _money(v: int | None) -> Any:
    return format_krw(v, "eok") if v is not None else "–"


def comparison(result: dict[str, Any], lang: str | None) -> Any:
    """The comparison tables, differences highlighted (pure: the result dict in, components out)."""
    d, w = result["decided"], result["whatif"]

    def line(label: str, a: Any, b: Any, fmt: Any) -> html.Tr:
        style = DIFF if a != b else {}
        delta = (b - a) if isinstance(a, int) and isinstance(b, int) else ""
        return html.Tr([html.Td(label), html.Td(fmt(a), className="num"), html.Td(fmt(b), className="num", style=style),
                        html.Td(fmt(delta) if delta != "" else "", className="num", style=style)])

    def pct(v: Any) -> str:
        return f"{float(v) * 100:.1f}%" if v not in (None, "") else "–"

    totals = html.Table([html.Thead(html.Tr([html.Th(""), html.Th(tt("decided", lang), className="num"),
                                             html.Th(tt("whatif", lang), className="num"),
                                             html.Th(tt("delta", lang), className="num")])),
                         html.Tbody([line(tt("funded", lang), d["funded_projects"], w["funded_projects"], str),
                                     line(tt("grants", lang), d["grants_krw"], w["grants_krw"], _money),
                                     line(tt("req_hires", lang), d["required_hires"], w["required_hires"],
                                          lambda v: f"{v:,}" if isinstance(v, int) else str(v)),
                                     line(tt("crowd_share", lang), d["crowd_share"], w["crowd_share"], pct)])],
                        className="simple", id="whatif-totals")
    env_rows = [html.Tr([html.Td(e["name_ko"]), html.Td(_money(e["decided_amount_krw"]), className="num"),
                         html.Td(_money(e["whatif_amount_krw"]), className="num",
                                 style=DIFF if e["whatif_amount_krw"] != e["decided_amount_krw"] else {}),
                         html.Td(_money(e["decided_grants_krw"]), className="num"),
                         html.Td(_money(e["whatif_funded_krw"]), className="num",
                                 style=DIFF if e["whatif_funded_krw"] != e["decided_grants_krw"] else {}),
                         html.Td(_money(e["whatif_remaining_krw"]), className="num"),
                         html.Td(e["whatif_unfunded_projects"], className="num",
                                 style=DIFF if e["whatif_unfunded_projects"] else {})])
                for e in result["envelopes"]]
    envelopes = html.Table([html.Thead(html.Tr([
        html.Th(tt("envelopes", lang)), html.Th(f"{tt('amount', lang)} · {tt('decided', lang)}", className="num"),
        html.Th(f"{tt('amount', lang)} · {tt('whatif', lang)}", className="num"),
        html.Th(f"{tt('grants', lang)} · {tt('decided', lang)}", className="num"),
        html.Th(f"{tt('grants', lang)} · {tt('whatif', lang)}", className="num"),
        html.Th(tt("left", lang), className="num"), html.Th(tt("below", lang), className="num")])),
        html.Tbody(env_rows)], className="simple", id="whatif-envelopes")
    changed = [p for p in result["projects"] if p["consortium_changed"] or p["grant_changed"]]
    rows = [html.Tr([html.Td(p["project_code"], title=p["title_ko"]), html.Td(p["decided_consortium"] or "–"),
                     html.Td(p["whatif_consortium"] if p["whatif_grant_krw"] else "–",
                             style=DIFF if p["consortium_changed"] else {}),
                     html.Td(_money(p["decided_grant_krw"]), className="num"),
                     html.Td(_money(p["whatif_grant_krw"]), className="num", style=DIFF if p["grant_changed"] else {}),
                     html.Td(t(f"outcome.{p['whatif_outcome']}", lang) if p["whatif_outcome"] != "selected"
                             else ("–" if p["funding"] == "funded" else tt("below", lang)))])
            for p in changed[:200]]
    projects = html.Table([html.Thead(html.Tr([
        html.Th(tt("project", lang)), html.Th(f"{tt('consortium', lang)} · {tt('decided', lang)}"),
        html.Th(f"{tt('consortium', lang)} · {tt('whatif', lang)}"),
        html.Th(f"{tt('grant', lang)} · {tt('decided', lang)}", className="num"),
        html.Th(f"{tt('grant', lang)} · {tt('whatif', lang)}", className="num"), html.Th("")])),
        html.Tbody(rows)], className="simple", id="whatif-projects") if rows else html.P(
        tt("none_changed", lang), className="hint", id="whatif-projects")
    return html.Div([
        totals, html.H3(tt("envelopes", lang)), envelopes,
        html.H3(f"{tt('changed', lang)} ({len(changed):,})"), projects,
        html.P(f"{tt('digest', lang)} {result['digest'][:16]}…", className="hint", id="whatif-digest"),
    ])


INPUTS = ["whatif-threshold", "whatif-trimming", "whatif-bands", "whatif-crowd", "whatif-vulnerable",
          "whatif-regional", "whatif-cap", "whatif-hires", "whatif-budget-designated", "whatif-budget-regional",
          "whatif-budget-free", "whatif-keep", "whatif-seed", "whatif-tolerance"]


def register(dash_app: Any) -> None:
    access.register(dash_app, run, Output("whatif-result", "children"), Input("whatif-run", "n_clicks"),
                    State("whatif-lang", "data"),
                    *[State(cid, "value") for cid in INPUTS], State("whatif-scope", "data"), page=PAGE,
                    prevent_initial_call=True)
