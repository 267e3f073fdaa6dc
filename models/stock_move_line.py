from odoo import fields, models
from odoo.tools import float_compare, float_is_zero, float_round

from .stock_move import KEEP_QUANT_RESERVATION, SPLIT_CONTEXT


class StockMoveLine(models.Model):
    _inherit = "stock.move.line"

    pack_qty_counted = fields.Float(
        string="Counted",
        digits="Product Unit of Measure",
        copy=False,
        readonly=True,
        help="Quantity of this line verified by scanning at the pack station, in "
        "the line's unit of measure.",
    )

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

    def _pack_split_counted(self):
        """Split the lines counted only in part: each keeps its counted quantity
        and a new line of the same move takes the rest, uncounted. The
        reservation does not change, it is only shared differently."""
        MoveLine = self.env["stock.move.line"]
        exact = MoveLine.with_context(**{KEEP_QUANT_RESERVATION: True})
        for line in self:
            rounding = line.product_uom_id.rounding
            rest = float_round(
                line.quantity - line.pack_qty_counted, precision_rounding=rounding
            )
            if float_is_zero(line.pack_qty_counted, precision_rounding=rounding) or (
                float_compare(rest, 0.0, precision_rounding=rounding) <= 0
            ):
                continue
            model = exact if line._has_product_unit() else MoveLine
            vals = line.copy_data(
                {
                    "quantity": rest,
                    "package_level_id": False,
                    "result_package_id": False,
                }
            )[0]
            line.with_env(model.env).quantity = line.pack_qty_counted
            model.create(vals)
