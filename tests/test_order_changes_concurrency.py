import threading

from odoo import Command
from odoo.exceptions import UserError
from odoo.service.model import retrying
from odoo.tests import tagged

from .common import ConcurrencyCase


@tagged("post_install", "-at_install")
class TestOrderChangesConcurrency(ConcurrencyCase):
    """The warehouse starts picking a delivery while the customer changes its
    address: the change either comes first or is refused, never both."""

    def setUp(self):
        super().setUp()
        self._commit_capabilities(
            off=("sale_review_enabled", "sale_allocation_enabled")
        )
        with self._transaction() as env:
            warehouse = env["stock.warehouse"].search(
                [("company_id", "=", env.company.id)], limit=1
            )
            product = env["product.product"].create(
                {"name": "Concurrent Tea Caddy", "type": "consu", "is_storable": True}
            )
            env["stock.quant"]._update_available_quantity(
                product, warehouse.lot_stock_id, 5
            )
            partner = env["res.partner"].create(
                {
                    "name": "Concurrent Changer",
                    "street": "1 Old Road",
                    "country_id": env.ref("base.cn").id,
                }
            )
            order = env["sale.order"].create(
                {
                    "partner_id": partner.id,
                    "warehouse_id": warehouse.id,
                    "order_line": [
                        Command.create({"product_id": product.id, "product_uom_qty": 2})
                    ],
                }
            )
            order.action_confirm()
            env.cr.commit()
            self.ids = (order.id, product.id, partner.id)
            self.addCleanup(self._cleanup)

    def _cleanup(self):
        order_id, product_id, partner_id = self.ids
        with self._transaction() as env:
            order = env["sale.order"].browse(order_id)
            pickings = order.picking_ids
            pickings.action_cancel()
            order._action_cancel()
            pickings.move_ids.unlink()
            pickings.unlink()
            order.unlink()
            env["stock.quant"].search([("product_id", "=", product_id)]).unlink()
            env["product.product"].browse(product_id).unlink()
            env["res.partner"].search([("id", "child_of", partner_id)]).unlink()
            env.cr.commit()

    def test_address_change_while_the_warehouse_picks_is_refused(self):
        order_id = self.ids[0]
        errors = []
        with self._two_transactions() as (warehouse_env, customer_env):
            picking = warehouse_env["sale.order"].browse(order_id).picking_ids
            order = customer_env["sale.order"].browse(order_id)
            picking.move_ids.picked = True
            picking.env.flush_all()

            def change_address():
                # As Odoo runs a request: again when PostgreSQL refuses it.
                try:
                    retrying(
                        lambda: order._change_delivery_address(
                            {"name": "Li Lei", "street": "9 New Road"},
                            source="portal",
                        ),
                        customer_env,
                    )
                except UserError as error:
                    errors.append(str(error))

            thread = threading.Thread(target=change_address)
            thread.start()
            # The change waits for the moves the warehouse holds, then finds
            # its view of them out of date and starts again.
            thread.join(0.5)
            warehouse_env.cr.commit()
            thread.join(10)
            self.assertFalse(thread.is_alive())
            customer_env.cr.rollback()
            picking_name, order_name = picking.name, order.name
        self.assertEqual(
            errors,
            [
                f"Cannot change the delivery address of {order_name}: the goods "
                f"of {picking_name} are already picked."
            ],
        )
        with self._transaction() as env:
            order = env["sale.order"].browse(order_id)
            self.assertEqual(order.partner_shipping_id.street, "1 Old Road")
            self.assertEqual(order.picking_ids.partner_id.street, "1 Old Road")
            self.assertFalse(order.partner_id.child_ids)
