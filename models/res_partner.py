from odoo import fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    sale_blacklisted = fields.Boolean(
        string="Blacklisted",
        help="Orders of this customer are held by the blacklist review rule.",
    )
    sale_blacklist_reason = fields.Char(string="Blacklist Reason")
