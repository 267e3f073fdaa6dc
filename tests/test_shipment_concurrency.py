from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import ConcurrencyCase


@tagged("post_install", "-at_install")
class TestShipmentConcurrency(ConcurrencyCase):
    """Two warehouse users splitting the same delivery at the same time."""

    def setUp(self):
        super().setUp()
        with self._transaction() as env:
            warehouse = env["stock.warehouse"].search(
                [("company_id", "=", env.company.id)], limit=1
            )
            customers = env.ref("stock.stock_location_customers")
            product = env["product.product"].create(
                {"name": "Concurrent Lantern", "type": "consu", "is_storable": True}
            )
            env["stock.quant"]._update_available_quantity(
                product, warehouse.lot_stock_id, 10
            )
            picking = env["stock.picking"].create(
                {
                    "picking_type_id": warehouse.out_type_id.id,
                    "location_id": warehouse.lot_stock_id.id,
                    "location_dest_id": customers.id,
                    "move_ids": [
                        Command.create(
                            {
                                "name": product.name,
                                "product_id": product.id,
                                "product_uom_qty": 10,
                                "location_id": warehouse.lot_stock_id.id,
                                "location_dest_id": customers.id,
                            }
                        )
                    ],
                }
            )
            picking.action_confirm()
            picking.action_assign()
            env.cr.commit()
            self.ids = (picking.id, product.id)
            self.addCleanup(self._cleanup)

    def _pickings(self, env):
        picking_id = self.ids[0]
        return env["stock.picking"].search(
            ["|", ("id", "=", picking_id), ("backorder_id", "=", picking_id)]
        )

    def _cleanup(self):
        with self._transaction() as env:
            pickings = self._pickings(env)
            pickings.action_cancel()
            pickings.move_ids.unlink()
            pickings.unlink()
            env["stock.quant"].search([("product_id", "=", self.ids[1])]).unlink()
            env["product.product"].browse(self.ids[1]).unlink()
            env.cr.commit()

    def test_two_users_splitting_at_once_split_once(self):
        picking_id = self.ids[0]
        with self._two_transactions() as (first_env, second_env):
            first = first_env["stock.picking"].browse(picking_id)
            second = second_env["stock.picking"].browse(picking_id)
            move_id = first.move_ids.id

            first._split_shipment({move_id: 3})
            with self.assertRaisesRegex(UserError, "Somebody else is changing"):
                second._split_shipment({move_id: 3})
            first_env.cr.commit()
            second_env.cr.rollback()

        with self._transaction() as env:
            pickings = self._pickings(env)
            self.assertEqual(len(pickings), 2)
            self.assertEqual(
                sorted(pickings.move_ids.mapped("product_uom_qty")), [3.0, 7.0]
            )
            self.assertEqual(sum(pickings.move_ids.mapped("quantity")), 10)
