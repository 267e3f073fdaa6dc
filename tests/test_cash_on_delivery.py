from datetime import date, datetime, timedelta
from xml.etree import ElementTree

from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import ValidationError
from odoo.tests import Form, tagged
from odoo.tools.safe_eval import safe_eval

from .common import KpiCase, ShipmentCase, switch_review_on

PACKING_SLIP = "sale_fulfillment.action_report_packing_slip"
MARCH = (date(2026, 3, 1), date(2026, 3, 31))


class CodCase(ShipmentCase):
    """Orders paid on delivery (货到付款) with a carrier, and helpers to read
    what the warehouse prints and the salesperson filters."""

    def _cod_order(self, lines=None, confirm=True):
        order = self._create_orders(lines or [(self.product_a, 2)])
        order.write({"payment_method": "cod", "carrier_id": self.carrier.id})
        if confirm:
            self._confirm(order)
        return order

    def _slip_html(self, pickings, user=None):
        html, _report_type = (
            self.env["ir.actions.report"]
            .with_user(user or self.stock_user)
            .with_context(lang="en_US")
            ._render_qweb_html(PACKING_SLIP, pickings.ids)
        )
        return html.decode()

    def _search(self, filter_name, orders):
        """The orders among ``orders`` the search filter ``filter_name`` of
        the orders' search view finds, as a salesperson."""
        arch = self.env["sale.order"].get_view(
            self.env.ref("sale.view_sales_order_filter").id, "search"
        )["arch"]
        node = ElementTree.fromstring(arch).find(f".//filter[@name='{filter_name}']")
        domain = safe_eval(node.get("domain"))
        return (
            self.env["sale.order"]
            .with_user(self.salesman)
            .search([("id", "in", orders.ids), *domain])
        )

    def _pay_part(self, invoices, amount):
        """Register a payment of ``amount`` on posted invoices: the carrier
        remits part of the money."""
        action = invoices.with_user(self.accountant).action_register_payment()
        form = Form.from_action(self.env(user=self.accountant), action)
        form.amount = amount
        form.save().action_create_payments()


@tagged("post_install", "-at_install")
class TestCashOnDelivery(CodCase):
    def test_a_cod_quotation_never_asks_for_online_payment(self):
        self.company.portal_confirmation_pay = True
        prepaid = self._create_orders([(self.product_a, 1)])
        cod = self._cod_order(confirm=False)
        self.assertTrue(prepaid.require_payment)
        self.assertFalse(cod.require_payment, "the carrier collects the money")
        (prepaid | cod).write({"state": "sent"})
        self.assertEqual(prepaid.fulfillment_state, "to_pay")
        self.assertEqual(cod.fulfillment_state, "quotation")
        self.assertTrue(prepaid._has_to_be_paid())
        self.assertFalse(cod._has_to_be_paid(), "the portal offers no payment")

    def test_switching_a_quotation_to_cod_on_the_form_drops_online_payment(self):
        self.company.portal_confirmation_pay = True
        order = self._create_orders([(self.product_a, 1)])
        self.assertTrue(order.require_payment)
        with Form(order.with_user(self.salesman)) as form:
            form.payment_method = "cod"
            self.assertFalse(form.require_payment)
        self.assertEqual(order.payment_method, "cod")
        self.assertFalse(order.require_payment)
        with Form(order.with_user(self.salesman)) as form:
            form.payment_method = "prepaid"
        self.assertTrue(order.require_payment, "back to the company's default")

    def test_asking_a_cod_order_for_online_payment_is_refused(self):
        order = self._cod_order(confirm=False)
        with self.assertRaisesRegex(
            ValidationError,
            f"{order.name} is paid on delivery: it cannot also ask the customer "
            "to pay online.",
        ):
            order.write({"require_payment": True})

    def test_a_cod_order_ships_unpaid_and_is_done_once_the_remittance_is_paid(self):
        order = self._cod_order([(self.product_a, 2), (self.product_b, 1)])
        self.assertEqual(order.fulfillment_state, "to_ship")
        self.assertFalse(order.is_cod_outstanding, "nothing has left yet")
        self.assertAlmostEqual(order.cod_amount_due, order.amount_total)
        self._ship(order)
        self.assertEqual(order.fulfillment_state, "shipped")
        self.assertTrue(order.is_cod_outstanding, "the carrier holds the money")
        invoices = self._invoice(order)
        self.assertEqual(order.fulfillment_state, "shipped")
        self.assertTrue(order.is_cod_outstanding)
        # The carrier remits what it collected: registered on the invoice.
        self._pay(invoices)
        self.assertEqual(order.fulfillment_state, "done")
        self.assertFalse(order.is_cod_outstanding)
        self.assertEqual(order.cod_amount_due, 0.0)

    def test_a_cod_order_with_nothing_to_ship_is_never_awaiting_payment(self):
        prepaid = self._create_orders([(self.service, 1)])
        cod = self._cod_order([(self.service, 1)])
        self._confirm(prepaid)
        self.assertEqual(prepaid.fulfillment_state, "to_pay")
        self.assertEqual(cod.fulfillment_state, "shipped")
        self._pay(self._invoice(cod))
        self.assertEqual(cod.fulfillment_state, "done")

    def test_cod_orders_are_never_in_the_awaiting_payment_stage(self):
        self.company.portal_confirmation_pay = True
        orders = self._cod_order(confirm=False) | self._cod_order(
            [(self.service, 1)], confirm=False
        )
        orders.write({"state": "sent"})
        self.assertEqual(set(orders.mapped("fulfillment_state")), {"quotation"})
        self._confirm(orders)
        self._ship(orders[0])
        self.assertNotIn("to_pay", orders.mapped("fulfillment_state"))
        self.assertFalse(
            self._search("fulfillment_to_pay", orders),
            "the Awaiting Payment filter does not find them",
        )

    def test_the_unpaid_prepayment_rule_does_not_hold_cod_orders(self):
        switch_review_on(self.company)
        self.env["sale.review.rule"].create(
            {
                "name": "Prepayment",
                "rule_type": "unpaid_prepayment",
                "severity": "block",
            }
        )
        prepaid = self._create_orders([(self.product_a, 1)])
        prepaid.write({"require_payment": True, "prepayment_percent": 1.0})
        cod = self._cod_order(confirm=False)
        self._confirm(prepaid | cod)
        self.assertEqual(prepaid.review_state, "to_review")
        self.assertEqual(cod.review_state, "approved")
        self.assertEqual(cod.state, "sale")
        self.assertFalse(cod.review_issue_ids)

    def test_changing_the_payment_method_voids_a_held_review(self):
        switch_review_on(self.company)
        self.env["sale.review.rule"].create(
            {
                "name": "Prepayment",
                "rule_type": "unpaid_prepayment",
                "severity": "block",
            }
        )
        order = self._create_orders([(self.product_a, 1)])
        order.write({"require_payment": True, "prepayment_percent": 1.0})
        self._confirm(order)
        self.assertEqual(order.review_state, "to_review")
        order.with_user(self.salesman).payment_method = "cod"
        self.assertEqual(order.review_state, "none")
        self._confirm(order)
        self.assertEqual(order.state, "sale")

    def test_payment_reminders_are_never_sent_for_cod_orders(self):
        self.company.write(
            {
                "sale_payment_reminder_enabled": True,
                "sale_payment_reminder_delay_hours": 24,
                "sale_payment_cancel_delay_hours": 48,
                "portal_confirmation_pay": True,
            }
        )
        prepaid = self._create_orders([(self.product_a, 1)])
        cod = self._cod_order(confirm=False)
        (prepaid | cod).write({"state": "sent"})
        self.assertEqual(prepaid.fulfillment_state, "to_pay")
        self.assertEqual(cod.fulfillment_state, "quotation")
        later = fields.Datetime.now() + timedelta(hours=25)
        with freeze_time(later):
            self.env["sale.order"]._cron_send_payment_reminders()
        with freeze_time(later + timedelta(hours=49)):
            self.env["sale.order"]._cron_send_payment_reminders()
        self.assertEqual(prepaid.payment_reminder_count, 1)
        self.assertEqual(prepaid.state, "cancel", "left unpaid after its reminder")
        self.assertEqual(cod.payment_reminder_count, 0)
        self.assertEqual(cod.state, "sent", "never cancelled for want of payment")

    def test_the_cod_outstanding_filter_finds_shipped_orders_not_paid_yet(self):
        to_ship = self._cod_order()
        shipped = self._cod_order()
        invoiced = self._cod_order()
        paid = self._cod_order()
        prepaid = self._order([(self.product_a, 1)])
        for order in (shipped, invoiced, paid, prepaid):
            self._ship(order)
        self._invoice(invoiced)
        self._pay(self._invoice(paid))
        orders = to_ship | shipped | invoiced | paid | prepaid
        self.assertEqual(self._search("cod_outstanding", orders), shipped | invoiced)
        self.assertEqual(
            self._search("payment_cod", orders), to_ship | shipped | invoiced | paid
        )
        groups = (
            self.env["sale.order"]
            .with_user(self.salesman)
            ._read_group([("id", "in", orders.ids)], ["payment_method"], ["__count"])
        )
        self.assertEqual(dict(groups), {"cod": 4, "prepaid": 1})

    def test_a_partly_shipped_cod_order_is_outstanding_until_settled(self):
        order = self._cod_order([(self.product_a, 2), (self.product_b, 1)])
        self._ship(order, {self.product_b: 0})
        self.assertEqual(order.fulfillment_state, "partially_shipped")
        self.assertTrue(order.is_cod_outstanding)
        # Invoiced on order and paid in full with the first parcel.
        self._pay(self._invoice(order))
        self.assertFalse(order.is_cod_outstanding)
        self.assertEqual(order.fulfillment_state, "partially_shipped")

    def test_order_views_show_the_payment_method_and_the_amount_to_collect(self):
        SaleOrder = self.env["sale.order"].with_user(self.salesman)
        form = ElementTree.fromstring(SaleOrder.get_view(view_type="form")["arch"])
        names = [node.get("name") for node in form.iter("field")]
        self.assertEqual(
            names[names.index("payment_term_id") + 1],
            "payment_method",
            "next to the payment terms",
        )
        self.assertIn("cod_amount_due", names)
        listing = ElementTree.fromstring(
            SaleOrder.get_view(self.env.ref("sale.view_order_tree").id, "list")["arch"]
        )
        column = listing.find(".//field[@name='payment_method']")
        self.assertEqual(column.get("optional"), "hide")
        search = ElementTree.fromstring(
            SaleOrder.get_view(
                self.env.ref("sale.view_sales_order_filter").id, "search"
            )["arch"]
        )
        self.assertIsNotNone(search.find(".//filter[@name='group_by_payment_method']"))


@tagged("post_install", "-at_install")
class TestCashOnDeliverySlip(CodCase):
    def test_the_packing_slip_shows_the_amount_to_collect(self):
        order = self._cod_order([(self.product_a, 2), (self.product_b, 1)])
        prepaid = self._order([(self.product_a, 1)])
        picking = self._delivery(order)
        html = self._slip_html(picking)
        self.assertIn("Cash on Delivery", html)
        self.assertIn("Amount to Collect", html)
        self.assertIn("o_packing_slip_cod_amount", html)
        amount = f"{order.amount_total:,.2f}"
        self.assertIn(amount, html)
        self.assertEqual(
            picking._get_cod_amount_to_collect(), {picking.id: order.amount_total}
        )
        prepaid_html = self._slip_html(self._delivery(prepaid))
        self.assertNotIn("Amount to Collect", prepaid_html)
        self.assertNotIn("packing_slip_cod", prepaid_html)

    def test_the_slip_collects_what_is_left_after_a_part_payment(self):
        order = self._cod_order([(self.product_b, 2)])
        self._pay_part(self._invoice(order), 30.0)
        self.assertAlmostEqual(order.cod_amount_due, order.amount_total - 30.0)
        picking = self._delivery(order)
        self.assertAlmostEqual(
            picking._get_cod_amount_to_collect()[picking.id], order.amount_total - 30.0
        )
        self.assertIn(f"{order.amount_total - 30.0:,.2f}", self._slip_html(picking))

    def test_an_order_shipped_in_two_parcels_is_collected_once(self):
        order = self._cod_order([(self.product_a, 2), (self.product_b, 1)])
        first = self._delivery(order)
        self._ship(order, {self.product_b: 0})
        backorder = self._delivery(order)
        self.assertNotEqual(first, backorder)
        amounts = (first | backorder)._get_cod_amount_to_collect()
        self.assertEqual(amounts, {first.id: order.amount_total, backorder.id: 0.0})
        collection = (first | backorder)._get_cod_collections()[backorder.id][0]
        self.assertEqual(collection["collected_with"], first)
        html = self._slip_html(backorder)
        self.assertIn("collected with", html)
        self.assertIn(first.name, html)

    def test_a_merged_delivery_collects_each_cod_order_it_carries(self):
        first = self._cod_order([(self.product_a, 1)])
        second = self._cod_order([(self.product_b, 1)])
        prepaid = self._order([(self.product_a, 3)])
        merged = (
            self._delivery(first) | self._delivery(second) | self._delivery(prepaid)
        ).action_merge_shipments()
        collections = merged._get_cod_collections()[merged.id]
        self.assertEqual(
            [(c["order_id"], c["amount"]) for c in collections],
            [(first, first.amount_total), (second, second.amount_total)],
        )
        html = self._slip_html(merged)
        self.assertIn(f"{first.amount_total + second.amount_total:,.2f}", html)
        self.assertIn(first.name, html)

    def test_the_warehouse_reads_the_amount_without_access_to_invoices(self):
        order = self._cod_order([(self.product_b, 2)])
        self._pay_part(self._invoice(order), 30.0)
        picking = self._delivery(order).with_user(self.stock_user)
        self.assertAlmostEqual(
            picking._get_cod_amount_to_collect()[picking.id], order.amount_total - 30.0
        )


@tagged("post_install", "-at_install")
class TestCashOnDeliveryKpis(KpiCase):
    """March 2026: o1 (100, prepaid, shipped), two orders paid on delivery by
    two carriers, shipped and not paid, one paid on delivery and settled, one
    paid on delivery not shipped yet, and an outstanding order of February."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        fee = cls.env["product.product"].create(
            {"name": "KPI Carrier Fee", "type": "service"}
        )
        cls.sf, cls.zto = cls.env["delivery.carrier"].create(
            [
                {"name": "KPI SF Express", "product_id": fee.id},
                {"name": "KPI ZTO Express", "product_id": fee.id},
            ]
        )

    def _cod(self, partner, lines, when, carrier):
        order = self._dated_order(partner, lines, when)
        order.write({"payment_method": "cod", "carrier_id": carrier.id})
        return order

    def _cod_march(self):
        a, b = self.product_a, self.product_b
        self._dated_order(self.c1, [(a, 10)], datetime(2026, 3, 2, 10))
        sf_open = self._cod(self.c1, [(b, 5)], datetime(2026, 3, 5, 10), self.sf)
        zto_open = self._cod(self.c2, [(a, 3)], datetime(2026, 3, 6, 10), self.zto)
        settled = self._cod(self.c3, [(a, 4)], datetime(2026, 3, 7, 10), self.zto)
        waiting = self._cod(self.c3, [(b, 1)], datetime(2026, 3, 8, 10), self.sf)
        february = self._cod(self.c2, [(b, 1)], datetime(2026, 2, 20, 10), self.sf)
        for order in (sf_open, zto_open, settled, february):
            self._ship(order)
        self._pay_part(self._invoice(sf_open), 50.0)
        self._pay(self._invoice(settled))
        return sf_open, zto_open, settled, waiting, february

    def _pay_part(self, invoices, amount):
        action = invoices.with_user(self.accountant).action_register_payment()
        form = Form.from_action(self.env(user=self.accountant), action)
        form.amount = amount
        form.save().action_create_payments()

    def test_kpis_count_cod_orders_and_what_the_carriers_hold(self):
        self._cod_march()
        kpis = self.digest.with_user(self.manager)._compute_kpis(*MARCH)
        self.assertEqual(kpis["order_count"], 5)
        self.assertEqual(kpis["cod_orders"], 4)
        self.assertAlmostEqual(kpis["cod_revenue"], 200.0 + 30.0 + 40.0 + 40.0)
        # sf_open: 200 less 50 remitted; zto_open: 30; February's: 40.
        self.assertEqual(kpis["cod_outstanding_orders"], 3)
        self.assertAlmostEqual(kpis["cod_outstanding_amount"], 150.0 + 30.0 + 40.0)
        self.assertEqual(
            [
                (row["carrier_id"], row["count"], row["amount"])
                for row in kpis["cod_by_carrier"]
            ],
            [(self.sf.id, 2, 190.0), (self.zto.id, 1, 30.0)],
        )
        self.assertEqual(kpis["previous"]["cod_orders"], 1, "February's")
        self.assertAlmostEqual(kpis["change"]["cod_orders"], 300.0)

    def test_a_period_counts_what_is_outstanding_of_its_orders_and_earlier(self):
        self._cod_march()
        kpis = self.digest._compute_kpis(date(2026, 2, 1), date(2026, 2, 28))
        self.assertEqual(kpis["cod_orders"], 1)
        self.assertEqual(kpis["cod_outstanding_orders"], 1, "March's come later")
        self.assertAlmostEqual(kpis["cod_outstanding_amount"], 40.0)

    def test_the_digest_and_the_analysis_show_cash_on_delivery(self):
        sf_open, zto_open, settled, waiting, february = self._cod_march()
        body = self.digest._render_body(self.digest._get_render_values(*MARCH))
        for text in (
            "Cash on Delivery",
            "Orders paid on delivery",
            "Outstanding with carriers",
            "KPI SF Express",
            "KPI ZTO Express",
        ):
            self.assertIn(text, body)
        self.digest.kpi_cod = False
        body = self.digest._render_body(self.digest._get_render_values(*MARCH))
        self.assertNotIn("Outstanding with carriers", body)
        mine = sf_open | zto_open | settled | waiting | february
        rows = self.env["sale.order.analysis"].search(
            [("is_cod_outstanding", "=", True), ("order_id", "in", mine.ids)]
        )
        self.assertEqual(rows.order_id, sf_open | zto_open | february)
        self.assertEqual(set(rows.mapped("payment_method")), {"cod"})

    def test_cod_kpis_take_a_constant_number_of_queries(self):
        self._cod_march()
        self.digest._compute_kpis(*MARCH)
        self.env.flush_all()
        # The 13 queries of the other KPIs and one for what the carriers hold.
        with self.assertQueryCount(14):
            self.digest._compute_kpis(*MARCH)
        for day in range(10, 20):
            order = self._cod(
                self.c2, [(self.product_a, 1)], datetime(2026, 3, day, 10), self.zto
            )
            self._ship(order)
        self.env.flush_all()
        with self.assertQueryCount(14):
            kpis = self.digest._compute_kpis(*MARCH)
        self.assertEqual(kpis["cod_outstanding_orders"], 13)
