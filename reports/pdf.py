"""Render a `Document` as PDF (reportlab platypus); returns bytes.

Hangul: NanumGothic (regular and bold, SIL Open Font Licence, in reports/fonts/) is
registered as a TrueType font and embedded as a subset, so the file shows Korean on any
machine. Tables repeat their header on each page, wrap long text and right-align
numbers; charts are reportlab graphics (bar, line, pie). No database, no paths.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.charts.piecharts import Pie
from reportlab.graphics.shapes import Drawing, Line, String
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (
    CondPageBreak,
    KeepTogether,
    LongTable,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    TableStyle,
)

from core.i18n import Lang
from reports.document import Chart, Document, Table, format_timestamp, format_value, totals, visible_text

FONT_DIR = Path(__file__).resolve().parent / "fonts"
FONT, FONT_BOLD = "NanumGothic", "NanumGothicBold"
PALETTE = [colors.HexColor(c) for c in ("#2f5597", "#ed7d31", "#70ad47", "#ffc000", "#5b9bd5", "#a5a5a5",
                                        "#7030a0", "#c00000")]
MAX_PDF_ROWS = 2000  # a PDF table lists at most this many rows; the rest is summarised in a note


@lru_cache
def register_fonts() -> None:
    """Register (once) the embedded Hangul fonts and their bold family member."""
    pdfmetrics.registerFont(TTFont(FONT, str(FONT_DIR / "NanumGothic.ttf")))
    pdfmetrics.registerFont(TTFont(FONT_BOLD, str(FONT_DIR / "NanumGothicBold.ttf")))
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT_BOLD, italic=FONT, boldItalic=FONT_BOLD)


@lru_cache
def _styles() -> dict[str, ParagraphStyle]:
    register_fonts()
    # Korean text wraps between words (어절), as Latin text does: never inside a number or a name
    base = ParagraphStyle("base", fontName=FONT, fontSize=9, leading=12)
    return {
        "title": ParagraphStyle("title", parent=base, fontName=FONT_BOLD, fontSize=18, leading=24, spaceAfter=4),
        "subtitle": ParagraphStyle("subtitle", parent=base, fontSize=11, leading=15,
                                   textColor=colors.HexColor("#444444")),
        "h1": ParagraphStyle("h1", parent=base, fontName=FONT_BOLD, fontSize=13, leading=18, spaceBefore=10,
                             spaceAfter=4, textColor=colors.HexColor("#1f3864")),
        "h2": ParagraphStyle("h2", parent=base, fontName=FONT_BOLD, fontSize=10.5, leading=14, spaceBefore=6,
                             spaceAfter=3),
        "body": base,
        "meta": ParagraphStyle("meta", parent=base, fontSize=8, leading=10.5),
        "cell": ParagraphStyle("cell", parent=base, fontSize=7.5, leading=9.5),
        "cell_num": ParagraphStyle("cell_num", parent=base, fontSize=7.5, leading=9.5, alignment=TA_RIGHT),
        "head": ParagraphStyle("head", parent=base, fontName=FONT_BOLD, fontSize=7.5, leading=9.5),
        "note": ParagraphStyle("note", parent=base, fontSize=7.5, leading=10, textColor=colors.HexColor("#555555")),
    }


def _p(text: str, style: str) -> Paragraph:
    return Paragraph(escape(visible_text(text)).replace("\n", "<br/>"), _styles()[style])


def _table_flowables(table: Table, avail_width: float, lang: Lang = "ko") -> list[Any]:
    st = _styles()
    cols = list(table.columns)
    rows: list[Sequence[Any]] = []
    extra = 0
    for r in table.rows:
        if len(rows) < MAX_PDF_ROWS:
            rows.append(r)
        else:
            extra += 1
    data: list[list[Any]] = [[Paragraph(escape(c.label), st["head"]) for c in cols]]
    numeric = [c.fmt in ("won", "int", "id", "percent", "decimal", "mixed") for c in cols]
    for r in rows:
        data.append([Paragraph(escape(format_value(v, c.fmt, lang)), st["cell_num"] if num else st["cell"])
                     for v, c, num in zip(r, cols, numeric, strict=True)])
    if table.total_label and rows:
        tot = totals(cols, rows)
        tot[0] = table.total_label
        data.append([Paragraph("<b>" + escape("" if v is None else format_value(v, c.fmt, lang) if i else str(v))
                               + "</b>",
                               st["cell_num"] if numeric[i] and i else st["cell"])
                     for i, (v, c) in enumerate(zip(tot, cols, strict=True))])
    weights = [c.width for c in cols]
    scale = avail_width / sum(weights)
    t = LongTable(data, colWidths=[w * scale for w in weights], repeatRows=1)
    style = [
        ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#9aa5b1")),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#dde5f0")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
        ("LEFTPADDING", (0, 0), (-1, -1), 2.5),
        ("RIGHTPADDING", (0, 0), (-1, -1), 2.5),
    ]
    if table.total_label and rows:
        style.append(("BACKGROUND", (0, -1), (-1, -1), colors.HexColor("#f2f2f2")))
    t.setStyle(TableStyle(style))
    out: list[Any] = [CondPageBreak(30 * mm), _p(table.title, "h2"), t]
    if extra:
        out.append(_p(f"… 외 {extra:,}행 생략 (전체는 엑셀 파일 참조)" if lang == "ko"
                      else f"… and {extra:,} more rows (see the Excel workbook)", "note"))
    if table.note:
        out.append(_p(table.note, "note"))
    out.append(Spacer(1, 4 * mm))
    return out


def _money_scale(peak: float, lang: Lang) -> tuple[float, str]:
    """The unit a money axis is drawn in: 억원 (100 million) from 1억, 만원 from 1만, else 원."""
    if peak >= 1e8:
        return 1e8, "억원" if lang == "ko" else "100M KRW"
    if peak >= 1e4:
        return 1e4, "만원" if lang == "ko" else "10K KRW"
    return 1.0, "원" if lang == "ko" else "KRW"


def _tick(v: float) -> str:
    return f"{v:,.0f}" if v == int(v) or abs(v) >= 100 else f"{v:,.1f}"


def _value_label(v: float) -> str:
    return f"{v:,.0f}" if v == int(v) else f"{v:,.1f}"


def _wrap(label: str, width: float, font_size: float = 7) -> str:
    """A category label on as many lines as it needs to fit `width` points (never cut with "…"):
    lines break between words or after a middle dot (음성·자연어), a word wider than a line is split."""
    def fits(text: str) -> bool:
        return pdfmetrics.stringWidth(text, FONT, font_size) <= width

    pieces: list[str] = []
    for word in label.split():
        parts = [p + "·" for p in word.split("·")]
        parts[-1] = parts[-1][:-1]
        pieces.extend(parts if not fits(word) else [word])
        pieces.append(" ")
    lines: list[str] = []
    current = ""
    for piece in pieces[:-1]:
        if piece == " ":
            current += " " if current else ""
            continue
        while not fits(piece):  # one piece wider than a line: split it where it must
            k = len(piece)
            while k > 1 and not fits(piece[:k]):
                k -= 1
            if current.strip():
                lines.append(current.strip())
                current = ""
            lines.append(piece[:k])
            piece = piece[k:]
        if fits(current + piece):
            current += piece
        else:
            lines.append(current.strip())
            current = piece
    if current.strip():
        lines.append(current.strip())
    return "\n".join(lines) if lines else label


def _unit_text(spec: Chart, lang: Lang, money_unit: str) -> str:
    unit = {"won": money_unit, "score": "점" if lang == "ko" else "points",
            "percent": "%"}.get(spec.y_unit, "")
    what = spec.y_label
    if unit and what:
        return f"{what} (단위: {unit})" if lang == "ko" else f"{what} (unit: {unit})"
    return what or (f"단위: {unit}" if lang == "ko" else f"unit: {unit}") if unit else what


def chart_drawing(spec: Chart, width: float, height: float = 66 * mm, lang: Lang = "ko") -> Drawing:
    """A reportlab Drawing of the chart spec: a title, the unit of its value axis, whole category labels,
    a legend only where it explains (several series, a pie, colours that mean something)."""
    register_fonts()
    d = Drawing(width, height)
    d.add(String(0, height - 11, spec.title, fontName=FONT_BOLD, fontSize=9.5))
    top = height - 14
    if spec.note:
        d.add(String(0, top - 8, spec.note, fontName=FONT, fontSize=7, fillColor=colors.HexColor("#444444")))
        top -= 10
    if not spec.categories or not spec.series:
        d.add(String(width / 2, height / 2, "자료 없음" if lang == "ko" else "no data", fontName=FONT, fontSize=9,
                     textAnchor="middle"))
        return d
    if spec.kind == "pie":
        pie = Pie()
        size = min(top - 12, width * 0.42)
        pie.x, pie.y, pie.width, pie.height = 10, (top - size) / 2, size, size
        pie.data = [max(float(v), 0.0) for v in spec.series[0].values]
        pie.labels = None
        pie.slices.strokeWidth = 0.5
        for i in range(len(pie.data)):
            pie.slices[i].fillColor = PALETTE[i % len(PALETTE)]
        d.add(pie)
        legend = Legend()
        legend.x, legend.y = size + 30, top - 10
        legend.fontName, legend.fontSize = FONT, 7.5
        legend.alignment = "right"
        total = sum(pie.data) or 1.0
        scale, unit = _money_scale(max(pie.data), lang) if spec.y_unit == "won" else (1.0, "")
        legend.colorNamePairs = [(PALETTE[i % len(PALETTE)],
                                  f"{c}  {v / total:.1%}" + (f" ({v / scale:,.1f}{unit})" if unit else ""))
                                 for i, (c, v) in enumerate(zip(spec.categories, pie.data, strict=True))]
        d.add(legend)
        return d

    peak = max((float(v) for s in spec.series for v in s.values), default=0.0)
    scale, money_unit = _money_scale(peak, lang) if spec.y_unit == "won" else (1.0, "")
    unit_text = _unit_text(spec, lang, money_unit)
    if unit_text:
        d.add(String(0, top - 8, unit_text, fontName=FONT, fontSize=7, fillColor=colors.HexColor("#444444")))
        top -= 10
    items = list(spec.legend_items) or ([(PALETTE[i % len(PALETTE)].hexval(), s.name)
                                         for i, s in enumerate(spec.series)]
                                        if spec.legend or (spec.legend is None and len(spec.series) > 1) else [])
    legend_h = 12 if items else 0
    n = len(spec.categories)
    plot_w = width - 52 - (62 if spec.reference_lines else 0)  # room right of the plot for a reference line's label
    per_cat = plot_w / n
    widest = max(pdfmetrics.stringWidth(c, FONT, 7) for c in spec.categories)
    # dates and numbers are turned rather than broken (2021. 3. stays on one line); names wrap
    rotate = per_cat < 24 or (widest > per_cat - 2 and any(ch.isdigit() for c in spec.categories for ch in c))
    step = max(1, -(-n // 14)) if rotate else 1  # at most ~14 labels when they must be turned
    names = [("" if i % step else (c if rotate else _wrap(c, per_cat - 2))) for i, c in enumerate(spec.categories)]
    label_lines = 1 if rotate else max(nm.count("\n") + 1 for nm in names)
    bottom = legend_h + (34 if rotate else 6 + 8 * label_lines)

    chart: VerticalBarChart | HorizontalLineChart = VerticalBarChart() if spec.kind == "bar" else HorizontalLineChart()
    chart.x, chart.y = 42, bottom
    chart.width, chart.height = plot_w, max(top - 8 - bottom, 30)
    chart.data = [[float(v) / scale for v in s.values] for s in spec.series]
    chart.categoryAxis.categoryNames = names
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = 6.5 if rotate else 7
    if rotate:
        chart.categoryAxis.labels.angle = 45
        chart.categoryAxis.labels.boxAnchor = "ne"
    chart.valueAxis.labels.fontName = FONT
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.labelTextFormat = _tick
    chart.valueAxis.valueMin = 0
    refs = [(float(v) / scale, text) for v, text in spec.reference_lines]
    vmax = spec.y_max
    if vmax is None and refs:
        vmax = max([peak / scale, *(v for v, _ in refs)]) * 1.1
    if vmax is not None:
        chart.valueAxis.valueMax = vmax
        if spec.y_max == 100:
            chart.valueAxis.valueStep = 10
    for i in range(len(spec.series)):
        if spec.kind == "bar":
            chart.bars[i].fillColor = PALETTE[i % len(PALETTE)]
        else:
            chart.lines[i].strokeColor = PALETTE[i % len(PALETTE)]
            chart.lines[i].strokeWidth = 1.5
    if spec.kind == "bar" and spec.bar_colors and len(spec.series) == 1:
        for j, c in enumerate(spec.bar_colors):
            chart.bars[(0, j)].fillColor = colors.HexColor(c)
    if spec.value_labels:
        if isinstance(chart, VerticalBarChart):
            chart.barLabelFormat = "%.2f" if spec.y_unit == "score" else _value_label
            chart.barLabels.fontName, chart.barLabels.fontSize = FONT, 7
            chart.barLabels.nudge = 6
        else:
            chart.lineLabelFormat = _value_label
            chart.lineLabels.fontName, chart.lineLabels.fontSize = FONT, 7
            chart.lineLabels.dy = 6
        if isinstance(chart, HorizontalLineChart):
            chart.joinedLines = 1
            chart.lines.symbol = None
    d.add(chart)
    if refs and vmax:
        for value, text in refs:
            y = chart.y + chart.height * value / vmax
            d.add(Line(chart.x, y, chart.x + chart.width, y, strokeColor=colors.HexColor("#c00000"),
                       strokeWidth=1, strokeDashArray=[4, 2]))
            d.add(String(chart.x + chart.width + 3, y - 2.5, text, fontName=FONT_BOLD, fontSize=7,
                         fillColor=colors.HexColor("#c00000"), textAnchor="start"))
    if items:
        legend = Legend()
        legend.x, legend.y = 42, 6
        legend.fontName, legend.fontSize = FONT, 7
        legend.alignment = "right"
        legend.columnMaximum = 1
        legend.deltax = 70
        legend.colorNamePairs = [(colors.HexColor(c) if isinstance(c, str) else c, name) for c, name in items]
        d.add(legend)
    return d


def _footer(doc: Document) -> Any:
    def draw(canvas: Any, pdf: Any) -> None:
        canvas.saveState()
        canvas.setFont(FONT, 7)
        canvas.setFillColor(colors.HexColor("#666666"))
        hash_label = "감사 해시" if doc.lang == "ko" else "audit hash"
        text = (f"{doc.title} · {format_timestamp(doc.meta.generated_at, doc.lang)} · {doc.meta.generated_by} · "
                f"{hash_label} {doc.meta.audit_hash[:16]}…")
        canvas.drawString(pdf.leftMargin, 8 * mm, visible_text(text))
        if doc.meta.checkpoint:  # the signed checkpoint written for this report, on every page
            canvas.setFont(FONT, 6)
            canvas.drawString(pdf.leftMargin, 5 * mm, visible_text(doc.meta.checkpoint))
        canvas.drawRightString(pdf.pagesize[0] - pdf.rightMargin, 8 * mm, f"{pdf.page}")
        canvas.restoreState()

    return draw


def render_pdf(doc: Document, *, landscape_pages: bool = True) -> bytes:
    """The document as PDF bytes: title, metadata block, then each section's text, charts and tables."""
    register_fonts()
    buf = io.BytesIO()
    pagesize = landscape(A4) if landscape_pages else A4
    pdf = SimpleDocTemplate(buf, pagesize=pagesize, leftMargin=14 * mm, rightMargin=14 * mm, topMargin=14 * mm,
                            bottomMargin=16 * mm, title=doc.title, author=doc.meta.generated_by,
                            subject=doc.subtitle, creator="grant programme system")
    width = pagesize[0] - pdf.leftMargin - pdf.rightMargin
    story: list[Any] = [_p(doc.title, "title"), _p(doc.subtitle, "subtitle"), Spacer(1, 3 * mm)]
    meta_rows = [[_p(k, "meta"), _p(v, "meta")] for k, v in doc.meta.lines()]
    mt = LongTable(meta_rows, colWidths=[70 * mm, width - 70 * mm])
    mt.setStyle(TableStyle([("BOX", (0, 0), (-1, -1), 0.25, colors.grey),
                            ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#f2f2f2")),
                            ("TOPPADDING", (0, 0), (-1, -1), 1), ("BOTTOMPADDING", (0, 0), (-1, -1), 1)]))
    story += [mt, Spacer(1, 4 * mm)]
    for section in doc.sections:
        # keep a section's heading with its first chart row (or the start of its first table)
        story += [CondPageBreak((110 if section.charts else 40) * mm), _p(section.title, "h1")]
        story += [_p(text, "body") for text in section.paragraphs]
        charts = [chart_drawing(c, (width - 6 * mm) / 2, lang=doc.lang) for c in section.charts]
        for i in range(0, len(charts), 2):
            pair = charts[i:i + 2]
            row = LongTable([pair], colWidths=[(width) / 2] * len(pair), hAlign="LEFT")
            row.setStyle(TableStyle([("LEFTPADDING", (0, 0), (-1, -1), 0), ("VALIGN", (0, 0), (-1, -1), "TOP")]))
            story += [KeepTogether([row]), Spacer(1, 3 * mm)]
        for table in section.tables:
            story += _table_flowables(table, width, doc.lang)
    pdf.build(story, onFirstPage=_footer(doc), onLaterPages=_footer(doc))
    return buf.getvalue()
