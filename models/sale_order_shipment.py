"""Shipments: the transfers carrying an order's goods, shared ones included."""

from odoo import api, fields, models

from .record_order import id_key


class SaleOrder(models.Model):
    _inherit = "sale.order"

    delivered_on = fields.Datetime(
        compute="_compute_delivered_on",
        store=True,
        help="When the customer received the last of the order's deliveries; "
        "empty until every delivery is shipped and confirmed delivered.",
    )
    shipment_ids = fields.Many2many(
        comodel_name="stock.picking",
        string="Shipments",
        compute="_compute_shipment_ids",
        help="Every transfer carrying goods of this order, including deliveries "
        "merged with those of other orders.",
    )

    @api.depends(
        "delivery_status",
        "picking_ids.delivered_on",
        "order_line.move_ids.picking_id.delivered_on",
    )
    def _compute_delivered_on(self):
        for order in self:
            deliveries = order._get_customer_deliveries()
            dates = deliveries.mapped("delivered_on")
            order.delivered_on = (
                order.delivery_status == "full"
                and deliveries
                and all(dates)
                and max(dates)
            )

    @api.depends("picking_ids", "order_line.move_ids.picking_id")
    def _compute_shipment_ids(self):
        for order in self:
            order.shipment_ids = order._get_shipments()

    @api.depends("picking_ids", "order_line.move_ids.picking_id")
    def _compute_picking_ids(self):
        result = super()._compute_picking_ids()
        for order in self:
            order.delivery_count = len(order._get_shipments())
        return result

    @api.depends(
        "picking_ids",
        "picking_ids.state",
        "order_line.move_ids.picking_id.state",
    )
    def _compute_delivery_status(self):
        merged = self._get_orders_in_shared_shipments()
        result = super(SaleOrder, self - merged)._compute_delivery_status()
        for order in merged:
            order.delivery_status = order._get_delivery_status_of(
                order._get_shipments()
            )
        return result

    @api.depends("picking_ids.date_done", "order_line.move_ids.picking_id.date_done")
    def _compute_effective_date(self):
        merged = self._get_orders_in_shared_shipments()
        result = super(SaleOrder, self - merged)._compute_effective_date()
        for order in merged:
            dates = order._get_shipments().filtered(
                lambda picking: (
                    picking.state == "done"
                    and picking.location_dest_id.usage == "customer"
                )
            )
            order.effective_date = min(dates.mapped("date_done"), default=False)
        return result

    def action_view_delivery(self):
        return self._get_action_view_picking(self._get_shipments())

    def _action_cancel(self):
        # Odoo cancels an order's transfers. A delivery merged with other orders'
        # goods must keep those: this order's goods leave it first.
        for picking, orders in self._get_shared_open_shipments().items():
            own = picking.move_ids.filtered(
                lambda move, orders=orders: (
                    move.sale_line_id.order_id in orders
                    and move.state not in ("done", "cancel")
                )
            )
            if own:
                picking._split_shipment(
                    {move.id: move.product_uom_qty for move in own}
                ).action_cancel()
        return super()._action_cancel()

    def _get_shipments(self):
        """Transfers of the order's procurement group and every transfer that
        carries goods of its lines (a delivery merged with other orders')."""
        pickings = self.picking_ids
        # In a form the order's transfers are new records standing for the
        # saved ones its lines' moves point to: each transfer counts once.
        known = set(pickings._origin.ids)
        carriers = self.order_line.move_ids.picking_id.filtered(
            lambda picking: picking._origin.id not in known
        )
        return (pickings | carriers).sorted(id_key)

    def _get_orders_in_shared_shipments(self):
        """The orders of ``self`` whose goods travel in a transfer of another
        order's procurement group."""
        # Compared by origin: in a form, the same transfer may be read as a
        # new record on one side and as the saved one on the other.
        return self.filtered(
            lambda order: (
                order.order_line.move_ids.picking_id._origin - order.picking_ids._origin
            )
        )

    def _get_shared_open_shipments(self):
        """``{open transfer: orders of self}`` for the open transfers that carry
        goods of these orders together with other goods (of other orders, or of
        no order)."""
        result = {}
        for picking in self._get_shipments():
            if picking.state in ("done", "cancel"):
                continue
            moves = picking.move_ids.filtered(
                lambda move: move.state not in ("done", "cancel")
            )
            own = moves.filtered(lambda move: move.sale_line_id.order_id in self)
            if own and own != moves:
                result[picking] = own.sale_line_id.order_id
        return result

    def _get_delivery_status_of(self, pickings):
        """Odoo's delivery status rule applied to ``pickings``."""
        self.ensure_one()
        pickings = pickings.filtered(lambda picking: picking.state != "cancel")
        if not pickings:
            return False
        if all(picking.state == "done" for picking in pickings):
            return "full"
        if any(picking.state == "done" for picking in pickings):
            if any(line.qty_delivered for line in self.order_line):
                return "partial"
            return "started"
        return "pending"

    def _get_customer_deliveries(self):
        """The order's deliveries to the customer (no returns, no cancelled
        ones)."""
        self.ensure_one()
        return self._get_shipments().filtered(
            lambda picking: (
                picking.state != "cancel"
                and picking.picking_type_code == "outgoing"
                and picking.location_dest_id.usage == "customer"
            )
        )
