from odoo import fields, models


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

    sale_rma_line_id = fields.Many2one(
        comodel_name="sale.rma.line",
        string="After-Sales Line",
        index="btree_not_null",
        copy=False,
        readonly=True,
    )
    sale_rma_difference_line_id = fields.Many2one(
        comodel_name="sale.rma.line",
        string="After-Sales Price Difference",
        index="btree_not_null",
        copy=False,
        readonly=True,
        help="The exchange whose price difference this line invoices or credits.",
    )
