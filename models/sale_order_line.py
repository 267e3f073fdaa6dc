from datetime import timedelta

from odoo import api, fields, models

# Changing these on a line of a held or rejected order voids the order's review.
REVIEWED_LINE_FIELDS = {
    "product_id",
    "product_uom_qty",
    "product_uom",
    "price_unit",
    "discount",
    "route_id",
    "customer_lead",
    "commitment_date",
}


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    production_ids = fields.One2many(
        comodel_name="mrp.production",
        inverse_name="sale_line_id",
        string="Manufacturing Orders",
        help="Manufacturing orders created to make this line (make-to-order).",
    )
    commitment_date = fields.Datetime(
        string="Line Delivery Date",
        copy=False,
        help="Deliver this line on its own date. On confirmation, lines with "
        "different delivery dates go to separate shipments, each scheduled on its "
        "date minus the company's security lead time.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        lines = super().create(vals_list)
        lines.order_id._review_void()
        return lines

    def write(self, vals):
        if REVIEWED_LINE_FIELDS & vals.keys():
            self.order_id._review_void()
        return super().write(vals)

    def unlink(self):
        self.order_id._review_void()
        return super().unlink()

    def _prepare_procurement_values(self, group_id=False):
        values = super()._prepare_procurement_values(group_id=group_id)
        if self.commitment_date:
            values["date_deadline"] = self.commitment_date
            values["date_planned"] = self.commitment_date - timedelta(
                days=self.order_id.company_id.security_lead
            )
        return values
