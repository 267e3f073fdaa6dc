from odoo import fields, models


class StockReturnPicking(models.TransientModel):
    _inherit = "stock.return.picking"

    def _prepare_picking_default_values(self):
        vals = super()._prepare_picking_default_values()
        location_id = self.env.context.get("sale_rma_location_dest_id")
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
        if self.sale_rma_line_id:
            vals["sale_rma_line_id"] = self.sale_rma_line_id.id
        return vals
