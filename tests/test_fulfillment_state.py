from odoo.tests import tagged

from .common import FulfillmentCase, switch_review_on


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

    def test_cancelled_backorder_then_invoiced_and_paid_is_done(self):
        self.product_a.invoice_policy = "delivery"
        order = self._create_orders([(self.product_a, 10)])
        self._confirm(order)
        self._ship(order, {self.product_a: 4}, backorder=False)
        self.assertEqual(order.fulfillment_state, "shipped")
        self._pay(self._invoice(order))
        self.assertEqual(order.invoice_status, "no", "4 of 10 delivered and invoiced")
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

    def test_grouping_shows_open_stages_and_stages_with_orders(self):
        cancelled = self._create_orders([(self.product_a, 1)])
        cancelled._action_cancel()
        groups = self.env["sale.order"].read_group(
            [("id", "=", cancelled.id)], ["fulfillment_state"], ["fulfillment_state"]
        )
        self.assertEqual(
            [group["fulfillment_state"] for group in groups],
            [
                "to_review",
                "to_pay",
                "in_production",
                "to_ship",
                "partially_shipped",
                "shipped",
                "aftersales",
                "cancel",
            ],
        )

    def test_two_step_delivery_is_to_ship_until_the_goods_leave(self):
        self.warehouse.delivery_steps = "pick_ship"
        order = self._create_orders([(self.product_a, 2)])
        self._confirm(order)
        pick = order.picking_ids.filtered(lambda p: p.picking_type_code == "internal")
        self.assertTrue(pick)
        self._ship(order, picking=pick)
        self.assertEqual(order.delivery_status, "started")
        self.assertEqual(order.fulfillment_state, "to_ship", "nothing has left")
        self._ship(order)
        self.assertEqual(order.fulfillment_state, "shipped")

    def test_held_quotation_waiting_for_payment_is_to_review_first(self):
        switch_review_on(self.company)
        rule = self.env["sale.review.rule"].create(
            {"name": "Any amount", "rule_type": "amount_above", "threshold": 0}
        )
        order = self._create_orders([(self.product_a, 1)])
        order.write({"require_payment": True, "prepayment_percent": 1.0})
        order.with_user(self.salesman).action_quotation_sent()
        self.assertEqual(order.fulfillment_state, "to_pay")
        self._confirm(order)
        self.assertEqual(order.review_issue_ids.rule_id, rule)
        self.assertEqual(order.fulfillment_state, "to_review")

    def test_goods_without_delivery_are_still_to_ship(self):
        """An order confirmed before Inventory was installed has no delivery but
        its goods are not shipped."""
        order = self._create_orders([(self.product_a, 1), (self.service, 1)])
        self._confirm(order)
        order.picking_ids.action_cancel()
        self.assertFalse(order.delivery_status)
        self.assertEqual(order.fulfillment_state, "to_ship")


@tagged("post_install", "-at_install")
class TestFulfillmentStateQueries(FulfillmentCase):
    STATES = ("quotation", "to_ship", "in_production", "shipped", "done", "cancel")

    def _create_batch(self):
        """Three orders in each state; returns them in the order of STATES."""
        quotations = self._create_orders([(self.product_a, 1)], count=3)
        to_ship = self._create_orders([(self.product_a, 2)], count=3)
        produced = self._create_orders([(self.mto_product, 1)], count=3)
        shipped = self._create_orders([(self.product_b, 1)], count=3)
        settled = self._create_orders([(self.product_b, 2)], count=3)
        cancelled = self._create_orders([(self.product_b, 1)], count=3)
        self._confirm(to_ship | produced | shipped | settled | cancelled)
        cancelled._action_cancel()
        for order in shipped | settled:
            self._ship(order)
        self._pay(self._invoice(settled))
        return quotations | to_ship | produced | shipped | settled | cancelled

    def test_compute_costs_the_same_queries_for_any_batch_size(self):
        first, second = self._create_batch(), self._create_batch()
        small = first[::3]
        large = first | second
        self.assertEqual(small.mapped("fulfillment_state"), list(self.STATES))
        self.assertEqual(len(large), 36)
        for orders in (small, large):
            self.env.invalidate_all()
            # Two queries more than the stage itself for its date: the
            # previous stages of the batch, and the transaction's timestamp.
            with self.assertQueryCount(16):
                orders._compute_fulfillment_state()
            self.assertEqual(set(orders.mapped("fulfillment_state")), set(self.STATES))
