from odoo import fields, models


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    channel_line_ref = fields.Char(
        string="Platform Line No.",
        copy=False,
        help="The line's number (sub-order) on the marketplace the order came from.",
    )
