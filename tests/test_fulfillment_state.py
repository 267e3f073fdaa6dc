from odoo.tests import tagged

from .common import FulfillmentCase


@tagged("post_install", "-at_install")
class TestFulfillmentState(FulfillmentCase):
    def test_order_goes_from_quotation_to_done_through_real_calls(self):
        order = self._create_orders([(self.product_a, 10), (self.product_b, 2)])
        self.assertEqual(order.fulfillment_state, "quotation")

        self._confirm(order)
        self.assertEqual(order.state, "sale")
        self.assertEqual(order.fulfillment_state, "to_ship")

        self._ship(order, {self.product_a: 4, self.product_b: 0})
        self.assertEqual(order.delivery_status, "partial")
        self.assertEqual(order.fulfillment_state, "partially_shipped")
        self.assertEqual(len(order.picking_ids), 2, "a backorder holds the rest")

        self._ship(order)
        self.assertEqual(order.fulfillment_state, "shipped")

        invoices = self._invoice(order)
        self.assertEqual(order.invoice_status, "invoiced")
        self.assertEqual(
            order.fulfillment_state, "shipped", "an unpaid invoice keeps it open"
        )

        self._pay(invoices)
        self.assertIn(invoices.payment_state, ("paid", "in_payment"))
        self.assertEqual(order.fulfillment_state, "done")

    def test_make_to_order_line_is_in_production_until_produced(self):
        order = self._create_orders([(self.mto_product, 3)])
        self._confirm(order)
        production = order._get_fulfillment_productions()
        self.assertEqual(len(production), 1)
        self.assertEqual(production.product_id, self.mto_product)
        self.assertEqual(order.fulfillment_state, "in_production")

        self._produce(production)
        self.assertEqual(production.state, "done")
        self.assertEqual(order.fulfillment_state, "to_ship")

        self._ship(order)
        self.assertEqual(order.fulfillment_state, "shipped")

    def test_cancelled_production_does_not_hold_the_order(self):
        order = self._create_orders([(self.mto_product, 1)])
        self._confirm(order)
        production = order._get_fulfillment_productions()
        production.with_user(self.mrp_user).action_cancel()
        self.assertNotEqual(order.fulfillment_state, "in_production")

    def test_cancel_and_reset_to_quotation(self):
        order = self._create_orders([(self.product_a, 1)])
        self._confirm(order)
        order.with_user(self.salesman)._action_cancel()
        self.assertEqual(order.fulfillment_state, "cancel")
        order.with_user(self.salesman).action_draft()
        self.assertEqual(order.fulfillment_state, "quotation")

    def test_sent_quotation_waits_for_online_payment_only_when_required(self):
        paying, plain = self._create_orders([(self.product_a, 1)], count=2)
        paying.require_payment = True
        plain.require_payment = False
        (paying | plain).with_user(self.salesman).action_quotation_sent()
        self.assertEqual(paying.fulfillment_state, "to_pay")
        self.assertEqual(plain.fulfillment_state, "quotation")

    def test_service_order_waits_for_payment_then_is_done(self):
        order = self._create_orders([(self.service, 1)])
        self._confirm(order)
        self.assertFalse(order.delivery_status)
        self.assertEqual(order.fulfillment_state, "to_pay")
        invoices = self._invoice(order)
        self.assertEqual(order.fulfillment_state, "to_pay")
        self._pay(invoices)
        self.assertEqual(order.fulfillment_state, "done")

    def test_states_are_searchable_and_groupable(self):
        to_ship, quotation = self._create_orders([(self.product_a, 1)], count=2)
        self._confirm(to_ship)
        orders = to_ship | quotation
        found = self.env["sale.order"].search(
            [("id", "in", orders.ids), ("fulfillment_state", "=", "to_ship")]
        )
        self.assertEqual(found, to_ship)
        groups = dict(
            self.env["sale.order"]._read_group(
                [("id", "in", orders.ids)], ["fulfillment_state"], ["__count"]
            )
        )
        self.assertEqual(groups, {"to_ship": 1, "quotation": 1})

    def test_grouping_lists_every_stage(self):
        groups = self.env["sale.order"].read_group(
            [("id", "=", 0)], ["fulfillment_state"], ["fulfillment_state"]
        )
        self.assertEqual(
            [group["fulfillment_state"] for group in groups],
            [
                key
                for key, _label in self.env["sale.order"]
                ._fields["fulfillment_state"]
                .selection
            ],
        )


@tagged("post_install", "-at_install")
class TestFulfillmentStateQueries(FulfillmentCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Three orders in each state the compute walks through.
        cls.batches = []
        cls.shipped = cls.env["sale.order"]
        for _size in range(2):
            quotations = cls._create_orders([(cls.product_a, 1)], count=3)
            to_ship = cls._create_orders([(cls.product_a, 2)], count=3)
            produced = cls._create_orders([(cls.mto_product, 1)], count=3)
            shipped = cls._create_orders([(cls.product_b, 1)], count=3)
            cancelled = cls._create_orders([(cls.product_b, 1)], count=3)
            (to_ship | produced | shipped | cancelled).action_confirm()
            cancelled._action_cancel()
            cls.batches.append(quotations | to_ship | produced | shipped | cancelled)
            cls.shipped |= shipped

    def test_compute_costs_the_same_queries_for_any_batch_size(self):
        for order in self.shipped:
            self._ship(order)
        small = self.batches[0][::3]
        large = self.batches[0] | self.batches[1]
        self.assertEqual(len(small), 5)
        self.assertEqual(len(large), 30)
        expected = {
            "to_ship",
            "in_production",
            "quotation",
            "cancel",
            "shipped",
        }
        for orders in (small, large):
            self.env.invalidate_all()
            with self.assertQueryCount(12):
                orders._compute_fulfillment_state()
            self.assertLessEqual(set(orders.mapped("fulfillment_state")), expected)
