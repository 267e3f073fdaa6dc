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
    # Order intake: the customers a channel brought, matched again by the
    # channel's buyer id, phone or email (within the channel only).
    channel_medium_id = fields.Many2one(
        comodel_name="utm.medium",
        string="Source Channel",
        index="btree_not_null",
        help="The channel (marketplace, shop) whose imported order created "
        "this customer. Its next orders find the customer again by platform "
        "buyer id, phone or email.",
    )
    channel_buyer_ref = fields.Char(
        string="Platform Buyer ID",
        index="btree_not_null",
        help="The buyer's id on the channel (买家ID).",
    )
