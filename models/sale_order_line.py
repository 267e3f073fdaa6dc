from odoo import fields, models


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    production_ids = fields.One2many(
        comodel_name="mrp.production",
        inverse_name="sale_line_id",
        string="Manufacturing Orders",
        help="Manufacturing orders created to make this line (make-to-order).",
    )
