from odoo import api, fields, models


class ReportOrderStatistics(models.AbstractModel):
    """Order Statistics PDF: the KPIs of a period, one page per digest."""

    _name = "report.sale_fulfillment.report_order_statistics"
    _description = "Order Statistics"

    @api.model
    def _get_report_values(self, docids, data=None):
        """Pages of the digests ``docids``, each with its latest complete
        period, or with ``data``'s ``date_from``/``date_to``. Without a digest
        (the Order Statistics wizard), one page for ``data``'s company with
        every KPI. ``data['kpis']``, when given, are the figures of a single
        digest's period, already computed."""
        data = data or {}
        Digest = self.env["sale.fulfillment.digest"]
        digests = Digest.browse(docids)
        if not digests:
            company = self.env["res.company"].browse(data.get("company_id"))
            digests = Digest.new(
                {
                    "name": self.env._("Order Statistics"),
                    "company_id": (company or self.env.company).id,
                    "tz": self.env.context.get("tz") or self.env.user.tz or "UTC",
                }
            )
        pages = []
        for digest in digests:
            if data.get("date_from") and data.get("date_to"):
                date_from = fields.Date.to_date(data["date_from"])
                date_to = fields.Date.to_date(data["date_to"])
            else:
                date_from, date_to = digest._get_period(digest._get_today())
            # A digest's email passes the figures it has just computed.
            kpis = data.get("kpis") if len(digests) == 1 else None
            pages.append(
                digest.with_company(digest.company_id)._get_render_values(
                    date_from, date_to, kpis=kpis
                )
            )
        return {
            "doc_ids": docids,
            "doc_model": Digest._name,
            "docs": digests,
            "pages": pages,
        }
