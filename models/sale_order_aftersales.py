"""After-sales requests (sale.rma) of an order."""

from odoo import api, fields, models
from odoo.exceptions import UserError


class SaleOrder(models.Model):
    _inherit = "sale.order"

    rma_ids = fields.One2many(
        comodel_name="sale.rma",
        inverse_name="order_id",
        string="After-Sales Requests",
        copy=False,
    )
    rma_count = fields.Integer(
        string="After-Sales Request Count", compute="_compute_rma_count"
    )

    @api.depends("rma_ids")
    def _compute_rma_count(self):
        for order in self:
            order.rma_count = len(order.rma_ids)

    def action_open_rma_wizard(self):
        """Open the after-sales wizard on this confirmed order."""
        self.ensure_one()
        if self.state != "sale":
            raise UserError(
                self.env._(
                    "%(order)s is not a confirmed order: after-sales requests are "
                    "for confirmed orders only.",
                    order=self.name,
                )
            )
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("New After-Sales Request"),
            "res_model": "sale.rma.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_order_id": self.id},
        }

    def action_view_rma(self):
        """Open the order's after-sales requests."""
        self.ensure_one()
        action = self.env["ir.actions.actions"]._for_xml_id(
            "sale_fulfillment.sale_rma_action"
        )
        action["domain"] = [("order_id", "=", self.id)]
        action["context"] = {"default_order_id": self.id, "create": False}
        if len(self.rma_ids) == 1:
            action["views"] = [(False, "form")]
            action["res_id"] = self.rma_ids.id
        return action

    def _get_rma_allowed_types(self):
        """The after-sales types that fit what the order shipped: changes and
        cancellations while something is still to ship, the others once
        something was delivered."""
        self.ensure_one()
        if self.state != "sale":
            return []
        allowed = []
        if self._get_rma_open_shipments():
            allowed += ["cancel", "modify"]
        if any(line.qty_delivered for line in self.order_line):
            allowed += ["refund", "return_refund", "exchange", "reship"]
        return allowed

    def _get_rma_open_shipments(self):
        """Open transfers still to send goods of the order (no returns)."""
        self.ensure_one()
        return self._get_shipments().filtered(
            lambda picking: (
                picking.state not in ("done", "cancel")
                and picking.picking_type_code != "incoming"
            )
        )

    def _get_rma_own_shipments(self, shipments):
        """``shipments`` with this order's goods only: the order's goods leave
        a delivery shared with other orders first, so that a change of address
        or date does not touch the others."""
        self.ensure_one()
        shared = self._get_shared_open_shipments()
        result = shipments.filtered(lambda picking: picking not in shared)
        for picking in shipments.filtered(lambda picking: picking in shared):
            own = picking.move_ids.filtered(
                lambda move: (
                    move.sale_line_id.order_id == self
                    and move.state not in ("done", "cancel")
                )
            )
            result |= picking._split_shipment(
                {move.id: move.product_uom_qty for move in own}
            )
        return result
