"""The chronology as CSV and as PDF, for one user: the lines the page shows
(already masked for a user not entitled to masked details), nothing more.

CSV: the csv module; every cell that begins with ``=``, ``+``, ``-`` or ``@``
(or a tab or carriage return, which some spreadsheets skip before reading a
formula) is neutralised with a leading apostrophe, so a spreadsheet never runs
it as a formula (OWASP, "CSV Injection"). PDF: reportlab, A4 landscape table.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import date
from xml.sax.saxutils import escape

from django.utils import timezone

from kinmap.core.chronology import Line

from .kinds import KIND_LABELS

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
HEADER = (
    "date",
    "date is",
    "kind",
    "what happened",
    "people",
    "recorded by",
    "recorded at",
    "corrects",
    "later",
)


def neutralise(cell: str) -> str:
    """``cell`` made safe to open in a spreadsheet: a leading apostrophe when it
    begins with a character that starts a formula (OWASP CSV injection)."""
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


def line_cells(line: Line, names: dict[int, str]) -> tuple[str, ...]:
    """One line as the cells of a row, in the order of :data:`HEADER`."""
    at = timezone.localtime(line.recorded_at)
    return (
        line.on.isoformat(),
        "when it happened" if line.dated else "when it was recorded",
        KIND_LABELS.get(line.kind, line.kind),
        line.words,
        "; ".join(sorted(names[p] for p in line.people if p in names)),
        line.recorded_by or "the system",
        at.isoformat(timespec="minutes"),
        line.corrects,
        line.later,
    )


def chronology_csv(lines: Sequence[Line], names: dict[int, str]) -> str:
    """The lines as CSV text (a header row, then one row per line)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    for line in lines:
        writer.writerow([neutralise(c) for c in line_cells(line, names)])
    return out.getvalue()


def chronology_pdf(
    title: str, lines: Sequence[Line], names: dict[int, str], made_on: date, scope: str
) -> bytes:
    """The lines as an A4 landscape PDF: a title, what it covers, and a table."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    styles = getSampleStyleSheet()
    cell = styles["BodyText"]
    cell.fontSize, cell.leading = 8, 10

    def p(text: str) -> Paragraph:
        return Paragraph(escape(text), cell)

    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=landscape(A4),
        title=title,
        leftMargin=12 * mm,
        rightMargin=12 * mm,
        topMargin=12 * mm,
        bottomMargin=12 * mm,
    )
    story: list = [
        Paragraph(escape(title), styles["Title"]),
        Paragraph(escape(f"Made on {made_on.day} {made_on:%B %Y}. {scope}"), styles["BodyText"]),
        Spacer(1, 4 * mm),
    ]
    rows = [[p(h) for h in ("Date", "What happened", "Kind", "Recorded")]]
    for line in lines:
        c = line_cells(line, names)
        what = (
            line.words
            + (f" — {line.corrects}" if line.corrects else "")
            + (f" — {line.later}" if line.later else "")
        )
        when = c[0] + ("" if line.dated else " (recorded)")
        rows.append([p(when), p(what), p(c[2]), p(f"{c[5]}, {c[6].replace('T', ' ')}")])
    if len(rows) == 1:
        rows.append([p(""), p("Nothing recorded."), p(""), p("")])
    table = Table(rows, colWidths=[28 * mm, 160 * mm, 35 * mm, 50 * mm], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke),
            ]
        )
    )
    story.append(table)
    doc.build(story)
    return buffer.getvalue()
