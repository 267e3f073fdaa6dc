from odoo import fields, models


class SaleReviewRejectWizard(models.TransientModel):
    _name = "sale.review.reject.wizard"
    _description = "Reject Held Orders"

    order_ids = fields.Many2many(comodel_name="sale.order", required=True)
    reason = fields.Text(required=True)

    def action_reject(self):
        self.ensure_one()
        self.order_ids.action_review_reject(self.reason)
        return {"type": "ir.actions.act_window_close"}
