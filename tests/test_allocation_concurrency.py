import threading

from odoo import Command
from odoo.service.model import retrying
from odoo.tests import tagged

from .common import ConcurrencyCase


@tagged("post_install", "-at_install")
class TestAllocationConcurrency(ConcurrencyCase):
    """Two users confirming, at the same time, orders for the last units of a
    warehouse: only one gets them there."""

    def setUp(self):
        super().setUp()
        # Without the review the demo data switched on: it would hold them.
        self._commit_capabilities(
            "sale_allocation_enabled", off=("sale_review_enabled",)
        )
        with self._transaction() as env:
            warehouse = env["stock.warehouse"].search(
                [("company_id", "=", env.company.id)], limit=1
            )
            product = env["product.product"].create(
                {"name": "Concurrent Teapot", "type": "consu", "is_storable": True}
            )
            env["stock.quant"]._update_available_quantity(
                product, warehouse.lot_stock_id, 5
            )
            partner = env["res.partner"].create(
                {"name": "Concurrent Buyer", "country_id": env.ref("base.cn").id}
            )
            # First of all rules, whatever the database has.
            rule = env["sale.allocation.rule"].create(
                {
                    "name": "Concurrent stock",
                    "sequence": -1,
                    "rule_type": "warehouse",
                    "warehouse_ids": [Command.create({"warehouse_id": warehouse.id})],
                }
            )
            orders = env["sale.order"].create(
                [
                    {
                        "partner_id": partner.id,
                        "user_id": env.ref("base.user_admin").id,
                        "warehouse_id": warehouse.id,
                        "order_line": [
                            Command.create(
                                {"product_id": product.id, "product_uom_qty": 5}
                            )
                        ],
                    }
                    for _i in range(2)
                ]
            )
            env.cr.commit()
            self.ids = (orders.ids, rule.id, product.id, partner.id)
            self.addCleanup(self._cleanup)

    def _cleanup(self):
        order_ids, rule_id, product_id, partner_id = self.ids
        with self._transaction() as env:
            env["sale.allocation.rule"].browse(rule_id).unlink()
            orders = env["sale.order"].browse(order_ids)
            pickings = orders.picking_ids
            pickings.action_cancel()
            orders._action_cancel()
            pickings.move_ids.unlink()
            pickings.unlink()
            orders.unlink()
            env["stock.quant"].search([("product_id", "=", product_id)]).unlink()
            env["product.product"].browse(product_id).unlink()
            env["res.partner"].browse(partner_id).unlink()
            env.cr.commit()

    def test_two_users_confirming_for_the_last_units_do_not_both_get_them(self):
        first_id, second_id = self.ids[0]
        errors = []
        with self._two_transactions() as (first_env, second_env):
            first = first_env["sale.order"].browse(first_id)
            second = second_env["sale.order"].browse(second_id)
            # Both requests have started: each reads the stock as it was.
            self.assertEqual(first.state, "draft")
            self.assertEqual(second.state, "draft")
            first.action_confirm()

            def confirm_second():
                # As Odoo runs a request: again when PostgreSQL refuses it.
                try:
                    retrying(second.action_confirm, second_env)
                except Exception as error:  # reported below, in the test thread
                    errors.append(error)

            thread = threading.Thread(target=confirm_second)
            thread.start()
            # The second waits for the stock the first holds, or, once the
            # first has committed, finds its view of it out of date.
            thread.join(0.5)
            first_env.cr.commit()
            thread.join(10)
            self.assertFalse(thread.is_alive())
        self.assertFalse(errors)

        with self._transaction() as env:
            first, second = env["sale.order"].browse(self.ids[0])
            self.assertEqual((first.state, second.state), ("sale", "sale"))
            self.assertIn(
                "first with stock for the order's line",
                first.with_context(lang="en_US").allocation_note,
            )
            self.assertIn(
                "no warehouse has the stock of the whole order",
                second.with_context(lang="en_US").allocation_note,
            )
            self.assertEqual(first.picking_ids.state, "assigned")
            self.assertEqual(second.picking_ids.state, "confirmed")
