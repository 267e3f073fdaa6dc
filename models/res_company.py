from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    sale_review_allow_self_approval = fields.Boolean(
        string="Salespeople May Review Their Own Orders",
        help="If unset, a held order must be reviewed by someone other than its "
        "salesperson.",
    )
