from odoo import api, fields, models


class SaleReviewIssue(models.Model):
    _name = "sale.review.issue"
    # ``message`` reads in the reader's language (see the mixin).
    _inherit = ["sale.fulfillment.message.mixin"]
    _description = "Order Review Issue"
    _order = "order_id desc, severity, id"

    order_id = fields.Many2one(
        comodel_name="sale.order",
        required=True,
        ondelete="cascade",
        index=True,
    )
    company_id = fields.Many2one(related="order_id.company_id", store=True)
    rule_id = fields.Many2one(
        comodel_name="sale.review.rule",
        required=True,
        ondelete="cascade",
        index=True,
    )
    rule_type = fields.Selection(related="rule_id.rule_type", store=True)
    severity = fields.Selection(
        selection=[("block", "Blocking"), ("warning", "Warning")],
        required=True,
    )
    reviewer_group_id = fields.Many2one(
        comodel_name="res.groups",
        string="Cleared by",
        required=True,
    )
    cleared_by_id = fields.Many2one(comodel_name="res.users", readonly=True)
    cleared_on = fields.Datetime(readonly=True)
    is_open = fields.Boolean(
        compute="_compute_is_open",
        store=True,
        help="A blocking issue nobody has cleared yet.",
    )

    @api.depends("severity", "cleared_by_id")
    def _compute_is_open(self):
        for issue in self:
            issue.is_open = issue.severity == "block" and not issue.cleared_by_id
