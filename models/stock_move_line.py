from odoo import models

from .stock_move import SPLIT_CONTEXT


class StockMoveLine(models.Model):
    _inherit = "stock.move.line"

    def _log_message(self, record, move, template, vals):
        # A split posts one message on both shipments instead of a note per move.
        if self.env.context.get(SPLIT_CONTEXT):
            return None
        return super()._log_message(record, move, template, vals)
