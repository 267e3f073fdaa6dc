from datetime import timedelta

from odoo import fields
from odoo.tests import TransactionCase, tagged

# The customers of the addon's demo company (data/demo/*.xml).
DEMO_CUSTOMERS = (
    "demo_partner_jincheng",
    "demo_partner_harbor_pine",
    "demo_partner_zhang_wei",
    "demo_partner_li_na",
    "demo_partner_emma_schneider",
    "demo_partner_chen_jing",
    "demo_partner_wang_fang",
    "demo_partner_liu_yang",
    "demo_partner_chayu",
    "demo_partner_zhao_min",
)
OPEN_STAGES = ("to_ship", "partially_shipped", "shipped", "aftersales", "in_production")


@tagged("post_install", "-at_install")
class TestDemoHistory(TransactionCase):
    """The demo database (the suite always runs on one) has months of order
    history, dated when it happened, so that the Order Analysis, the KPIs,
    the backlog and the digests have something to show."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.ref("base.main_company")
        cls.now = fields.Datetime.now()
        cls.customers = cls.env["res.partner"].union(
            *(cls.env.ref(f"sale_fulfillment.{xmlid}") for xmlid in DEMO_CUSTOMERS)
        )
        # The history: the demo customers' orders placed before today.
        cls.history = cls.env["sale.order"].search(
            [
                ("company_id", "=", cls.company.id),
                ("partner_id", "child_of", cls.customers.ids),
                ("state", "in", ("sale", "cancel")),
                ("date_order", "<", cls.now - timedelta(days=1)),
            ]
        )
        cls.digest = cls.env["sale.fulfillment.digest"].create(
            {"name": "History", "company_id": cls.company.id, "tz": "UTC"}
        )

    def _analysis(self, domain):
        return self.env["sale.order.analysis"].search(
            [("order_id", "in", self.history.ids), *domain]
        )

    def test_orders_were_confirmed_over_several_months(self):
        months = {order.date_order.strftime("%Y-%m") for order in self.history}
        self.assertGreaterEqual(len(months), 3, months)
        self.assertGreaterEqual(len(self.history), 30)
        self.assertLess(
            min(self.history.mapped("date_order")), self.now - timedelta(days=90)
        )

    def test_some_deliveries_were_late_and_some_partial(self):
        shipped = self._analysis([("shipped_date", "!=", False)])
        late = shipped.filtered("is_late")
        self.assertGreaterEqual(len(late), 3)
        self.assertTrue(shipped - late, "every shipped order of the history is late")
        self.assertTrue(all(row.lead_time_hours > 0 for row in shipped))
        partial = self.history.filtered(
            lambda order: (
                len(
                    order.picking_ids.filtered(
                        lambda picking: (
                            picking.picking_type_code == "outgoing"
                            and picking.state == "done"
                        )
                    )
                )
                > 1
            )
        )
        self.assertTrue(partial)

    def test_some_orders_came_back_and_some_were_rated(self):
        requests = self.history.rma_ids.filtered(lambda rma: rma.state != "draft")
        returns = requests.filtered(
            lambda rma: rma.rma_type in ("return_refund", "exchange")
        )
        self.assertGreaterEqual(len(returns), 2)
        self.assertIn("done", returns.mapped("state"))
        self.assertTrue(
            requests.refund_move_ids.filtered(lambda move: move.state == "posted")
        )
        ratings = self.env["rating.rating"].search(
            [
                ("res_model", "=", "sale.order"),
                ("res_id", "in", self.history.ids),
                ("consumed", "=", True),
                ("rating", ">=", 1),
            ]
        )
        self.assertGreaterEqual(len(ratings), 3)
        self.assertGreater(len(set(ratings.mapped("rating"))), 1)

    def test_kpis_of_the_last_90_days_are_realistic(self):
        today = fields.Date.context_today(self.digest)
        kpis = self.digest._compute_kpis(today - timedelta(days=90), today)
        self.assertGreater(kpis["avg_lead_time_hours"], 0)
        self.assertGreater(kpis["on_time_rate"], 0)
        self.assertLess(kpis["on_time_rate"], 100)
        self.assertGreater(kpis["late_orders"], 0)
        self.assertGreater(kpis["returned_orders"], 0)
        self.assertGreater(kpis["ratings_received"], 0)
        self.assertGreater(kpis["customers_paying"], 0)
        # The digest has something to compare with.
        self.assertGreater(kpis["previous"]["order_count"], 0)
        self.assertGreater(kpis["previous"]["shipped_orders"], 0)

    def test_open_orders_have_aged_in_their_stage(self):
        open_orders = self.history.filtered(
            lambda order: order.fulfillment_state in OPEN_STAGES
        )
        self.assertTrue(open_orders)
        self.assertTrue(
            any(order.stage_age_hours > 48 for order in open_orders),
            open_orders.mapped("stage_age_hours"),
        )

    def test_documents_are_dated_in_the_order_they_happened(self):
        """What the history stamped follows the order date: creation, stage,
        shipments, invoices, payments, requests, ratings and chatter."""
        for order in self.history:
            placed = order.date_order
            self.assertLessEqual(order.create_date, placed, order.name)
            self.assertGreaterEqual(order.fulfillment_state_date, order.create_date)
            self.assertLessEqual(order.fulfillment_state_date, self.now)
            moves = order.order_line.move_ids.filtered(
                lambda move: move.state == "done"
            )
            for move in moves:
                self.assertGreater(move.date, placed, order.name)
                self.assertLessEqual(move.date, self.now, order.name)
            for picking in order.picking_ids.filtered("date_done"):
                self.assertGreater(picking.date_done, placed, order.name)
                if picking.delivered_on:
                    self.assertGreater(picking.delivered_on, picking.date_done)
            invoices = order.invoice_ids.filtered(lambda move: move.state == "posted")
            for invoice in invoices:
                self.assertGreaterEqual(invoice.invoice_date, placed.date(), order.name)
                for payment in invoice.matched_payment_ids:
                    self.assertGreaterEqual(payment.date, invoice.invoice_date)
            for rma in order.rma_ids.filtered("confirmed_on"):
                self.assertGreater(rma.confirmed_on, placed, rma.name)
                if rma.done_on:
                    self.assertGreaterEqual(rma.done_on, rma.confirmed_on, rma.name)
            if order.rating_request_sent_on:
                self.assertGreater(order.rating_request_sent_on, placed)
                for rating in order.rating_ids.filtered("consumed"):
                    self.assertGreaterEqual(
                        rating.write_date, order.rating_request_sent_on
                    )
            messages = order.message_ids
            self.assertTrue(messages, order.name)
            self.assertLessEqual(max(messages.mapped("date")), self.now)
            # The chatter begins when the order was placed, not today.
            self.assertLess(min(messages.mapped("date")), placed + timedelta(days=1))
        # Nothing of the history waits in the mail queue.
        self.assertFalse(
            self.env["mail.mail"].search(
                [
                    ("model", "=", "sale.order"),
                    ("res_id", "in", self.history.ids),
                    ("state", "=", "outgoing"),
                ]
            )
        )

    def test_history_plan_is_seeded_and_stays_in_the_past(self):
        demo = self.env["sale.fulfillment.demo"]
        plans = demo._get_history_plan(self.now)
        self.assertEqual(plans, demo._get_history_plan(self.now))
        self.assertNotEqual(plans, demo._get_history_plan(self.now, seed=7))
        start = self.now - timedelta(days=151)
        for plan in plans:
            dates = [
                plan["created"],
                plan["confirmed"],
                plan["produced"],
                plan["invoiced"],
                plan["paid"],
                plan["rating_requested"],
                plan["rated"],
                plan["cancelled"],
                *(when for when, _quantities in plan["shipments"]),
                *plan["delivered"],
            ]
            if plan["rma"]:
                dates += [
                    plan["rma"][key]
                    for key in ("confirmed", "received", "refunded", "refund_paid")
                ]
            for when in filter(None, dates):
                self.assertTrue(start < when < self.now, (plan, when))

    def test_history_plays_with_every_order_held_for_review(self):
        """Played again (a short history) while a review rule holds every
        order: the administrator approves them through the review, and the
        history goes on as without review."""
        self.env["sale.review.rule"].create(
            {
                "name": "Everything",
                "rule_type": "amount_above",
                "threshold": 0.0,
                "severity": "block",
                "company_id": self.company.id,
            }
        )
        if "sale_review_enabled" in self.company._fields:
            self.company.sale_review_enabled = True
        before = self.env["sale.order"].search([]).ids
        self.env["sale.fulfillment.demo"]._load_history(days=12, seed=15)
        orders = self.env["sale.order"].search([("id", "not in", before)])
        self.assertTrue(orders)
        self.assertEqual(set(orders.mapped("state")) - {"cancel"}, {"sale"})
        self.assertEqual(set(orders.mapped("review_state")), {"approved"})
        self.assertEqual(orders.reviewed_by_id, self.env.ref("base.user_admin"))
        for order in orders:
            self.assertLess(order.review_held_on, order.reviewed_on)
            self.assertLessEqual(order.reviewed_on, order.date_order)
        self.assertTrue(
            orders.picking_ids.filtered(lambda picking: picking.state == "done")
        )
