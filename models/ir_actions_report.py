import functools
import subprocess

from lxml import etree, html

from odoo import api, models

from odoo.addons.base.models.ir_actions_report import _get_wkhtmltopdf_bin


@functools.cache
def _get_wkhtmltopdf_version():
    """What ``wkhtmltopdf --version`` prints (empty when it cannot run). Read
    once per process, as Odoo reads the version when it starts."""
    try:
        result = subprocess.run(
            [_get_wkhtmltopdf_bin(), "--version"],
            capture_output=True,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return ""
    return result.stdout.decode(errors="replace")


class IrActionsReport(models.Model):
    _inherit = "ir.actions.report"

    @api.model
    def _is_wkhtmltopdf_patched(self):
        """Whether wkhtmltopdf is the build with patched Qt (the one of the
        wkhtmltopdf packaging releases, which says so in its version). The
        builds of Debian and Ubuntu are not: they print one HTML document per
        PDF, and no separate header or footer."""
        return "patched qt" in _get_wkhtmltopdf_version().lower()

    @api.model
    def _print_as_one_document(self, report_ref):
        """Whether the bodies of ``report_ref``, one per record, go to
        wkhtmltopdf as one document with page breaks instead of one document
        each: for the reports of this addon, when wkhtmltopdf cannot take
        several documents (unpatched Qt), so that printing several records
        works there too.

        Extension point: return True for other reports to print them so."""
        report = self._get_report(report_ref)
        return (report.report_name or "").startswith(
            "sale_fulfillment."
        ) and not self._is_wkhtmltopdf_patched()

    @api.model
    def _run_wkhtmltopdf(self, bodies, report_ref=False, **kwargs):
        if len(bodies) > 1 and report_ref and self._print_as_one_document(report_ref):
            bodies = [self._merge_report_bodies(bodies)]
        return super()._run_wkhtmltopdf(bodies, report_ref=report_ref, **kwargs)

    @api.model
    def _merge_report_bodies(self, bodies):
        """One HTML document holding the content of ``bodies`` (the HTML
        documents Odoo renders for the records, all on the same layout), each
        record's content starting on a new page."""
        documents = [html.document_fromstring(str(body)) for body in bodies]
        merged = documents[0]
        target = merged.body
        for document in documents[1:]:
            page = etree.SubElement(
                target, "div", style="page-break-before: always; clear: both;"
            )
            source = document.body
            if source.text and source.text.strip():
                page.text = source.text
            for child in list(source):
                page.append(child)
        return html.tostring(merged, encoding="unicode", doctype="<!DOCTYPE html>")
