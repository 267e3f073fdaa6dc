from odoo import fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    # Sales staff only: the customer reading their own contact never learns
    # that, or why, they are blacklisted.
    sale_blacklisted = fields.Boolean(
        string="Blacklisted",
        groups="sales_team.group_sale_salesman",
        help="Orders of this customer are held by the blacklist review rule.",
    )
    sale_blacklist_reason = fields.Char(
        string="Blacklist Reason", groups="sales_team.group_sale_salesman"
    )
