from odoo import api, fields, models

# The links of credit note and invoice lines to after-sales request lines:
# only the requests set them, through the marker ``RMA_WRITE``.
RMA_LINK_FIELDS = frozenset({"sale_rma_line_id", "sale_rma_difference_line_id"})


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

    @api.model_create_multi
    def create(self, vals_list):
        if any(vals.get(field) for vals in vals_list for field in RMA_LINK_FIELDS):
            self.env["sale.rma"]._check_rma_write()
        return super().create(vals_list)

    def write(self, vals):
        if RMA_LINK_FIELDS & vals.keys():
            self.env["sale.rma"]._check_rma_write()
        return super().write(vals)
