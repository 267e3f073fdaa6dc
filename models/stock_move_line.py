from odoo import models

from .stock_move import SPLIT_CONTEXT


class StockMoveLine(models.Model):
    _inherit = "stock.move.line"

    def _log_message(self, record, move, template, vals):
        # A split posts one message on both shipments instead of a note per move.
        if self.env.context.get(SPLIT_CONTEXT):
            return None
        return super()._log_message(record, move, template, vals)

    def _has_product_unit(self):
        """Whether this line counts in its product's unit, the quants' unit."""
        self.ensure_one()
        return self.product_uom_id == self.product_id.uom_id

    def _prepare_split_line_vals(self, move, quantity):
        """Values of the part of this line (``quantity`` in its unit) that a
        split hands over to ``move``. The part no longer moves a whole package."""
        self.ensure_one()
        result_package = self.result_package_id
        if result_package and result_package == self.package_id:
            result_package = result_package.browse()
        return self.copy_data(
            {
                "move_id": move.id,
                "picking_id": move.picking_id.id,
                "quantity": quantity,
                "package_level_id": False,
                "result_package_id": result_package.id,
            }
        )[0]
