import re
from datetime import timedelta
from xml.etree import ElementTree

from freezegun import freeze_time

from odoo import Command, fields
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools.safe_eval import safe_eval

from .common import AftersalesCase, load_chinese, switch_capabilities

ORDER_SUBJECT = "how was your order"
RMA_SUBJECT = "how did we handle your after-sales request"


def deliver(env, partner, product, company=None, user=None, mark=True):
    """A confirmed order of ``company`` (the current one by default) whose
    delivery is shipped and, with ``mark``, confirmed delivered now."""
    company = company or env.company
    env = env(context=dict(env.context, allowed_company_ids=[company.id]))
    order = env["sale.order"].create(
        {
            "partner_id": partner.id,
            "company_id": company.id,
            "user_id": user.id if user else False,
            "order_line": [
                Command.create({"product_id": product.id, "product_uom_qty": 1})
            ],
        }
    )
    order.action_confirm()
    picking = order.picking_ids
    picking.move_ids.write({"quantity": 1, "picked": True})
    picking.button_validate()
    if mark:
        picking._action_mark_delivered()
    return order


def rating_token(record):
    """The token of the pending rating request of ``record``'s customer."""
    return record._get_rating_pending_token()


class SatisfactionCase(AftersalesCase):
    """Companies with satisfaction surveys on (24 hours after delivery
    confirmed), delivered orders and after-sales requests."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write(
            {
                "sale_rating_enabled": True,
                "sale_rating_delay_hours": 24,
                "sale_rating_trigger": "delivered",
                "sale_notify_shipped": False,
                "sale_notify_delivered": False,
            }
        )
        cls.customer.lang = "en_US"

    def _delivered(self, lines=None, mark=True):
        """An order of the salesman, shipped by the warehouse and (with
        ``mark``) confirmed delivered now."""
        order = self._delivered_order(lines or [(self.product_a, 1)])
        if mark:
            order.picking_ids.with_user(self.stock_user).action_mark_delivered()
        return order

    def _later(self, hours):
        return freeze_time(fields.Datetime.now() + timedelta(hours=hours))

    def _run_cron(self, hours, model="sale.order"):
        with self._later(hours):
            self.env[model]._cron_send_rating_requests()

    def _mails(self, records, subject):
        return self.env["mail.mail"].search(
            [
                ("model", "=", records._name),
                ("res_id", "in", records.ids),
                ("subject", "ilike", subject),
            ]
        )

    def _rate(self, record, value, feedback=None, partner=None):
        """Rate ``record`` as its customer (or ``partner``) would through the
        link of the request."""
        token = record._rating_get_access_token(partner=partner)
        return record.rating_apply(value, token=token, feedback=feedback)


@tagged("post_install", "-at_install")
class TestRatingRequests(SatisfactionCase):
    def test_the_customer_is_asked_once_the_delay_has_passed(self):
        order = self._delivered()
        self.assertTrue(order.delivered_on)
        self._run_cron(23)
        self.assertFalse(self._mails(order, ORDER_SUBJECT))
        self.assertFalse(order.rating_request_sent_on)

        self._run_cron(25)
        mail = self._mails(order, ORDER_SUBJECT)
        self.assertEqual(len(mail), 1)
        self.assertEqual(mail.recipient_ids, self.customer)
        self.assertTrue(order.rating_request_sent_on)
        rating = order.rating_ids
        self.assertEqual(len(rating), 1, "one pending rating carries the token")
        self.assertFalse(rating.consumed)
        self.assertEqual(rating.partner_id, self.customer)
        self.assertEqual(rating.rated_partner_id, self.salesman.partner_id)
        body = str(mail.body_html)
        base = order.get_base_url()
        for face in (5, 3, 1):
            self.assertIn(f"{base}/rate/{rating.access_token}/{face}", body)
        self.assertIn(mail.mail_message_id, order.message_ids, "in the chatter")
        self.assertEqual(order.rating_last_text, "none", "asked, not answered")

    def test_a_missing_template_sends_nothing_and_marks_nothing(self):
        order = self._delivered()
        self.env.ref(
            "sale_fulfillment.mail_template_sale_order_rating_request"
        ).unlink()
        self._run_cron(25)
        self.assertFalse(order.rating_request_sent_on)
        self.assertFalse(order.rating_ids)

    def test_a_rating_slipped_into_a_chatter_message_counts_for_nothing(self):
        order = self._delivered()
        rma = self.env["sale.rma"].create(
            {
                "order_id": order.id,
                "rma_type": "refund",
                "line_ids": [
                    Command.create(
                        {"sale_line_id": order.order_line[0].id, "quantity": 1}
                    )
                ],
            }
        )
        for record in (order, rma):
            self.assertNotIn("rating_value", record._get_allowed_message_post_params())
            self.assertIn("body", record._get_allowed_message_post_params())
        # Even a rating created with a message (as Odoo's portal would) on an
        # order nobody asked does not make it rated in the analysis.
        order.message_post(body="Bad", rating_value=1, author_id=self.customer.id)
        self.assertEqual(order.rating_ids.filtered("consumed").rating, 1)
        row = self.env["sale.order.analysis"].search([("order_id", "=", order.id)])
        self.assertRecordValues(
            row,
            [{"is_rated": False, "rated_count": 0, "rating_requested_count": 0}],
        )
        self.assertFalse(row.rating_value)

    def test_running_the_cron_again_sends_nothing_more(self):
        order = self._delivered()
        for hours in (25, 26, 100):
            self._run_cron(hours)
        self.assertEqual(len(self._mails(order, ORDER_SUBJECT)), 1)
        self.assertEqual(len(order.rating_ids), 1)
        sent_on = order.rating_request_sent_on
        self._run_cron(200)
        self.assertEqual(order.rating_request_sent_on, sent_on)

    def test_the_cron_record_runs_the_requests(self):
        order = self._delivered()
        rma = self._request(order, "refund", {self.product_a: 1})
        self._post(rma.refund_move_ids)
        self.assertEqual(rma.state, "done")
        with self._later(25):
            self.env.ref(
                "sale_fulfillment.ir_cron_sale_order_rating_request"
            ).method_direct_trigger()
            self.env.ref(
                "sale_fulfillment.ir_cron_sale_rma_rating_request"
            ).method_direct_trigger()
        self.assertTrue(order.rating_request_sent_on)
        self.assertTrue(rma.rating_request_sent_on)

    def test_an_order_is_only_asked_once_its_delivery_is_confirmed(self):
        order = self._delivered(mark=False)
        self.assertEqual(order.delivery_status, "full")
        self._run_cron(100)
        self.assertFalse(order.rating_request_sent_on, "shipped, not delivered")
        order.picking_ids.with_user(self.stock_user).action_mark_delivered()
        self._run_cron(125)
        self.assertTrue(order.rating_request_sent_on)

    def test_the_shipped_trigger_asks_after_the_last_shipment_left(self):
        self.company.sale_rating_trigger = "shipped"
        order = self._create_orders([(self.product_a, 2), (self.product_b, 1)])
        self._confirm(order)
        self._ship(order, {self.product_b: 0})
        self.assertEqual(order.delivery_status, "partial")
        self._run_cron(48)
        self.assertFalse(order.rating_request_sent_on, "a backorder is open")
        with self._later(48):
            self._ship(order)
        self.assertEqual(order.delivery_status, "full")
        self.assertFalse(order.delivered_on, "never confirmed delivered")
        self._run_cron(48 + 23)
        self.assertFalse(order.rating_request_sent_on, "the last shipment is recent")
        self._run_cron(48 + 25)
        self.assertEqual(len(self._mails(order, ORDER_SUBJECT)), 1)

    def test_no_request_while_an_aftersales_request_is_open(self):
        order = self._delivered()
        rma = self._request(order, "refund", {self.product_a: 1})
        self.assertEqual(rma.state, "confirmed")
        self.assertEqual(order.fulfillment_state, "aftersales")
        self._run_cron(30)
        self.assertFalse(order.rating_request_sent_on)
        self._post(rma.refund_move_ids)
        self.assertEqual(rma.state, "done")
        self._run_cron(31)
        self.assertTrue(order.rating_request_sent_on, "asked once the request closed")

    def test_a_done_aftersales_request_is_asked_after_the_delay(self):
        order = self._delivered()
        rma = self._request(order, "refund", {self.product_a: 1})
        rma.handler_id = self.clerk
        self._post(rma.refund_move_ids)
        self.assertTrue(rma.done_on)
        self._run_cron(23, "sale.rma")
        self.assertFalse(self._mails(rma, RMA_SUBJECT))
        self._run_cron(25, "sale.rma")
        self._run_cron(26, "sale.rma")
        mail = self._mails(rma, RMA_SUBJECT)
        self.assertEqual(len(mail), 1)
        self.assertEqual(mail.recipient_ids, self.customer)
        self.assertIn(order.name, str(mail.body_html))
        self.assertIn(f"/rate/{rating_token(rma)}/1", str(mail.body_html))
        self.assertTrue(rma.rating_request_sent_on)
        self.assertEqual(rma.rating_ids.rated_partner_id, self.clerk.partner_id)
        self.assertEqual(
            rma.rating_ids.parent_res_id, order.id, "listed with the order's ratings"
        )

    def test_cancelled_orders_and_requests_are_not_asked(self):
        order = self._delivered()
        order._action_cancel()
        self.assertEqual(order.state, "cancel")
        rma = self._request(self._delivered(), "refund", {self.product_a: 1})
        rma.with_user(self.clerk).action_cancel()
        self._run_cron(100)
        self._run_cron(100, "sale.rma")
        self.assertFalse(order.rating_request_sent_on)
        self.assertFalse(rma.rating_request_sent_on)

    def test_customers_without_email_are_skipped_and_asked_once_they_have_one(self):
        self.customer.email = False
        order = self._delivered()
        self._run_cron(25)
        self.assertFalse(order.rating_request_sent_on, "skipped, not marked")
        self.assertFalse(order.rating_ids)
        self.customer.email = "customer@example.com"
        self._run_cron(26)
        self.assertEqual(len(self._mails(order, ORDER_SUBJECT)), 1)

    def test_the_request_is_in_the_customer_language(self):
        load_chinese(self.env)
        self.customer.lang = "zh_CN"
        order = self._delivered()
        self._run_cron(25)
        mail = self._mails(order, "满意吗")
        self.assertEqual(
            mail.subject, f"{order.company_id.name}：您对订单 {order.name} 满意吗？"
        )
        self.assertEqual(mail.recipient_ids, self.customer)

    def test_surveys_are_switched_on_and_off_per_company_with_their_delay(self):
        company_b, company_c = self.env["res.company"].create(
            [{"name": "Survey Company B"}, {"name": "Survey Company C"}]
        )
        for company in (company_b, company_c):
            warehouse = self.env["stock.warehouse"].search(
                [("company_id", "=", company.id)], limit=1
            )
            self.env["stock.quant"]._update_available_quantity(
                self.product_a, warehouse.lot_stock_id, 10
            )
        company_b.write({"sale_rating_enabled": True, "sale_rating_delay_hours": 48})
        self.assertTrue(company_b.sale_rating_enabled_on)
        self.assertFalse(company_c.sale_rating_enabled)
        order_a = self._delivered()
        order_b = deliver(self.env, self.customer, self.product_a, company_b)
        order_c = deliver(self.env, self.customer, self.product_a, company_c)
        orders = order_a | order_b | order_c
        self._run_cron(25)
        self.assertEqual(
            [bool(date) for date in orders.mapped("rating_request_sent_on")],
            [True, False, False],
        )
        self._run_cron(49)
        self.assertEqual(
            [bool(date) for date in orders.mapped("rating_request_sent_on")],
            [True, True, False],
        )

    def test_switching_surveys_on_does_not_ask_past_customers(self):
        self.company.sale_rating_enabled = False
        past = self._delivered()
        with self._later(1):
            self.company.sale_rating_enabled = True
        self.assertGreater(self.company.sale_rating_enabled_on, past.delivered_on)
        recent = self._delivered()
        recent.picking_ids.delivered_on = fields.Datetime.now() + timedelta(hours=2)
        self._run_cron(100)
        self.assertFalse(past.rating_request_sent_on, "delivered before")
        self.assertTrue(recent.rating_request_sent_on)

    def test_the_delay_cannot_be_negative(self):
        with self.assertRaisesRegex(
            ValidationError, "the satisfaction survey delay cannot be negative"
        ):
            self.company.sale_rating_delay_hours = -1

    def test_settings_switch_the_surveys_on(self):
        self.company.sale_rating_enabled = False
        settings = self.env["res.config.settings"].create(
            {
                "sale_rating_enabled": True,
                "sale_rating_delay_hours": 12,
                "sale_rating_trigger": "shipped",
            }
        )
        settings.execute()
        self.assertTrue(self.company.sale_rating_enabled)
        self.assertEqual(self.company.sale_rating_delay_hours, 12)
        self.assertEqual(self.company.sale_rating_trigger, "shipped")

    def test_one_run_asks_many_orders_each_with_its_own_token(self):
        orders = self._delivered() | self._delivered() | self._delivered()
        self._run_cron(25)
        self.assertEqual(len(self._mails(orders, ORDER_SUBJECT)), 3)
        tokens = {order._get_rating_pending_token() for order in orders}
        self.assertEqual(len(tokens), 3)
        for order in orders:
            mail = self._mails(order, ORDER_SUBJECT)
            self.assertIn(order._get_rating_pending_token(), str(mail.body_html))

    def test_selecting_the_orders_to_ask_costs_the_same_queries_for_any_count(self):
        self.env["res.company"].create(
            {"name": "Survey Company B", "sale_rating_enabled": True}
        )
        for count in (1, 4):
            orders = self.env["sale.order"].concat(
                *(self._delivered() for _i in range(count))
            )
            now = fields.Datetime.now() + timedelta(hours=25)
            self.env.invalidate_all()
            # The companies asking, their settings, then the orders.
            with self.assertQueryCount(3):
                found = self.env["sale.order"]._get_rating_request_records(now)
            self.assertEqual(found, orders)
            found._send_rating_request()


@tagged("post_install", "-at_install")
class TestRatingsOnOrders(SatisfactionCase):
    def _search(self, records, filter_name, view_xmlid):
        arch = records.get_view(self.env.ref(view_xmlid).id, "search")["arch"]
        node = ElementTree.fromstring(arch).find(f".//filter[@name='{filter_name}']")
        domain = safe_eval(node.get("domain"))
        return records.search([("id", "in", records.ids), *domain])

    def test_ratings_show_on_the_order_with_the_comment_and_the_filters(self):
        happy, unhappy, silent, unasked = (self._delivered() for _i in range(4))
        orders = happy | unhappy | silent | unasked
        (happy | unhappy | silent)._send_rating_request()
        self._rate(happy, 5, "Fast and well packed")
        self._rate(unhappy, 1, "Box was damaged")
        self.assertEqual(happy.rating_last_value, 5)
        self.assertEqual(happy.rating_last_text, "top")
        self.assertEqual(happy.rating_last_feedback, "Fast and well packed")
        self.assertEqual(happy.satisfaction_rating_count, 1)
        self.assertEqual(silent.satisfaction_rating_count, 0)
        view = "sale.view_sales_order_filter"
        for name, expected in (
            ("rating_satisfied", happy),
            ("rating_dissatisfied", unhappy),
            ("rating_okay", self.env["sale.order"]),
            ("rating_requested", happy | unhappy | silent),
            ("rating_awaiting", silent),
        ):
            self.assertEqual(self._search(orders, name, view), expected, name)
        self.assertNotIn(unasked, self._search(orders, "rating_requested", view))
        message = unhappy.message_ids.filtered("rating_ids")
        self.assertIn("Box was damaged", str(message.body))
        self.assertEqual(message.author_id, self.customer)
        self.assertEqual(
            message.subtype_id, self.env.ref("sale_fulfillment.mt_sale_order_rating")
        )

    def test_the_order_lists_its_ratings_and_those_of_its_requests(self):
        order = self._delivered()
        rma = self._request(order, "refund", {self.product_a: 1})
        self._post(rma.refund_move_ids)
        order._send_rating_request()
        rma._send_rating_request()
        self._rate(order, 3, "Okay overall")
        self._rate(rma, 5, "Refund was quick")
        self.assertEqual(order.satisfaction_rating_count, 2)
        self.assertEqual(rma.rating_count, 1)
        action = order.with_user(self.salesman).action_view_ratings()
        ratings = (
            self.env["rating.rating"].with_user(self.salesman).search(action["domain"])
        )
        self.assertEqual(
            set(ratings.mapped("feedback")), {"Okay overall", "Refund was quick"}
        )
        rma_action = rma.with_user(self.salesman).action_view_ratings()
        self.assertEqual(
            self.env["rating.rating"].search(rma_action["domain"]).feedback,
            "Refund was quick",
        )
        self.assertEqual(
            self._search(
                rma, "rating_satisfied", "sale_fulfillment.sale_rma_view_search"
            ),
            rma,
        )

    def test_a_salesman_reads_the_ratings_of_his_own_orders_only(self):
        order = self._delivered()
        order._send_rating_request()
        self._rate(order, 1, "Late")
        as_salesman = order.with_user(self.salesman)
        values = as_salesman.read(
            ["rating_last_value", "rating_last_feedback", "satisfaction_rating_count"]
        )[0]
        self.assertEqual(values["rating_last_value"], 1)
        self.assertEqual(values["rating_last_feedback"], "Late")
        self.assertEqual(values["satisfaction_rating_count"], 1)
        other = new_test_user(
            self.env, login="sf_other_salesman", groups="sales_team.group_sale_salesman"
        )
        with self.assertRaises(AccessError):
            order.with_user(other).read(["rating_last_value"])
        with self.assertRaises(AccessError):
            order.with_user(other).action_view_ratings()

    def test_several_ratings_average_in_the_analysis(self):
        contact = self.env["res.partner"].create(
            {"name": "Colleague", "email": "colleague@example.com"}
        )
        order = self._delivered()
        order._send_rating_request()
        self._rate(order, 5)
        self._rate(order, 1, partner=contact)
        self._rate(order, 3, partner=self.env.user.partner_id)
        row = self.env["sale.order.analysis"].search([("order_id", "=", order.id)])
        self.assertAlmostEqual(row.rating_value, 3.0)
        self.assertTrue(row.is_rated)
        self.assertEqual(row.rating_requested_count, 1)
        self.assertEqual(row.rating_response_percent, 100.0)
        self.assertEqual(order.satisfaction_rating_count, 3)


@tagged("post_install", "-at_install")
class TestRatingPages(HttpCase):
    """The customer rates through Odoo's public pages, as from the email."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        switch_capabilities(cls.env.company, on=False)
        switch_capabilities(cls.env.company, "sale_rating_enabled")
        cls.salesman = new_test_user(
            cls.env,
            login="sf_rating_salesman",
            groups="sales_team.group_sale_salesman",
        )
        cls.customer = cls.env["res.partner"].create(
            {"name": "Rating Customer", "email": "rater@example.com", "lang": "en_US"}
        )
        cls.product = cls.env["product.product"].create(
            {"name": "Rating Teapot", "type": "consu", "is_storable": True}
        )
        cls.env["stock.quant"]._update_available_quantity(
            cls.product, cls.env.ref("stock.stock_location_stock"), 10
        )

    def _asked_order(self):
        order = deliver(self.env, self.customer, self.product, user=self.salesman)
        order.message_subscribe(partner_ids=self.salesman.partner_id.ids)
        order._send_rating_request()
        self.assertTrue(order.rating_request_sent_on)
        return order

    def test_a_rating_given_on_the_public_page_lands_on_the_order(self):
        order = self._asked_order()
        token = rating_token(order)
        page = self.url_open(f"/rate/{token}/5")
        self.assertEqual(page.status_code, 200)
        csrf = re.search(r'name="csrf_token"\s+value="([^"]+)"', page.text).group(1)
        response = self.url_open(
            f"/rate/{token}/submit_feedback",
            data={"rate": 5, "feedback": "包装很好，谢谢", "csrf_token": csrf},
        )
        self.assertEqual(response.status_code, 200)
        order.invalidate_recordset()
        self.assertEqual(order.rating_last_value, 5)
        self.assertEqual(order.rating_last_feedback, "包装很好，谢谢")
        self.assertFalse(rating_token(order), "nothing left to rate")
        message = order.message_ids.filtered("rating_ids")
        self.assertIn("包装很好，谢谢", str(message.body))
        self.assertEqual(message.author_id, self.customer)
        notified = message.notification_ids.res_partner_id
        self.assertIn(self.salesman.partner_id, notified, "the team hears of it")
        self.assertNotIn(self.customer, notified)
        row = self.env["sale.order.analysis"].search([("order_id", "=", order.id)])
        self.assertEqual(row.rating_value, 5.0)

    def test_the_portal_order_page_offers_the_faces_while_a_rating_is_pending(self):
        order = self._asked_order()
        token = rating_token(order)
        page = self.url_open(order.get_portal_url())
        self.assertEqual(page.status_code, 200)
        self.assertIn("How did we do?", page.text)
        for face in (5, 3, 1):
            self.assertIn(f"/rate/{token}/{face}", page.text)
        order.rating_apply(1, token=token, feedback="Too slow")
        page = self.url_open(order.get_portal_url())
        self.assertNotIn("How did we do?", page.text)
        self.assertIn("Thank you for rating this order", page.text)
        self.assertIn("Dissatisfied", page.text)

    def test_manager_groups_the_analysis_by_channel_and_opens_a_rated_order(self):
        self.env["res.lang"]._activate_lang("en_US")
        manager = new_test_user(
            self.env,
            login="sf_tour_rating_manager",
            groups="sales_team.group_sale_manager,stock.group_stock_user",
            lang="en_US",
        )
        medium = self.env["utm.medium"].create({"name": "Tour Marketplace"})
        order = self._asked_order()
        order.medium_id = medium
        order.rating_apply(5, token=rating_token(order), feedback="Tour says thanks")
        self.start_tour(
            "/odoo/action-sale_fulfillment.sale_order_analysis_action",
            "sale_fulfillment_satisfaction_tour",
            login=manager.login,
        )
