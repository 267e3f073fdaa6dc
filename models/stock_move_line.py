from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import float_compare, float_is_zero, float_round

from .trusted_context import (
    KEEP_QUANT_RESERVATION,
    PACK_WRITE,
    SPLIT_SHIPMENT,
    is_trusted,
    trusted,
)


class StockMoveLine(models.Model):
    _inherit = "stock.move.line"

    pack_qty_counted = fields.Float(
        string="Counted",
        digits="Product Unit of Measure",
        copy=False,
        readonly=True,
        help="Quantity of this line verified by scanning at the pack station, in "
        "the product's unit of measure.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        if any(vals.get("pack_qty_counted") for vals in vals_list):
            self._check_pack_write()
        return super().create(vals_list)

    def write(self, vals):
        if "pack_qty_counted" in vals:
            self._check_pack_write()
        return super().write(vals)

    def _log_message(self, record, move, template, vals):
        # A split posts one message on both shipments instead of a note per move.
        if is_trusted(self, SPLIT_SHIPMENT):
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

    def _check_pack_write(self):
        """Refuse a direct write of the counts only the pack station keeps."""
        if not is_trusted(self, PACK_WRITE):
            raise UserError(
                self.env._("Quantities are counted by scanning at the pack station.")
            )

    def _pack_write(self, vals):
        """Write the pack station's counts (which nothing else may write)."""
        return trusted(self, PACK_WRITE).write(vals)

    def _get_pack_counted_in_line_unit(self):
        """The counted quantity in this line's unit, rounded once."""
        self.ensure_one()
        if self.product_uom_id == self.product_id.uom_id:
            return self.pack_qty_counted
        return self.product_id.uom_id._compute_quantity(
            self.pack_qty_counted, self.product_uom_id
        )

    def _pack_split_counted(self):
        """Split the lines counted only in part: each keeps its counted quantity
        and a new line of the same move takes the rest, uncounted. The
        reservation does not change, it is only shared differently."""
        MoveLine = self.env["stock.move.line"]
        exact = trusted(MoveLine, KEEP_QUANT_RESERVATION)
        for line in self:
            rounding = line.product_uom_id.rounding
            counted = line._get_pack_counted_in_line_unit()
            rest = float_round(line.quantity - counted, precision_rounding=rounding)
            if float_is_zero(counted, precision_rounding=rounding) or (
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
            line.with_env(model.env).quantity = counted
            model.create(vals)
