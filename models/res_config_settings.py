from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    sale_review_allow_self_approval = fields.Boolean(
        related="company_id.sale_review_allow_self_approval",
        readonly=False,
    )
