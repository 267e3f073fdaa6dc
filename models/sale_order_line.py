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
}


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    production_ids = fields.One2many(
        comodel_name="mrp.production",
        inverse_name="sale_line_id",
        string="Manufacturing Orders",
        help="Manufacturing orders created to make this line (make-to-order).",
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
