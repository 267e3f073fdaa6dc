from odoo import fields, models

from ..models.trusted_context import (
    RMA_RETURN_LOCATION,
    RMA_WRITE,
    is_trusted,
    trusted_value,
)


class StockReturnPicking(models.TransientModel):
    _inherit = "stock.return.picking"

    def _prepare_picking_default_values(self):
        vals = super()._prepare_picking_default_values()
        # Only an after-sales request chooses where its returns go.
        location_id = trusted_value(self, RMA_RETURN_LOCATION)
        if location_id:
            vals["location_dest_id"] = location_id
        return vals


class StockReturnPickingLine(models.TransientModel):
    _inherit = "stock.return.picking.line"

    sale_rma_line_id = fields.Many2one(
        comodel_name="sale.rma.line", string="After-Sales Line"
    )

    def _prepare_move_default_values(self, new_picking):
        vals = super()._prepare_move_default_values(new_picking)
        # Only an after-sales request links its returns to its lines: a
        # return made with Odoo's own wizard serves no request.
        if self.sale_rma_line_id and is_trusted(self, RMA_WRITE):
            vals["sale_rma_line_id"] = self.sale_rma_line_id.id
        return vals
