from odoo import fields, models


class SaleRmaReason(models.Model):
    _name = "sale.rma.reason"
    _description = "After-Sales Reason"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    category = fields.Selection(
        selection=[
            ("quality", "Quality Problem"),
            ("wrong_goods", "Wrong or Missing Goods"),
            ("logistics", "Lost or Damaged in Transit"),
            ("customer", "Customer's Choice"),
            ("order_change", "Order Change"),
            ("other", "Other"),
        ],
        required=True,
        default="other",
        help="Groups reasons in the after-sales analysis.",
    )
    company_id = fields.Many2one(
        comodel_name="res.company",
        help="Leave empty to offer the reason in every company.",
    )
    description = fields.Text(translate=True)
