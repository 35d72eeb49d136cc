"""The four-pillar report as a printable PDF (lib/pdfdocs/report.py draws it),
in the language the caller has activated: every figure with its value (or
"hidden") and its definition, and the suppression note in the footer."""

from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from salama.lib.pdfdocs.report import ReportDoc, ReportFigure, ReportSection, figures_report
from salama.reports.figures import Figure, Report


def shown(figure: Figure) -> str:
    """A figure's value as printed."""
    if figure.value is None:
        return _("hidden")
    number = formats.number_format(figure.value, decimal_pos=0, use_l10n=True, force_grouping=True)
    if figure.unit == "percent":
        return f"{number}%"
    if figure.unit == "days":
        return _("%(days)s days") % {"days": formats.number_format(figure.value, decimal_pos=1)}
    return number


def _definition(figure: Figure) -> str:
    parts = [str(figure.definition.text)]
    for breakdown in figure.breakdowns:
        rows = breakdown.labelled()
        if len(rows) >= 2:
            parts.append(
                "; ".join(f"{label}: {_('hidden') if n is None else n}" for label, n in rows)
            )
    return " ".join(parts)


def suppression_note(report: Report) -> str:
    hidden = ngettext("%(n)d figure hidden.", "%(n)d figures hidden.", report.hidden) % {
        "n": report.hidden
    }
    return _(
        "Counts between 1 and %(low)d are hidden, with others beside them so that none can be "
        "worked out from totals (k = %(k)d). %(hidden)s Generated %(day)s by Salama."
    ) % {
        "low": report.k - 1,
        "k": report.k,
        "hidden": hidden,
        "day": timezone.localdate().isoformat(),
    }


def report_pdf(report: Report, language: str) -> bytes:
    sections = tuple(
        ReportSection(
            title=str(pillar.label),
            figures=tuple(
                ReportFigure(str(f.definition.label), shown(f), _definition(f))
                for f in pillar.figures
            ),
        )
        for pillar in report.pillars
    )
    subtitle = (
        f"{report.site.name_in(language)} · {report.start.isoformat()} – {report.end.isoformat()}"
    )
    doc = ReportDoc(
        lang=language,
        title=_("Women, peace and security: figures by pillar"),
        subtitle=subtitle,
        sections=sections,
        footer=suppression_note(report),
    )
    return figures_report(doc)
