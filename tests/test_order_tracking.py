from datetime import timedelta
from xml.etree import ElementTree

from freezegun import freeze_time

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged
from odoo.tools.safe_eval import safe_eval

from .common import ShipmentCase, create_delivery


class TrackingCase(ShipmentCase):
    """Orders in every stage, a second company and helpers for time and mail."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.provider = cls.env["payment.provider"].create(
            {"name": "Tracking Test Provider", "code": "none", "state": "test"}
        )
        cls.company.write(
            {
                "sale_payment_reminder_enabled": True,
                "sale_payment_reminder_delay_hours": 24,
                "sale_payment_cancel_delay_hours": 0,
                "sale_notify_shipped": True,
                "sale_notify_delivered": True,
                "stock_move_email_validation": False,
            }
        )

    def _transaction(self, order, state, amount=None):
        transaction = self.env["payment.transaction"].create(
            {
                "provider_id": self.provider.id,
                "payment_method_id": self.env.ref("payment.payment_method_unknown").id,
                "amount": order.amount_total if amount is None else amount,
                "currency_id": order.currency_id.id,
                "partner_id": order.partner_id.id,
                "sale_order_ids": [Command.set(order.ids)],
            }
        )
        if state == "error":
            transaction._set_error("declined")
        elif state == "done":
            transaction._set_done()
        return transaction

    def _awaiting_payment(self, count=1, company=None):
        """Sent quotations waiting for the customer's online payment."""
        company = company or self.company
        vals = {
            "partner_id": self.customer.id,
            "company_id": company.id,
            "require_payment": True,
            "prepayment_percent": 1.0,
            "order_line": [
                Command.create({"product_id": self.product_a.id, "product_uom_qty": 1})
            ],
        }
        orders = (
            self.env["sale.order"].with_company(company).create([vals] * count)
        ).with_env(self.env)
        orders.action_quotation_sent()
        self.assertEqual(set(orders.mapped("fulfillment_state")), {"to_pay"})
        return orders

    def _on_time(self, orders):
        """Give the orders a commitment date ahead: they are not late."""
        orders.commitment_date = fields.Datetime.now() + timedelta(days=5)
        return orders

    def _mails(self, orders, subject=None):
        mails = self.env["mail.mail"].search(
            [("model", "=", "sale.order"), ("res_id", "in", orders.ids)]
        )
        if subject:
            mails = mails.filtered(lambda mail: subject in (mail.subject or ""))
        return mails

    def _messages(self, orders, subject):
        return self.env["mail.message"].search(
            [
                ("model", "=", "sale.order"),
                ("res_id", "in", orders.ids),
                ("subject", "ilike", subject),
            ]
        )

    def _later(self, hours):
        return freeze_time(fields.Datetime.now() + timedelta(hours=hours))

    def _filter_domain(self, name):
        """The domain of a filter of the sales order search view."""
        arch = self.env["sale.order"].get_view(
            self.env.ref("sale.view_sales_order_filter").id, "search"
        )["arch"]
        node = ElementTree.fromstring(arch).find(f".//filter[@name='{name}']")
        return safe_eval(node.get("domain"), {"uid": self.env.uid})


@tagged("post_install", "-at_install")
class TestOrderExceptions(TrackingCase):
    def _flagged(self, orders, flag):
        return self.env["sale.order"].search(
            [("id", "in", orders.ids), (flag, "=", True)]
        )

    def test_stock_shortage_flags_confirmed_goods_waiting_for_stock(self):
        short = self._order([(self.scarce, 2)])
        served = self._order([(self.product_a, 2)])
        quotation = self._create_orders([(self.scarce, 2)])
        self.assertTrue(short.has_stock_shortage)
        self.assertFalse(served.has_stock_shortage)
        self.assertFalse(quotation.has_stock_shortage, "not confirmed: no moves")
        self.assertEqual(
            self._flagged(short | served | quotation, "has_stock_shortage"), short
        )
        self.env["stock.quant"]._update_available_quantity(
            self.scarce, self.stock_location, 5
        )
        short.picking_ids.action_assign()
        self.assertFalse(short.has_stock_shortage, "reserved now")

    def test_made_to_order_goods_waiting_for_production_are_no_shortage(self):
        order = self._order([(self.mto_product, 1)])
        self.assertEqual(order.fulfillment_state, "in_production")
        self.assertFalse(order.has_stock_shortage)

    def test_payment_failed_until_a_payment_succeeds(self):
        order = self._awaiting_payment()
        self.assertFalse(order.has_payment_failed)
        self._transaction(order, "error")
        self.assertTrue(order.has_payment_failed)
        self.assertEqual(self._flagged(order, "has_payment_failed"), order)
        self._transaction(order, "done")
        self.assertFalse(order.has_payment_failed)

    def test_incomplete_address_needs_street_city_country_and_required_zip(self):
        us, hong_kong = self.env.ref("base.us"), self.env.ref("base.hk")
        complete, no_street, no_zip, hk_without_zip = self.env["res.partner"].create(
            [
                {"name": "Complete", "street": "1 Main St", "city": "Austin"}
                | {"zip": "73301", "country_id": us.id},
                {"name": "No Street", "city": "Austin", "zip": "73301"}
                | {"country_id": us.id},
                {"name": "No ZIP", "street": "1 Main St", "city": "Austin"}
                | {"country_id": us.id},
                {"name": "HK", "street": "1 Queen's Rd", "city": "Hong Kong"}
                | {"country_id": hong_kong.id},
            ]
        )
        orders = self._create_orders([(self.product_a, 1)], count=4)
        for order, address in zip(
            orders, (complete, no_street, no_zip, hk_without_zip), strict=True
        ):
            order.partner_shipping_id = address
        self.assertEqual(
            orders.mapped("has_incomplete_address"), [False, True, True, False]
        )
        self.assertEqual(
            self._flagged(orders, "has_incomplete_address"), orders[1] | orders[2]
        )
        no_zip.zip = "73301"
        self.assertFalse(orders[2].has_incomplete_address, "fixing the address clears")

    def test_late_after_the_commitment_or_expected_date_with_goods_to_deliver(self):
        past = fields.Datetime.now() - timedelta(days=2)
        future = fields.Datetime.now() + timedelta(days=2)
        committed_late, committed_later, expected_late, shipped = self._create_orders(
            [(self.product_a, 1)], count=4
        )
        committed_late.commitment_date = past
        committed_later.commitment_date = future
        self._confirm(committed_late | committed_later | expected_late | shipped)
        expected_late.date_order = past
        shipped.commitment_date = past
        self._ship(shipped)
        quotation = self._create_orders([(self.product_a, 1)])
        quotation.commitment_date = past
        services = self._create_orders([(self.service, 1)])
        services.commitment_date = past
        self._confirm(services)
        orders = (
            committed_late
            | committed_later
            | expected_late
            | shipped
            | quotation
            | services
        )
        self.assertEqual(
            orders.mapped("is_late"), [True, False, True, False, False, False]
        )
        late = committed_late | expected_late
        self.assertEqual(self._flagged(orders, "is_late"), late)
        self.assertEqual(
            self.env["sale.order"].search(
                [("id", "in", orders.ids), ("is_late", "=", False)]
            ),
            orders - late,
        )
        with self._later(24 * 3):
            self.env.invalidate_all()
            self.assertTrue(committed_later.is_late, "its commitment date passed")
            self.assertIn(committed_later, self._flagged(orders, "is_late"))

    def test_duplicate_flags_the_later_of_two_same_orders(self):
        first, second = self._create_orders([(self.product_a, 3)], count=2)
        other = self._create_orders([(self.product_a, 4)])
        orders = first | second | other
        self.assertEqual(orders.mapped("is_duplicate"), [False, True, False])
        self.assertEqual(self._flagged(orders, "is_duplicate"), second)
        first._action_cancel()
        self.env.invalidate_all()
        self.assertFalse(second.is_duplicate, "the earlier order was cancelled")

    def test_summary_and_exceptions_filter_show_every_flag(self):
        short = self._on_time(self._order([(self.scarce, 1)]))
        clean = self._on_time(self._order([(self.product_b, 1)]))
        self.assertEqual(short.exception_summary, "Stock Shortage")
        self.assertFalse(clean.exception_summary)
        found = self.env["sale.order"].search(
            [("id", "in", (short | clean).ids)]
            + self._filter_domain("fulfillment_exceptions")
        )
        self.assertEqual(found, short)
        for name in (
            "exception_stock_shortage",
            "exception_payment_failed",
            "exception_incomplete_address",
            "exception_late",
            "exception_duplicate",
            "stage_overdue",
        ):
            self.assertTrue(self._filter_domain(name), name)

    def test_flags_are_read_as_a_salesperson(self):
        order = self._on_time(self._order([(self.scarce, 1)]))
        self.assertEqual(
            order.with_user(self.salesman).exception_summary, "Stock Shortage"
        )

    def test_flag_computes_cost_the_same_queries_for_any_batch_size(self):
        def batch():
            short = self._order([(self.scarce, 1)])
            late = self._create_orders([(self.product_a, 2)])
            late.commitment_date = fields.Datetime.now() - timedelta(days=1)
            self._confirm(late)
            failed = self._awaiting_payment()
            self._transaction(failed, "error")
            duplicates = self._create_orders([(self.product_b, 7)], count=2)
            return short | late | failed | duplicates

        small = batch()
        large = small | batch() | batch()
        for orders in (small, large):
            self.env.invalidate_all()
            # An upper bound: a small batch reads the lines of the earlier
            # orders it is compared with, a large one has most in its prefetch.
            with self.assertQueryCount(15):
                orders._compute_has_stock_shortage()
                orders._compute_has_payment_failed()
                orders._compute_has_incomplete_address()
                orders._compute_is_duplicate()
                orders._compute_is_late()
        self.assertEqual(small.filtered("is_duplicate"), small[-1])
        self.assertEqual(len(large.filtered("has_stock_shortage")), 3)


@tagged("post_install", "-at_install")
class TestPaymentReminders(TrackingCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("zh_CN")
        cls.template = cls.env.ref(
            "sale_fulfillment.mail_template_sale_payment_reminder"
        )
        cls.template.with_context(lang="zh_CN").subject = "{{ object.name }} 催款"

    def _run_cron(self, hours):
        with self._later(hours):
            self.env["sale.order"]._cron_send_payment_reminders()

    def test_no_reminder_before_the_delay(self):
        order = self._awaiting_payment()
        self._run_cron(23)
        self.assertFalse(self._mails(order))
        self.assertEqual(order.payment_reminder_count, 0)

    def test_one_reminder_after_the_delay_in_the_customer_language(self):
        self.customer.lang = "zh_CN"
        order = self._awaiting_payment()
        self._run_cron(25)
        mail = self._mails(order, "催款")
        self.assertEqual(len(mail), 1)
        self.assertEqual(mail.subject, f"{order.name} 催款")
        self.assertEqual(mail.recipient_ids, self.customer)
        self.assertIn(order.get_portal_url(), str(mail.body_html))
        self.assertEqual(mail.mail_message_id.model, "sale.order")
        self.assertEqual(mail.mail_message_id.res_id, order.id)
        self.assertIn(mail.mail_message_id, order.message_ids, "in the chatter")
        self.assertEqual(order.payment_reminder_count, 1)
        self.assertTrue(order.payment_reminder_sent_on)
        self.assertEqual(order.state, "sent", "a reminder cancels nothing")

        self._run_cron(26)
        self._run_cron(100)
        self.assertEqual(len(self._mails(order, "催款")), 1, "never twice")

    def test_cron_record_runs_the_reminders(self):
        order = self._awaiting_payment()
        cron = self.env.ref("sale_fulfillment.ir_cron_sale_payment_reminder")
        with self._later(25):
            cron.method_direct_trigger()
        self.assertEqual(order.payment_reminder_count, 1)

    def test_unpaid_order_is_cancelled_after_the_cancel_delay(self):
        self.company.sale_payment_cancel_delay_hours = 72
        order = self._awaiting_payment()
        self._run_cron(25)
        self.assertEqual(order.state, "sent")
        self._run_cron(73)
        self.assertEqual(order.state, "cancel")
        self.assertEqual(order.fulfillment_state, "cancel")
        self.assertTrue(
            any(
                "Cancelled automatically" in message.body
                for message in order.message_ids
            )
        )
        self.assertEqual(len(self._mails(order, order.name)), 1, "one reminder")

    def test_an_order_is_reminded_before_it_is_cancelled(self):
        self.company.sale_payment_cancel_delay_hours = 72
        order = self._awaiting_payment()
        self._run_cron(80)
        self.assertEqual(order.state, "sent", "first the customer is reminded")
        self.assertEqual(order.payment_reminder_count, 1)
        self._run_cron(81)
        self.assertEqual(order.state, "cancel")

    def test_a_confirmed_order_awaiting_payment_is_never_cancelled(self):
        self.company.sale_payment_cancel_delay_hours = 72
        order = self._create_orders([(self.service, 1)])
        self._confirm(order)
        self.assertEqual(order.fulfillment_state, "to_pay")
        self._run_cron(25)
        self._run_cron(100)
        self.assertEqual(order.state, "sale")
        self.assertEqual(order.payment_reminder_count, 1)

    def test_the_cancel_delay_must_follow_the_reminder(self):
        with (
            self.assertRaisesRegex(ValidationError, "cancel delay above"),
            self.env.cr.savepoint(),
        ):
            self.company.sale_payment_cancel_delay_hours = 24
        with (
            self.assertRaisesRegex(ValidationError, "cannot be negative"),
            self.env.cr.savepoint(),
        ):
            self.company.sale_payment_reminder_delay_hours = -1

    def test_partly_paid_order_is_reminded_but_never_cancelled(self):
        self.company.sale_payment_cancel_delay_hours = 72
        order = self._awaiting_payment()
        self._transaction(order, "done", amount=1.0)
        self.assertEqual(order.fulfillment_state, "to_pay")
        self._run_cron(100)
        self.assertEqual(order.state, "sent")

    def test_paid_and_plain_orders_are_untouched(self):
        self.company.sale_payment_cancel_delay_hours = 72
        paid = self._awaiting_payment()
        self._transaction(paid, "done")
        paid.transaction_ids._check_amount_and_confirm_order()
        self.assertEqual(paid.state, "sale")
        plain = self._create_orders([(self.product_a, 1)])
        plain.require_payment = False
        plain.with_user(self.salesman).action_quotation_sent()
        self.assertEqual(plain.fulfillment_state, "quotation")
        self._run_cron(100)
        self.assertEqual(paid.state, "sale")
        self.assertEqual(plain.state, "sent")
        self.assertEqual(paid.payment_reminder_count + plain.payment_reminder_count, 0)

    def test_each_company_uses_its_own_settings(self):
        company_b = self.env["res.company"].create({"name": "Tracking Company B"})
        company_c = self.env["res.company"].create({"name": "Tracking Company C"})
        company_b.write(
            {
                "sale_payment_reminder_enabled": True,
                "sale_payment_reminder_delay_hours": 48,
            }
        )
        company_c.sale_payment_reminder_enabled = False
        order_a = self._awaiting_payment()
        order_b = self._awaiting_payment(company=company_b)
        order_c = self._awaiting_payment(company=company_c)
        self._run_cron(25)
        self.assertEqual(
            (order_a | order_b | order_c).mapped("payment_reminder_count"), [1, 0, 0]
        )
        self._run_cron(49)
        self.assertEqual(
            (order_a | order_b | order_c).mapped("payment_reminder_count"), [1, 1, 0]
        )

    def test_cron_queries_do_not_grow_with_the_orders(self):
        self.company.sale_payment_cancel_delay_hours = 72
        for count in (1, 4):
            orders = self._awaiting_payment(count=count)
            self._run_cron(25)
            self.assertEqual(orders.mapped("payment_reminder_count"), [1] * count)
            self.env.invalidate_all()
            with self._later(26), self.assertQueryCount(4):
                # Reminded already, not due for cancelling: nothing to do.
                self.env["sale.order"]._cron_send_payment_reminders()
            orders._action_cancel()


@tagged("post_install", "-at_install")
class TestMilestoneEmails(TrackingCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.carrier.tracking_url = (
            "https://track.example.com/parcel?ref=<shipmenttrackingnumber>"
        )

    def _shipped_order(self, lines=None, quantities=None):
        order = self._order(lines or [(self.product_a, 2)])
        picking = self._delivery(order)
        picking.carrier_tracking_ref = "JX0001"
        self._ship(order, quantities)
        return order, picking

    def test_shipped_email_names_carrier_tracking_ref_and_link(self):
        order, picking = self._shipped_order()
        messages = self._messages(order, "has shipped")
        self.assertEqual(len(messages), 1)
        body = str(messages.body)
        self.assertIn("Jade Express", body)
        self.assertIn("JX0001", body)
        self.assertIn("https://track.example.com/parcel?ref=JX0001", body)
        self.assertIn(picking.name, messages.subject)
        mails = self._mails(order, "has shipped")
        to_customer = mails.filtered(lambda mail: self.customer in mail.recipient_ids)
        self.assertEqual(len(to_customer), 1)
        self.assertNotIn(self.stock_user.partner_id, order.message_partner_ids)

    def test_shipped_email_in_the_customer_language(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        template = self.env.ref("sale_fulfillment.mail_template_sale_order_shipped")
        template.with_context(
            lang="zh_CN"
        ).subject = "{{ object.milestone_order_id.name }} 已发货"
        self.customer.lang = "zh_CN"
        order, _picking = self._shipped_order()
        self.assertEqual(
            self._messages(order, "已发货").subject, f"{order.name} 已发货"
        )

    def test_a_merged_delivery_tells_each_customer_of_their_own_order(self):
        first = self._order([(self.product_a, 1)])
        second = self._order([(self.product_b, 1)])
        merged = (
            (self._delivery(first) | self._delivery(second))
            .with_user(self.stock_user)
            .action_merge_shipments()
        )
        self._ship(first, picking=merged)
        for order, other in ((first, second), (second, first)):
            message = self._messages(order, "has shipped")
            self.assertEqual(len(message), 1)
            self.assertIn(order.name, message.subject)
            self.assertNotIn(other.name, message.subject)

    def test_each_partial_shipment_gets_its_own_email_once(self):
        order, _picking = self._shipped_order(
            [(self.product_a, 2), (self.product_b, 1)], {self.product_b: 0}
        )
        self.assertEqual(len(self._messages(order, "has shipped")), 1)
        self._ship(order)
        self.assertEqual(len(self._messages(order, "has shipped")), 2)

    def test_no_shipped_email_when_switched_off_or_sent_by_odoo(self):
        self.company.sale_notify_shipped = False
        order, _picking = self._shipped_order()
        self.assertFalse(self._messages(order, "has shipped"))
        self.company.write(
            {"sale_notify_shipped": True, "stock_move_email_validation": True}
        )
        order, _picking = self._shipped_order()
        self.assertFalse(
            self._messages(order, "has shipped"),
            "Odoo's delivery confirmation already tells the customer",
        )

    def test_deliveries_of_no_sales_order_send_nothing(self):
        picking = create_delivery(
            self.env, [(self.product_a, 1)], partner=self.customer
        )
        picking.move_ids.quantity = 1
        picking.move_ids.picked = True
        before = self.env["mail.message"].search([], order="id desc", limit=1).id
        picking.with_user(self.stock_user).button_validate()
        self.assertEqual(picking.state, "done")
        self.assertFalse(
            self.env["mail.message"].search(
                [("id", ">", before), ("subject", "ilike", "has shipped")]
            ),
            "demo orders shipped at install have theirs; this delivery has none",
        )

    def test_mark_delivered_emails_once_and_dates_the_order(self):
        order, picking = self._shipped_order(
            [(self.product_a, 2), (self.product_b, 1)], {self.product_b: 0}
        )
        picking.with_user(self.stock_user).action_mark_delivered()
        self.assertTrue(picking.delivered_on)
        self.assertFalse(order.delivered_on, "a backorder is still to ship")
        messages = self._messages(order, "was delivered")
        self.assertEqual(len(messages), 1)
        self.assertIn("Jade Express", str(messages.body))
        mails = self._mails(order, "was delivered")
        self.assertEqual(
            len(mails.filtered(lambda m: self.customer in m.recipient_ids)), 1
        )
        self.assertNotIn(
            self.stock_user.partner_id,
            order.message_partner_ids,
            "who marks it delivered does not follow the order",
        )

        backorder = self._delivery(order)
        self._ship(order)
        when = fields.Datetime.now() + timedelta(hours=5)
        self.assertEqual(backorder._action_mark_delivered(when), backorder)
        self.assertEqual(order.delivered_on, when)
        self.assertFalse(picking._action_mark_delivered(), "already delivered")
        self.assertEqual(len(self._messages(order, "was delivered")), 2)
        with (
            self.assertRaisesRegex(UserError, "already marked as delivered"),
            self.env.cr.savepoint(),
        ):
            picking.with_user(self.stock_user).action_mark_delivered()

    def test_mark_delivered_refusals(self):
        order = self._order([(self.product_a, 1)])
        picking = self._delivery(order)
        with (
            self.assertRaisesRegex(UserError, "is not a shipped delivery"),
            self.env.cr.savepoint(),
        ):
            picking.with_user(self.stock_user).action_mark_delivered()
        self._ship(order)
        with (
            self.assertRaisesRegex(AccessError, "Only warehouse users"),
            self.env.cr.savepoint(),
        ):
            picking.with_user(self.salesman).action_mark_delivered()
        self.assertFalse(picking.delivered_on)

    def test_no_delivered_email_when_switched_off(self):
        self.company.sale_notify_delivered = False
        order, picking = self._shipped_order()
        picking.with_user(self.stock_user).action_mark_delivered()
        self.assertTrue(order.delivered_on)
        self.assertFalse(self._messages(order, "was delivered"))


@tagged("post_install", "-at_install")
class TestBacklog(TrackingCase):
    def test_stage_date_changes_with_the_stage_only(self):
        order = self._create_orders([(self.product_a, 1)])
        self.assertGreaterEqual(order.fulfillment_state_date, order.create_date)
        self.assertLessEqual(order.fulfillment_state_date, fields.Datetime.now())
        later = fields.Datetime.now() + timedelta(hours=3)
        with freeze_time(later):
            self._confirm(order)
            self.assertEqual(order.fulfillment_state, "to_ship")
            self.assertEqual(order.fulfillment_state_date, later)
        with self._later(6):
            # A change the stage depends on, that leaves it as it is.
            order.require_payment = not order.require_payment
            order.flush_recordset()
            self.env.invalidate_all()
            self.assertEqual(order.fulfillment_state, "to_ship")
            self.assertEqual(order.fulfillment_state_date, later)

    def test_stage_date_survives_a_fresh_read_of_the_batch(self):
        orders = self._create_orders([(self.product_a, 1)], count=2)
        orders.flush_recordset()
        self.env.invalidate_all()
        dates = orders.mapped("fulfillment_state_date")
        self.env.invalidate_all()
        with self._later(2):
            orders._compute_fulfillment_state()
            self.assertEqual(orders.mapped("fulfillment_state_date"), dates)

    def test_deadline_from_the_company_service_level_and_overdue_search(self):
        self.company.sale_sla_to_ship_hours = 24
        late, fresh = self._create_orders([(self.product_a, 1)], count=2)
        self._confirm(late)
        late.flush_recordset()
        with self._later(20):
            self._confirm(fresh)
            fresh.flush_recordset()
        quotation = self._create_orders([(self.product_a, 1)])
        self.assertEqual(
            late.stage_deadline, late.fulfillment_state_date + timedelta(hours=24)
        )
        self.assertFalse(quotation.stage_deadline, "no service level for quotations")
        orders = late | fresh | quotation
        with self._later(25):
            self.env.invalidate_all()
            self.assertEqual(orders.mapped("is_stage_overdue"), [True, False, False])
            self.assertGreater(late.stage_age_hours, 24)
            overdue = [("id", "in", orders.ids), ("is_stage_overdue", "=", True)]
            self.assertEqual(self.env["sale.order"].search(overdue), late)
            on_time = [("id", "in", orders.ids), ("is_stage_overdue", "=", False)]
            self.assertEqual(self.env["sale.order"].search(on_time), fresh | quotation)
        self.company.sale_sla_to_ship_hours = 0
        self.assertFalse(late.stage_deadline, "no limit any more")

    def test_backlog_action_lists_open_stages_for_salespeople(self):
        open_order, cancelled = self._create_orders([(self.product_a, 1)], count=2)
        quotation = self._create_orders([(self.product_a, 1)])
        self._confirm(open_order | cancelled)
        cancelled._action_cancel()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "sale_fulfillment.sale_order_backlog_action"
        )
        model = self.env["sale.order"].with_user(self.salesman)
        model.get_views([(False, mode) for mode in action["view_mode"].split(",")])
        found = model.search(
            [("id", "in", (open_order | cancelled | quotation).ids)]
            + safe_eval(action["domain"])
        )
        self.assertEqual(found, open_order)
        menu = self.env.ref("sale_fulfillment.sale_order_backlog_menu")
        self.assertEqual(
            menu.action, self.env.ref("sale_fulfillment.sale_order_backlog_action")
        )
        visible = self.env["ir.ui.menu"].with_user(self.salesman)._visible_menu_ids()
        self.assertIn(menu.id, visible)
