from odoo import fields, models


class CrmTeam(models.Model):
    _inherit = "crm.team"

    sale_default_medium_id = fields.Many2one(
        comodel_name="utm.medium",
        string="Default Channel",
        ondelete="set null",
        help="The channel of the team's new orders created without one, e.g. "
        "Phone for a telesales team. Empty: the company's default channel.",
    )
