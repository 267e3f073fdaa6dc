"""Cash on delivery (货到付款): what the carrier collects with each parcel."""

from odoo import models


class StockPicking(models.Model):
    _inherit = "stock.picking"

    def _get_cod_collections(self):
        """``{picking id: [collection]}`` for the deliveries to customers that
        carry goods of cash-on-delivery orders; one ``collection`` dict per
        such order: ``order_id``, ``order_name``, ``amount`` (to collect with
        this delivery, in the order's currency), ``currency_id`` and
        ``collected_with`` (the delivery that collects the order's money when
        it is another one, else an empty recordset).

        The whole amount due (the order's total minus what the customer paid)
        is collected with the order's first delivery (its lowest id, not
        cancelled), so that an order shipped in several parcels is never
        collected twice. Read as superuser: whoever packs the parcel must know
        the amount, whatever they may read of orders and invoices."""
        result = {}
        pickings = self.sudo().filtered(
            lambda picking: (
                picking.picking_type_code == "outgoing"
                and picking.location_dest_id.usage == "customer"
            )
        )
        orders = (pickings.sale_id | pickings.move_ids.sale_line_id.order_id).filtered(
            lambda order: order.state == "sale" and order._is_collected_on_delivery()
        )
        if not orders:
            return result
        collectors = {order: order._get_customer_deliveries()[:1] for order in orders}
        for picking in pickings:
            carried = (
                picking.sale_id | picking.move_ids.sale_line_id.order_id
            ) & orders
            collections = []
            for order in carried.sorted("id"):
                collector = collectors[order]
                collects = collector == picking
                collections.append(
                    {
                        "order_id": order.sudo(False),
                        "order_name": order.name,
                        "amount": order.cod_amount_due if collects else 0.0,
                        "currency_id": order.currency_id,
                        "collected_with": collector.sudo(False)
                        if not collects
                        else self.browse(),
                    }
                )
            if collections:
                result[picking.id] = collections
        return result

    def _get_cod_amount_to_collect(self):
        """``{picking id: amount}``: the cash the carrier collects on delivery
        of each parcel (0.0 for deliveries collecting nothing), for carrier
        integrations that declare it to the carrier."""
        collections = self._get_cod_collections()
        return {
            picking.id: sum(
                collection["amount"] for collection in collections.get(picking.id, [])
            )
            for picking in self
        }
