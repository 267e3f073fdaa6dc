from datetime import timedelta
from unittest.mock import patch

from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import ValidationError
from odoo.tests import Form, new_test_user, tagged

from odoo.addons.sale_fulfillment.models import stock_picking_auto_receipt

from .common import ShipmentCase, create_delivery

AUTO_NOTE = "Marked as delivered automatically"


class AutoReceiptCase(ShipmentCase):
    """The company confirms receipt 15 days after a delivery left and emails
    the customer when it is delivered."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write(
            {
                "sale_auto_receipt_enabled": True,
                "sale_auto_receipt_days": 15,
                "sale_notify_delivered": True,
                "sale_notify_shipped": False,
                "stock_move_email_validation": False,
            }
        )
        cls.customer.lang = "en_US"
        # Deliveries the demo data shipped are not this test's: they count as
        # received already.
        cls.env["stock.picking"].search(
            [
                ("state", "=", "done"),
                ("picking_type_code", "=", "outgoing"),
                ("delivered_on", "=", False),
            ]
        ).write({"delivered_on": fields.Datetime.now()})

    def _shipped(self, lines=None):
        """An order shipped now by the warehouse, and its delivery."""
        order = self._order(lines or [(self.product_a, 1)])
        picking = self._delivery(order)
        self._ship(order)
        return order, picking

    def _later(self, days):
        return freeze_time(fields.Datetime.now() + timedelta(days=days))

    def _run_cron(self, days):
        with self._later(days):
            self.env["stock.picking"]._cron_mark_auto_received()

    def _delivered_messages(self, order):
        return order.message_ids.filtered(
            lambda message: "was delivered" in (message.subject or "")
        )

    def _auto_notes(self, picking):
        return picking.message_ids.filtered(
            lambda message: AUTO_NOTE in str(message.body)
        )


@tagged("post_install", "-at_install")
class TestAutoReceipt(AutoReceiptCase):
    def test_a_delivery_counts_as_received_the_set_days_after_it_left(self):
        order, picking = self._shipped()
        self._run_cron(16)
        self.assertEqual(
            picking.delivered_on,
            picking.date_done + timedelta(days=15),
            "dated the day it counts as received, not the day of the run",
        )
        self.assertEqual(order.delivered_on, picking.delivered_on)
        self.assertEqual(len(self._auto_notes(picking)), 1)

    def test_nothing_happens_before_the_days_have_passed(self):
        order, picking = self._shipped()
        self._run_cron(14)
        self.assertFalse(picking.delivered_on)
        self.assertFalse(order.delivered_on)
        self.assertFalse(self._delivered_messages(order))

    def test_the_delivered_email_follows_as_if_confirmed(self):
        order, picking = self._shipped()
        self._run_cron(16)
        messages = self._delivered_messages(order)
        self.assertEqual(len(messages), 1)
        self.assertEqual(messages.partner_ids, self.customer)
        mails = self.env["mail.mail"].search([("mail_message_id", "in", messages.ids)])
        self.assertEqual(
            len(mails.filtered(lambda mail: self.customer in mail.recipient_ids)), 1
        )
        self._run_cron(30)
        self.assertEqual(len(self._delivered_messages(order)), 1, "once only")
        self.assertEqual(len(self._auto_notes(picking)), 1)

    def test_the_satisfaction_survey_follows_as_if_confirmed(self):
        self.company.write(
            {
                "sale_rating_enabled": True,
                "sale_rating_delay_hours": 24,
                "sale_rating_trigger": "delivered",
            }
        )
        order, _picking = self._shipped()
        self._run_cron(16)
        # Asked 24 hours after the day of receipt, as for a confirmed one.
        with freeze_time(order.delivered_on + timedelta(hours=23)):
            self.env["sale.order"]._cron_send_rating_requests()
        self.assertFalse(order.rating_request_sent_on)
        with freeze_time(order.delivered_on + timedelta(hours=25)):
            self.env["sale.order"]._cron_send_rating_requests()
        self.assertTrue(order.rating_request_sent_on)

    def test_a_delivery_confirmed_earlier_is_left_as_it_is(self):
        order, picking = self._shipped()
        with self._later(3):
            picking.with_user(self.stock_user).action_mark_delivered()
        confirmed_on = picking.delivered_on
        self._run_cron(16)
        self.assertEqual(picking.delivered_on, confirmed_on)
        self.assertEqual(len(self._delivered_messages(order)), 1)
        self.assertFalse(self._auto_notes(picking))

    def test_a_company_with_the_setting_off_is_left_alone(self):
        company_b = self.env["res.company"].create({"name": "Auto Receipt Off Co"})
        self.env.user.company_ids += company_b
        env_b = self.env(
            context=dict(self.env.context, allowed_company_ids=[company_b.id])
        )
        warehouse_b = env_b["stock.warehouse"].search(
            [("company_id", "=", company_b.id)], limit=1
        )
        env_b["stock.quant"]._update_available_quantity(
            self.product_a, warehouse_b.lot_stock_id, 10
        )
        picking_b = create_delivery(env_b, [(self.product_a, 1)])
        picking_b.move_ids.write({"quantity": 1, "picked": True})
        picking_b.button_validate()
        self.assertEqual(picking_b.state, "done")
        _order, picking = self._shipped()
        self._run_cron(40)
        self.assertTrue(picking.delivered_on)
        self.assertFalse(picking_b.delivered_on, "its company did not switch it on")

    def test_each_company_counts_its_own_days(self):
        _order, picking = self._shipped()
        self.company.sale_auto_receipt_days = 3
        self._run_cron(2)
        self.assertFalse(picking.delivered_on)
        self._run_cron(4)
        self.assertEqual(picking.delivered_on, picking.date_done + timedelta(days=3))

    def test_switching_it_on_leaves_deliveries_long_past_alone(self):
        _order, old = self._shipped()
        _order, recent = self._shipped()
        self.company.sale_auto_receipt_enabled = False
        old.date_done = fields.Datetime.now() - timedelta(days=40)
        recent.date_done = fields.Datetime.now() - timedelta(days=10)
        self.company.sale_auto_receipt_enabled = True
        self.assertEqual(
            self.company.sale_auto_receipt_enabled_on.date(), fields.Date.today()
        )
        self._run_cron(6)
        self.assertFalse(old.delivered_on, "its day of receipt came before")
        self.assertEqual(recent.delivered_on, recent.date_done + timedelta(days=15))

    def test_a_returned_delivery_is_not_received_automatically(self):
        order, picking = self._shipped([(self.product_a, 2)])
        wizard = Form(
            self.env["stock.return.picking"].with_context(
                active_id=picking.id, active_model="stock.picking"
            )
        ).save()
        wizard.product_return_moves.quantity = 2
        wizard.action_create_returns()
        self.assertTrue(picking.return_ids)
        self._run_cron(16)
        self.assertFalse(picking.delivered_on, "the parcel is coming back")
        picking.return_ids.action_cancel()
        self._run_cron(16)
        self.assertTrue(picking.delivered_on, "a cancelled return changes nothing")

    def test_the_days_must_be_more_than_zero(self):
        for days in (0, -3):
            with (
                self.assertRaisesRegex(
                    ValidationError,
                    f"{self.company.name}: deliveries count as received a number "
                    "of days after they left; set more than zero days.",
                ),
                self.env.cr.savepoint(),
            ):
                self.company.sale_auto_receipt_days = days
        self.assertEqual(self.company.sale_auto_receipt_days, 15)

    def test_settings_switch_the_automatic_receipt_on_and_off(self):
        admin = new_test_user(
            self.env,
            login="sf_auto_receipt_admin",
            groups="base.group_system,sales_team.group_sale_manager",
        )
        self.company.sale_auto_receipt_enabled = False
        form = Form(self.env["res.config.settings"].with_user(admin))
        form.sale_auto_receipt_enabled = True
        form.sale_auto_receipt_days = 7
        form.save().execute()
        self.assertTrue(self.company.sale_auto_receipt_enabled)
        self.assertEqual(self.company.sale_auto_receipt_days, 7)
        self.assertTrue(self.company.sale_auto_receipt_enabled_on)
        form = Form(self.env["res.config.settings"].with_user(admin))
        form.sale_auto_receipt_days = 0
        with (
            self.assertRaisesRegex(ValidationError, "set more than zero days"),
            self.env.cr.savepoint(),
        ):
            form.save().execute()
        self.assertEqual(self.company.sale_auto_receipt_days, 7)
        form = Form(self.env["res.config.settings"].with_user(admin))
        form.sale_auto_receipt_enabled = False
        form.save().execute()
        self.assertFalse(self.company.sale_auto_receipt_enabled)
        _order, picking = self._shipped()
        self._run_cron(30)
        self.assertFalse(picking.delivered_on, "switched off")

    def test_a_new_company_has_it_off_with_fifteen_days(self):
        company = self.env["res.company"].create({"name": "New Auto Receipt Co"})
        self.assertFalse(company.sale_auto_receipt_enabled)
        self.assertEqual(company.sale_auto_receipt_days, 15)
        self.assertFalse(company.sale_auto_receipt_enabled_on)

    def test_the_cron_record_runs_the_automatic_receipt(self):
        _order, picking = self._shipped()
        cron = self.env.ref("sale_fulfillment.ir_cron_stock_auto_receipt")
        self.assertEqual((cron.interval_number, cron.interval_type), (1, "days"))
        with self._later(16):
            cron.method_direct_trigger()
        self.assertTrue(picking.delivered_on)


@tagged("post_install", "-at_install")
class TestAutoReceiptBatch(AutoReceiptCase):
    def test_finding_the_due_deliveries_costs_the_same_queries_for_any_count(self):
        self.env["res.company"].create(
            {"name": "Auto Receipt Company B", "sale_auto_receipt_enabled": True}
        )
        for count in (1, 4):
            pickings = self.env["stock.picking"].concat(
                *(self._shipped()[1] for _i in range(count))
            )
            now = fields.Datetime.now() + timedelta(days=16)
            self.env.invalidate_all()
            # The companies with the setting on, their settings, then the
            # deliveries.
            with self.assertQueryCount(3):
                found = self.env["stock.picking"]._get_auto_receipt_records(now)
            self.assertEqual(found, pickings)
            with freeze_time(now):
                found._action_auto_receipt()

    def test_marking_a_batch_costs_the_same_queries_for_any_count(self):
        self.company.sale_notify_delivered = False
        # The first run fills Odoo's caches (the note's subtype...); then
        # one delivery or five cost the same.
        for count, expected in ((1, None), (1, 16), (5, 16)):
            pickings = self.env["stock.picking"].concat(
                *(self._shipped()[1] for _i in range(count))
            )
            with self._later(16):
                found = self.env["stock.picking"]._get_auto_receipt_records(
                    fields.Datetime.now()
                )
                self.assertEqual(found, pickings)
                self.env.flush_all()
                self.env.invalidate_all()
                if expected is None:
                    marked = found._action_auto_receipt()
                    self.env.flush_all()
                else:
                    with self.assertQueryCount(expected):
                        marked = found._action_auto_receipt()
                        self.env.flush_all()
            self.assertEqual(marked, pickings)
            self.assertEqual(
                [picking.delivered_on for picking in pickings],
                [picking.date_done + timedelta(days=15) for picking in pickings],
            )

    def test_the_cron_marks_a_chunk_and_reports_what_remains(self):
        pickings = self.env["stock.picking"].concat(
            *(self._shipped()[1] for _i in range(5))
        )
        cron = self.env.ref("sale_fulfillment.ir_cron_stock_auto_receipt")
        with (
            patch.object(stock_picking_auto_receipt, "AUTO_RECEIPT_BATCH", 2),
            self._later(16),
        ):
            cron, progress = cron._add_progress()
            self.env["stock.picking"].with_context(
                ir_cron_progress_id=progress.id
            )._cron_mark_auto_received()
            self.assertEqual((progress.done, progress.remaining), (2, 3))
            self.assertEqual(len(pickings.filtered("delivered_on")), 2)
            self.assertEqual(
                pickings.filtered("delivered_on"), pickings[:2], "oldest first"
            )
            cron, progress = cron._add_progress()
            self.env["stock.picking"].with_context(
                ir_cron_progress_id=progress.id
            )._cron_mark_auto_received()
            self.assertEqual((progress.done, progress.remaining), (2, 1))
            cron, progress = cron._add_progress()
            self.env["stock.picking"].with_context(
                ir_cron_progress_id=progress.id
            )._cron_mark_auto_received()
            self.assertEqual((progress.done, progress.remaining), (1, 0))
        self.assertTrue(all(pickings.mapped("delivered_on")))

    def test_one_broken_delivery_does_not_hold_the_others_back(self):
        _order, good = self._shipped()
        _order, broken = self._shipped()
        picking_class = type(self.env["stock.picking"])
        original = picking_class._send_sale_milestone_mail

        def fail_for_broken(pickings, milestone):
            if broken in pickings:
                raise ValueError("template error")
            return original(pickings, milestone)

        with patch.object(
            picking_class,
            "_send_sale_milestone_mail",
            autospec=True,
            side_effect=fail_for_broken,
        ):
            self._run_cron(16)
        self.assertTrue(good.delivered_on)
        self.assertFalse(broken.delivered_on, "left for the next run")
