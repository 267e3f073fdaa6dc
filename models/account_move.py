from odoo import models


class AccountMove(models.Model):
    _inherit = "account.move"

    def _post(self, soft=True):
        posted = super()._post(soft=soft)
        rmas = posted._get_sale_rmas()
        if rmas:
            rmas._update_state()
            rmas._on_refund_posted(posted)
        return posted

    def button_cancel(self):
        res = super().button_cancel()
        self._get_sale_rmas()._update_state()
        return res

    def button_draft(self):
        res = super().button_draft()
        self._get_sale_rmas()._update_state()
        return res

    def _get_sale_rmas(self):
        """The after-sales requests these credit notes or invoices belong to."""
        if not self:
            return self.env["sale.rma"]
        return (
            self.env["sale.rma"]
            .sudo()
            .search(
                [
                    "|",
                    ("refund_move_ids", "in", self.ids),
                    ("invoice_move_ids", "in", self.ids),
                ]
            )
        )
