from odoo import api, fields, models


class SaleOrderSimulationMixin(models.AbstractModel):
    """What the dry runs of rules on orders share (order review, order
    allocation): the orders, read with the user's rights, and the dialog that
    shows the results. The results are computed by each simulation from
    ``order_ids``; nothing is written on the orders."""

    _name = "sale.order.simulation.mixin"
    _description = "Dry Run of Rules on Orders"

    order_ids = fields.Many2many(comodel_name="sale.order", string="Orders")

    @api.constrains("order_ids")
    def _check_order_ids(self):
        # The rules read the orders as superuser: only simulate readable ones.
        for simulation in self:
            simulation.order_ids.check_access("read")

    def _check_simulation_access(self):
        """Results are also computed for a client's onchange, which checks no
        access: only who may simulate (salespeople) does, on the orders they
        may read."""
        self.browse().check_access("create")
        self.order_ids._origin.check_access("read")

    @api.model
    def _get_action(self, orders=None):
        """The simulation of ``orders`` (none: the user picks them), as a
        dialog."""
        simulation = self.create(
            {"order_ids": [fields.Command.set(orders.ids if orders else [])]}
        )
        return {
            "type": "ir.actions.act_window",
            "name": self.env["ir.model"]._get(self._name).name,
            "res_model": self._name,
            "res_id": simulation.id,
            "view_mode": "form",
            "target": "new",
        }
