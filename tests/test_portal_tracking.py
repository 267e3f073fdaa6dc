import re
from datetime import timedelta

from odoo import Command, fields
from odoo.tests import HttpCase, tagged

from .common import (
    PortalCase,
    portal_user,
    switch_capabilities,
    switch_review_on,
    tracked_carrier,
)


@tagged("post_install", "-at_install")
class TestPortalTracking(PortalCase):
    def test_delivered_order_shows_parcels_carrier_tracking_and_delivery(self):
        order = self._delivered_order()
        picking = order.picking_ids
        steps = order._get_portal_timeline()[order]
        self.assertEqual(
            [step["code"] for step in steps], ["received", "shipped", "delivered"]
        )
        self.assertEqual({step["status"] for step in steps}, {"done"})
        received, shipped, delivered = steps
        self.assertEqual(received["date"], order.date_order)
        self.assertEqual(shipped["description"], "Shipped in 2 parcels.")
        self.assertEqual(shipped["date"], picking.date_done)
        (shipment,) = shipped["details"]
        self.assertEqual(shipment["name"], picking.name)
        self.assertEqual(shipment["carrier"], "Jade Express")
        self.assertEqual(
            shipment["tracking"],
            [("JX0001", "https://track.example.com/?ref=JX0001")],
        )
        self.assertEqual(
            sorted(shipment["parcels"]),
            [f"{order.name}-PARCEL-1", f"{order.name}-PARCEL-2"],
        )
        self.assertEqual(delivered["date"], order.delivered_on)
        self.assertEqual(delivered["date_label"], "")
        self.assertEqual(delivered["details"][0]["date"], picking.delivered_on)

    def test_unpacked_deliveries_are_parcels_and_the_rest_is_being_prepared(self):
        order = self._order()
        order.commitment_date = fields.Datetime.now() + timedelta(days=5)
        first = self._ship(order, {self.product_a: 5, self.product_b: 0})
        first.sudo().carrier_tracking_ref = "JX0100"
        steps = self._timeline(order)
        self.assertEqual(steps["shipped"]["status"], "current")
        self.assertEqual(
            steps["shipped"]["description"], "1 parcel shipped, more to follow."
        )
        backorder = order.picking_ids - first
        self.assertEqual(
            [
                (detail["name"], detail["state"])
                for detail in steps["shipped"]["details"]
            ],
            [(first.name, "Shipped"), (backorder.name, "Being prepared")],
        )
        self.assertEqual(steps["shipped"]["details"][0]["parcels"], [first.name])
        self.assertEqual(steps["delivered"]["status"], "todo")
        self.assertEqual(steps["delivered"]["date"], order.commitment_date)
        self.assertEqual(steps["delivered"]["date_label"], "Promised delivery date")

        first._action_mark_delivered()
        self._ship(order, picking=backorder)
        steps = self._timeline(order)
        self.assertEqual(steps["shipped"]["status"], "done")
        self.assertEqual(steps["shipped"]["description"], "Shipped in 2 parcels.")
        self.assertEqual(steps["delivered"]["status"], "current")
        self.assertEqual(
            steps["delivered"]["description"], "Part of your order was delivered."
        )
        backorder._action_mark_delivered()
        self.assertEqual(self._timeline(order)["delivered"]["status"], "done")

    def test_confirmed_order_not_shipped_is_being_prepared(self):
        order = self._order()
        steps = order._get_portal_timeline()[order]
        self.assertEqual(
            [(step["code"], step["status"]) for step in steps],
            [("received", "done"), ("shipped", "current"), ("delivered", "todo")],
        )
        self.assertEqual(steps[1]["description"], "We are preparing your shipment.")

    def test_promised_date_is_the_commitment_else_the_earliest_else_expected(self):
        order = self._order()
        promise = order._get_portal_promised_date()
        self.assertEqual(promise["source"], "expected")
        self.assertEqual(promise["date"], order.expected_date)
        self.assertEqual(promise["label"], "Expected delivery date")
        earliest = fields.Datetime.now() + timedelta(days=3)
        order.sudo().promised_date = earliest
        promise = order._get_portal_promised_date()
        self.assertEqual(
            (promise["source"], promise["date"], promise["label"]),
            ("promised", earliest, "Earliest delivery date"),
        )
        committed = fields.Datetime.now() + timedelta(days=9)
        order.commitment_date = committed
        promise = order._get_portal_promised_date()
        self.assertEqual(
            (promise["source"], promise["date"], promise["label"]),
            ("commitment", committed, "Promised delivery date"),
        )
        self.assertEqual(self._timeline(order)["delivered"]["date"], committed)

    def test_production_step_follows_made_to_order_goods(self):
        order = self._order([(self.mto_product, 2)])
        productions = order._get_fulfillment_productions()
        self.assertTrue(productions)
        step = self._timeline(order)["production"]
        self.assertEqual(step["status"], "current")
        self.assertEqual(step["description"], "Your goods are being made for you.")
        self._produce(productions)
        step = self._timeline(order)["production"]
        self.assertEqual(step["status"], "done")
        self.assertEqual(step["date"], max(productions.mapped("date_finished")))
        self.assertEqual(self._timeline(order)["shipped"]["status"], "current")
        plain = self._order()
        self.assertNotIn("production", self._timeline(plain))

    def test_held_order_is_under_review_and_never_tells_why(self):
        switch_review_on(self.company)
        self.env["sale.review.rule"].create(
            {"name": "Big orders", "rule_type": "amount_above", "threshold": 10}
        )
        order = self._create_orders([(self.product_b, 3)])
        self._confirm(order)
        self.assertEqual(order.review_state, "to_review")
        issue_message = order.review_issue_ids.message
        self.assertTrue(issue_message)
        steps = order._get_portal_timeline()[order]
        self.assertEqual(
            [(step["code"], step["status"]) for step in steps],
            [
                ("received", "done"),
                ("review", "current"),
                ("shipped", "todo"),
                ("delivered", "todo"),
            ],
        )
        self.assertEqual(steps[0]["date"], order.review_held_on)
        self.assertNotIn(issue_message, str(steps))

        # The customer follows the quotation sent to them: the portal shows it.
        order.message_subscribe(partner_ids=self.customer.ids)
        self._portal_login()
        page = self.url_open(f"/my/orders/{order.id}")
        self.assertEqual(page.status_code, 200)
        self._assert_page(
            page,
            has=["Under Review", "We are checking your order"],
            lacks=[issue_message],
        )
        order.sudo().action_review_reject("SECRET-REJECTION-REASON")
        self.assertEqual(
            [
                (step["code"], step["label"], step["status"])
                for step in order._get_portal_timeline()[order]
            ],
            [
                ("received", "Order Received", "done"),
                ("review", "Not Accepted", "current"),
            ],
        )
        page = self.url_open(f"/my/orders/{order.id}")
        self._assert_page(
            page,
            has=["Not Accepted", "We could not accept your order"],
            lacks=[
                "SECRET-REJECTION-REASON",
                issue_message,
                "We are checking your order",
                "Expected delivery date",
            ],
        )
        # A held order the salesperson cancels has no timeline any more.
        order.sudo()._action_cancel()
        self.assertEqual(order._get_portal_timeline()[order], [])

    def test_approved_order_shows_the_review_accepted(self):
        switch_review_on(self.company)
        rule = self.env["sale.review.rule"].create(
            {"name": "Big orders", "rule_type": "amount_above", "threshold": 10}
        )
        order = self._create_orders([(self.product_b, 3)])
        self._confirm(order)
        order.sudo().action_review_approve()
        self.assertEqual(order.state, "sale")
        step = self._timeline(order)["review"]
        self.assertEqual(step["status"], "done")
        self.assertEqual(step["date"], order.reviewed_on)
        self.assertEqual(step["description"], "Your order was accepted.")
        rule.action_archive()
        self.assertNotIn("review", self._timeline(self._order()))

    def test_aftersales_step_lists_the_requests_with_their_links(self):
        order = self._delivered_order()
        rma = self.env["sale.rma"].create(
            {
                "order_id": order.id,
                "rma_type": "return_refund",
                "reason_id": self.reason.id,
                "line_ids": [
                    Command.create(
                        {"sale_line_id": order.order_line[0].id, "quantity": 1}
                    )
                ],
            }
        )
        step = self._timeline(order)["aftersales"]
        self.assertEqual(step["status"], "current")
        self.assertEqual(
            step["details"],
            [
                {
                    "name": f"{rma.name} · Return and Refund",
                    "url": f"/my/aftersales/{rma.id}",
                    "date": rma.create_date,
                    "state": "Draft",
                }
            ],
        )
        rma.action_cancel()
        self.assertEqual(self._timeline(order)["aftersales"]["status"], "done")

    def test_cancelled_orders_and_quotations_have_no_timeline(self):
        quotation = self._create_orders([(self.product_a, 1)])
        cancelled = self._order()
        cancelled._action_cancel()
        timelines = (quotation | cancelled)._get_portal_timeline()
        self.assertEqual(timelines, {quotation: [], cancelled: []})

    def test_timeline_reads_a_batch_in_the_same_queries_whatever_its_size(self):
        def batch():
            orders = self._order() | self._order([(self.mto_product, 1)])
            self._ship_in_parcels(orders[0])
            orders[0].picking_ids._action_mark_delivered()
            self.env["sale.rma"].create(
                {
                    "order_id": orders[0].id,
                    "rma_type": "refund",
                    "line_ids": [
                        Command.create(
                            {"sale_line_id": orders[0].order_line[0].id, "quantity": 1}
                        )
                    ],
                }
            )
            return orders

        small = batch()
        large = small | batch() | batch()
        for orders in (small, large):
            self.env.invalidate_all()
            # Orders, lines, moves, shipments and their types, locations,
            # carriers, move lines and packages, productions and requests.
            with self.assertQueryCount(20):
                timelines = orders._get_portal_timeline()
            self.assertEqual(len(timelines), len(orders))
        self.assertEqual(
            [step["code"] for step in timelines[large[-2]]],
            ["received", "shipped", "delivered", "aftersales"],
        )
        self.assertIn("production", [step["code"] for step in timelines[large[-1]]])

    def test_portal_order_page_shows_the_timeline_without_internal_things(self):
        order = self._delivered_order()
        rma = self.env["sale.rma"].create(
            {
                "order_id": order.id,
                "rma_type": "return_refund",
                "reason_id": self.reason.id,
                "note": "<p>INTERNAL-RMA-NOTE</p>",
                "line_ids": [
                    Command.create(
                        {"sale_line_id": order.order_line[0].id, "quantity": 1}
                    )
                ],
            }
        )
        self._portal_login()
        page = self.url_open(f"/my/orders/{order.id}")
        self.assertEqual(page.status_code, 200)
        self._assert_page(
            page,
            has=[
                "Order Tracking",
                "Shipped in 2 parcels.",
                "Jade Express",
                "https://track.example.com/?ref=JX0001",
                f"{order.name}-PARCEL-2",
                rma.name,
                f'href="/my/aftersales/{rma.id}"',
            ],
            lacks=["INTERNAL-RMA-NOTE"],
        )
        self.assertEqual(
            re.findall(r'data-step="(\w+)" data-status="(\w+)"', page.text),
            [
                ("received", "done"),
                ("shipped", "done"),
                ("delivered", "done"),
                ("aftersales", "current"),
            ],
        )


@tagged("post_install", "-at_install")
class TestPortalUi(HttpCase):
    """The customer follows an order and files an after-sales request in a
    real browser, logged in as a portal user."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        switch_capabilities(cls.env.company, on=False)
        cls.customer = cls.env["res.partner"].create(
            {"name": "Portal Tour Customer", "email": "tour.customer@example.com"}
        )
        cls.portal_user = portal_user(cls.env, "sf_portal_tour", cls.customer)
        cls.carrier = tracked_carrier(cls.env, "Tour Express")
        cls.teacup, cls.teapot = cls.env["product.product"].create(
            [
                {"name": name, "type": "consu", "is_storable": True, "list_price": 12}
                for name in ("Tour Teacup", "Tour Teapot")
            ]
        )
        stock = cls.env.ref("stock.stock_location_stock")
        for product in (cls.teacup, cls.teapot):
            cls.env["stock.quant"]._update_available_quantity(product, stock, 20)

    def _delivered_order(self):
        """A confirmed order of the customer, shipped in two packages with a
        tracking reference and delivered."""
        order = self.env["sale.order"].create(
            {
                "partner_id": self.customer.id,
                "carrier_id": self.carrier.id,
                "order_line": [
                    Command.create(
                        {"product_id": self.teacup.id, "product_uom_qty": 3}
                    ),
                    Command.create(
                        {"product_id": self.teapot.id, "product_uom_qty": 1}
                    ),
                ],
            }
        )
        order.action_confirm()
        picking = order.picking_ids
        for index, move_line in enumerate(picking.move_line_ids, start=1):
            move_line.result_package_id = self.env["stock.quant.package"].create(
                {"name": f"TOUR-PARCEL-{index}"}
            )
        picking.move_ids.picked = True
        picking.button_validate()
        picking.carrier_tracking_ref = "TOUR-TRACK-1"
        picking._action_mark_delivered()
        self.assertEqual(order.delivery_status, "full")
        return order

    def test_customer_follows_an_order_timeline(self):
        order = self._delivered_order()
        self.assertEqual(
            self.env["sale.order"].with_user(self.portal_user).search([]), order
        )
        self.start_tour(
            "/my/orders",
            "sale_fulfillment_portal_tracking_tour",
            login=self.portal_user.login,
        )

    def test_customer_files_an_aftersales_request_with_a_photo(self):
        order = self._delivered_order()
        self.start_tour(
            f"/my/orders/{order.id}",
            "sale_fulfillment_portal_aftersales_tour",
            login=self.portal_user.login,
        )
        rma = order.rma_ids
        self.assertEqual(len(rma), 1)
        self.assertRecordValues(
            rma,
            [
                {
                    "state": "draft",
                    "rma_type": "exchange",
                    "request_origin": "portal",
                    "description": "The handles broke off on the first use.",
                }
            ],
        )
        self.assertEqual(rma.line_ids.product_id, self.teacup)
        self.assertEqual(rma.line_ids.quantity, 2)
        photo = rma.message_ids.attachment_ids
        self.assertEqual(photo.name, "broken-handle.png")
        self.assertEqual(photo.mimetype, "image/png")
