import threading

from odoo.tests import tagged

from .common import ConcurrencyCase


@tagged("post_install", "-at_install")
class TestOrderIntakeConcurrency(ConcurrencyCase):
    """Two connectors sending the same platform order at the same moment, each
    in its own transaction: the order is created once."""

    def setUp(self):
        super().setUp()
        self._commit_capabilities(
            off=("sale_review_enabled", "sale_allocation_enabled")
        )
        with self._transaction() as env:
            medium = env["utm.medium"].create({"name": "Concurrent Mall"})
            product = env["product.product"].create(
                {"name": "Concurrent Fan", "type": "consu", "default_code": "CC-FAN"}
            )
            env.cr.commit()
            self.ids = (medium.id, product.id)
        self.addCleanup(self._cleanup)

    def _cleanup(self):
        medium_id, product_id = self.ids
        with self._transaction() as env:
            orders = env["sale.order"].search([("medium_id", "=", medium_id)])
            orders.picking_ids.action_cancel()
            orders._action_cancel()
            orders.picking_ids.move_ids.unlink()
            orders.picking_ids.unlink()
            partners = orders.partner_id | orders.partner_shipping_id
            orders.unlink()
            partners.child_ids.unlink()
            partners.exists().unlink()
            env["product.product"].browse(product_id).unlink()
            env["utm.medium"].browse(medium_id).unlink()
            env.cr.commit()

    def _payload(self):
        return [
            {
                "channel": self.ids[0],
                "channel_order_ref": "5550001112223334445",
                "partner_name": "并发 买家",
                "phone": "13600000000",
                "lines": [{"sku": "CC-FAN", "quantity": 1, "price_unit": 30}],
            }
        ]

    def test_two_connectors_sending_the_same_order_at_once_create_it_once(self):
        results = {}
        with self._two_transactions() as (first, second):
            # The second one's snapshot is taken now, before the first commits:
            # it cannot see the first one's order, only the database refusing it.
            second.cr.execute("SELECT 1")
            results["first"] = first["sale.order"].channel_intake(self._payload())

            def send_second():
                results["second"] = second["sale.order"].channel_intake(self._payload())
                second.cr.commit()

            thread = threading.Thread(target=send_second)
            thread.start()
            first.cr.commit()
            thread.join(timeout=30)
            self.assertFalse(thread.is_alive())
        self.assertEqual(results["first"][0]["status"], "created")
        self.assertEqual(
            (results["second"][0]["status"], results["second"][0]["message"]),
            ("unchanged", "Another import created this order at the same moment."),
        )
        with self._transaction() as env:
            self.assertEqual(
                env["sale.order"].search_count(
                    [("channel_order_ref", "=", "5550001112223334445")]
                ),
                1,
            )
