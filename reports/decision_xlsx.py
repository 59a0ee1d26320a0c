"""The decision package as an .xlsx workbook: Korean sheet names, numbers as numbers (won as #,##0).

The same Document as the PDF (reports.decision_pdf.package_document), rendered by the house
workbook renderer (reports.excel.render_workbook); the sign-off sheet (결재) has empty cells
for 담당 · 검토 · 승인. No database, no paths.
"""

from __future__ import annotations

from decisions.package import DecisionPackage
from reports.decision_pdf import package_document
from reports.document import Metadata
from reports.excel import render_workbook


def render_decision_xlsx(pkg: DecisionPackage, meta: Metadata) -> bytes:
    """The decision package workbook (summary first, then one Korean-named sheet per table)."""
    return render_workbook(package_document(pkg, meta))
