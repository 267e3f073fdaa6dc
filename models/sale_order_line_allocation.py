from odoo import api, fields, models


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    allocated_warehouse_id = fields.Many2one(
        comodel_name="stock.warehouse",
        readonly=True,
        copy=False,
        help="The warehouse order allocation chose for this line when the order "
        "ships from several warehouses. Empty: the order's warehouse.",
    )

    @api.depends("allocated_warehouse_id")
    def _compute_warehouse_id(self):
        # Odoo procures each line from its warehouse_id: a line allocated to
        # another warehouse than the order's gets its own delivery there.
        res = super()._compute_warehouse_id()
        for line in self:
            if line.allocated_warehouse_id and not line.route_id:
                line.warehouse_id = line.allocated_warehouse_id
        return res
