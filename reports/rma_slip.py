from odoo import api, models

from ..const import RETURN_TYPES


class ReportRmaSlip(models.AbstractModel):
    """After-sales slip (售后单): what the customer asked, what comes back and
    where to send it. The internal note stays internal."""

    _name = "report.sale_fulfillment.report_rma"
    _description = "After-Sales Slip"

    @api.model
    def _get_report_values(self, docids, data=None):
        rmas = self.env["sale.rma"].browse(docids)
        return {
            "doc_ids": docids,
            "doc_model": "sale.rma",
            "docs": rmas,
            "return_addresses": self._get_rma_return_addresses(rmas),
            "return_types": RETURN_TYPES,
        }

    @api.model
    def _get_rma_return_addresses(self, rmas):
        """``{request id: partner}``: where the customer sends the goods back,
        the warehouse receiving the returns (else the order's warehouse), else
        the company (hook)."""
        result = {}
        for rma in rmas:
            warehouse = (
                rma.return_picking_ids.picking_type_id.warehouse_id[:1]
                or rma.order_id.warehouse_id
            )
            result[rma.id] = warehouse.partner_id or rma.company_id.partner_id
        return result
