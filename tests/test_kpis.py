from datetime import date, datetime
from xml.etree import ElementTree

from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged
from odoo.tools.safe_eval import safe_eval

from .common import KpiCase

MARCH = (date(2026, 3, 1), date(2026, 3, 31))


class TestKpis(KpiCase):
    def test_kpis_of_a_month_match_the_hand_computed_figures(self):
        self._march()
        kpis = self.digest.with_user(self.manager)._compute_kpis(*MARCH)
        self.assertEqual(kpis["order_count"], 4)
        self.assertAlmostEqual(kpis["revenue"], 460.0)
        self.assertAlmostEqual(kpis["avg_order_value"], 115.0)
        self.assertEqual(kpis["customers_ordering"], 3)
        self.assertEqual(kpis["customers_paying"], 2, "c1 and c2 paid, c3 did not")
        self.assertAlmostEqual(kpis["amount_paid"], 300.0)
        self.assertEqual(kpis["new_customers"], 2, "c3 ordered before")
        self.assertEqual(kpis["returning_customers"], 1)
        self.assertAlmostEqual(kpis["repeat_purchase_rate"], 33.33)
        self.assertEqual(kpis["shipped_orders"], 3)
        self.assertAlmostEqual(kpis["on_time_rate"], 66.67)
        self.assertAlmostEqual(kpis["avg_lead_time_hours"], 32.0)
        self.assertEqual(kpis["late_orders"], 2, "o2 shipped late, o3 is overdue")
        self.assertEqual(kpis["returned_orders"], 1)
        self.assertAlmostEqual(kpis["return_rate"], 25.0)
        self.assertEqual(kpis["held_orders"], 1)

    def test_kpis_compare_with_the_previous_period_of_the_same_length(self):
        self._march()
        kpis = self.digest._compute_kpis(*MARCH)
        previous = kpis["previous"]
        self.assertEqual(previous["order_count"], 1, "c3's order of 10 February")
        self.assertAlmostEqual(previous["revenue"], 20.0)
        self.assertEqual(previous["new_customers"], 0)
        self.assertAlmostEqual(kpis["change"]["order_count"], 300.0)
        self.assertAlmostEqual(kpis["change"]["revenue"], 2200.0)
        self.assertEqual(previous["late_orders"], 1, "not shipped, past due")
        self.assertIsNone(kpis["change"]["held_orders"], "nothing to compare with")
        self.assertEqual(
            self.digest._get_previous_bounds(*MARCH),
            (datetime(2026, 2, 1), datetime(2026, 3, 1)),
            "a month is compared with the month before",
        )
        self.assertEqual(
            self.digest._get_previous_bounds(date(2026, 3, 10), date(2026, 3, 19)),
            (datetime(2026, 2, 28), datetime(2026, 3, 10)),
            "other periods with as many days before",
        )

    def test_distribution_regions_and_products(self):
        self._march()
        kpis = self.digest._compute_kpis(*MARCH)
        self.assertEqual(
            [(row["amount_min"], row["count"]) for row in kpis["amount_distribution"]],
            [(0.0, 1), (100, 3), (500, 0), (1000, 0), (5000, 0)],
        )
        self.assertEqual(
            [
                (row["state_id"], row["count"], row["revenue"])
                for row in kpis["top_regions"]
            ],
            [(self.zhejiang.id, 3, 260.0), (self.california.id, 1, 200.0)],
        )
        self.assertEqual(
            [
                (row["product_id"], row["quantity"], row["revenue"])
                for row in kpis["top_products"]
            ],
            [(self.product_b.id, 9.0, 360.0), (self.product_a.id, 10.0, 100.0)],
        )

    def test_companies_are_kept_apart(self):
        self._march()
        digest_b = self.digest.copy({"company_id": self.company_b.id})
        kpis_b = digest_b._compute_kpis(date(2026, 2, 1), date(2026, 2, 28))
        self.assertEqual(kpis_b["order_count"], 1)
        self.assertEqual(kpis_b["new_customers"], 1)
        kpis_a = self.digest._compute_kpis(date(2026, 2, 1), date(2026, 2, 28))
        self.assertEqual(kpis_a["order_count"], 1, "c3's order only")
        self.assertEqual(kpis_a["customers_ordering"], 1)

    def test_days_are_cut_in_the_digest_timezone(self):
        order = self._dated_order(
            self.c1, [(self.product_a, 1)], datetime(2026, 3, 31, 20)
        )
        utc = self.digest._compute_kpis(*MARCH)
        self.assertEqual(utc["order_count"], 1)
        self.digest.tz = "Asia/Shanghai"
        shanghai = self.digest._compute_kpis(*MARCH)
        self.assertEqual(shanghai["order_count"], 0, "1 April 04:00 in Shanghai")
        both = self.digest._compute_kpis(order.date_order, order.date_order)
        self.assertEqual(both["order_count"], 1, "datetimes are taken as they are")
        strings = self.digest._compute_kpis("2026-04-01", "2026-04-01")
        self.assertEqual(strings["order_count"], 1, "a date string is a whole day")

    def test_an_empty_period_gives_zeros(self):
        kpis = self.digest._compute_kpis(date(2030, 1, 1), date(2030, 1, 31))
        self.assertEqual(kpis["order_count"], 0)
        self.assertEqual(kpis["avg_order_value"], 0.0)
        self.assertEqual(kpis["on_time_rate"], 0.0)
        self.assertEqual(kpis["top_products"], [])

    def test_a_period_ending_before_it_begins_is_refused(self):
        with self.assertRaisesRegex(UserError, "The period must end after it begins"):
            self.digest._compute_kpis(date(2026, 3, 2), date(2026, 3, 1))

    def test_channels_and_satisfaction_of_a_month_match_the_hand_computed_figures(
        self,
    ):
        self._survey_march(*self._march())
        kpis = self.digest.with_user(self.manager)._compute_kpis(*MARCH)
        self.assertEqual(kpis["ratings_requested"], 3, "o1, o2 and o3")
        self.assertEqual(kpis["ratings_received"], 2, "o1 and o3; o2 did not answer")
        self.assertAlmostEqual(kpis["rating_response_rate"], 66.67)
        self.assertAlmostEqual(kpis["avg_rating"], 2.5, "o1 averages 4, o3 has 1")
        self.assertEqual(
            [
                (row["channel_id"], row["name"], row["count"], row["revenue"])
                for row in kpis["by_channel"]
            ],
            [
                (self.phone.id, "KPI Phone", 2, 220.0),
                (self.web.id, "KPI Web Shop", 1, 200.0),
                (False, "No Channel", 1, 40.0),
            ],
        )
        self.assertEqual(
            [row["share"] for row in kpis["by_channel"]], [47.83, 43.48, 8.7]
        )
        previous = kpis["previous"]
        self.assertEqual(previous["ratings_requested"], 0)
        self.assertEqual(previous["avg_rating"], 0.0)
        self.assertIsNone(kpis["change"]["avg_rating"], "nothing to compare with")
        self.assertIsNone(kpis["change"]["rating_response_rate"])

    def test_ratings_compare_with_the_previous_period(self):
        o1, o2, o3, _o4 = self._march()
        self._survey_march(o1, o2, o3, _o4)
        april = self._dated_order(self.c1, [(self.product_a, 1)], datetime(2026, 4, 3))
        april._send_rating_request()
        april.rating_apply(5, token=april._rating_get_access_token())
        kpis = self.digest._compute_kpis(date(2026, 4, 1), date(2026, 4, 30))
        self.assertEqual(kpis["avg_rating"], 5.0)
        self.assertEqual(kpis["rating_response_rate"], 100.0)
        self.assertAlmostEqual(kpis["change"]["avg_rating"], 100.0, msg="2.5 to 5")
        self.assertAlmostEqual(kpis["change"]["rating_response_rate"], 49.99, 1)

    def test_kpis_take_a_constant_number_of_queries(self):
        self._survey_march(*self._march())
        # The first call loads the company, currency, countries, channels and
        # products into the cache; what is counted then is the KPI queries
        # themselves. The channels add one query to the 12 of the other KPIs,
        # what the carriers hold of orders paid on delivery another; the
        # ratings are read by the query of the period's figures.
        self.digest._compute_kpis(*MARCH)
        self.env.flush_all()
        with self.assertQueryCount(14):
            self.digest._compute_kpis(*MARCH)
        for day in range(1, 21):
            self._dated_order(
                self.c2, [(self.product_a, day)], datetime(2026, 3, day, 15)
            )
        self.env.flush_all()
        with self.assertQueryCount(14):
            kpis = self.digest._compute_kpis(*MARCH)
        self.assertEqual(kpis["order_count"], 24)
        self.assertEqual(kpis["ratings_requested"], 3)


class TestOrderAnalysis(KpiCase):
    def test_analysis_rows_hold_lead_time_punctuality_returns_and_payment(self):
        o1, o2, o3, o4 = self._march()
        rows = self.env["sale.order.analysis"].search(
            [("order_id", "in", (o1 | o2 | o3 | o4).ids)]
        )
        by_order = {row.order_id: row for row in rows}
        self.assertAlmostEqual(by_order[o1].lead_time_hours, 24.0)
        self.assertTrue(by_order[o1].is_on_time)
        self.assertTrue(by_order[o1].is_paid)
        self.assertAlmostEqual(by_order[o1].amount_paid, 100.0)
        self.assertTrue(by_order[o1].is_first_order)
        self.assertFalse(by_order[o2].is_first_order)
        self.assertTrue(by_order[o2].is_late)
        self.assertFalse(by_order[o2].is_on_time)
        self.assertFalse(by_order[o3].shipped_date)
        self.assertTrue(by_order[o3].is_late)
        self.assertTrue(by_order[o4].is_returned)
        self.assertFalse(by_order[o4].is_paid)
        self.assertEqual(by_order[o4].country_state_id, self.zhejiang)

    def test_analysis_rows_hold_the_channel_and_the_ratings(self):
        o1, o2, o3, o4 = self._march()
        self._survey_march(o1, o2, o3, o4)
        rows = self.env["sale.order.analysis"].search(
            [("order_id", "in", (o1 | o2 | o3 | o4).ids)]
        )
        by_order = {row.order_id: row for row in rows}
        self.assertEqual(by_order[o1].medium_id, self.phone)
        self.assertFalse(by_order[o4].medium_id)
        self.assertAlmostEqual(by_order[o1].rating_value, 4.0, msg="5 and 3")
        self.assertTrue(by_order[o1].is_rated)
        self.assertEqual(by_order[o1].rating_response_percent, 100.0)
        self.assertFalse(by_order[o2].rating_value, "asked, not answered")
        self.assertFalse(by_order[o2].is_rated)
        self.assertEqual(by_order[o2].rating_response_percent, 0.0)
        self.assertEqual(by_order[o2].rating_requested_count, 1)
        self.assertFalse(by_order[o4].rating_requested_on)
        self.assertFalse(by_order[o4].rating_response_percent, "not asked")
        self.assertEqual(by_order[o4].rating_requested_count, 0)
        # Grouped by channel, the averages the pivot shows.
        groups = self.env["sale.order.analysis"]._read_group(
            [("order_id", "in", (o1 | o2 | o3 | o4).ids)],
            ["medium_id"],
            ["rating_value:avg", "rating_response_percent:avg", "__count"],
        )
        by_channel = {medium: (avg, rate, count) for medium, avg, rate, count in groups}
        self.assertEqual(by_channel[self.phone], (4.0, 50.0, 2))
        self.assertEqual(by_channel[self.web], (1.0, 100.0, 1))
        self.assertEqual(by_channel[self.env["utm.medium"]], (False, False, 1))

    def test_analysis_filters_rated_and_dissatisfied_orders(self):
        o1, o2, o3, o4 = self._march()
        self._survey_march(o1, o2, o3, o4)
        arch = self.env["sale.order.analysis"].get_view(
            self.env.ref("sale_fulfillment.sale_order_analysis_view_search").id,
            "search",
        )["arch"]
        orders = o1 | o2 | o3 | o4
        for name, expected in (
            ("rated", o1 | o3),
            ("dissatisfied", o3),
            ("rating_requested", o1 | o2 | o3),
            ("rating_awaiting", o2),
            ("no_channel", o4),
        ):
            node = ElementTree.fromstring(arch).find(f".//filter[@name='{name}']")
            rows = self.env["sale.order.analysis"].search(
                [("order_id", "in", orders.ids), *safe_eval(node.get("domain"))]
            )
            self.assertEqual(rows.order_id, expected, name)

    def test_analysis_shows_credit_notes_and_time_in_review(self):
        o1, _o2, _o3, _o4 = self._march()
        refund = self._request(o1, "refund", {self.product_a: 2}, reason_id=self.reason)
        refund.refund_move_ids.filtered(
            lambda move: move.state == "draft"
        ).sudo().action_post()
        order = self._held_order()
        reviewer = new_test_user(
            self.env,
            login="sf_kpi_reviewer",
            groups="sale_fulfillment.group_order_reviewer",
        )
        order.with_user(reviewer).action_review_approve()
        self.assertEqual(order.state, "sale")
        self.assertTrue(order.review_held_on, "kept once approved")
        order.write(
            {
                "review_held_on": datetime(2026, 3, 1, 8),
                "reviewed_on": datetime(2026, 3, 1, 14),
            }
        )
        rows = self.env["sale.order.analysis"].search_read(
            [("order_id", "in", (o1 | order).ids)],
            ["order_id", "returned_amount", "review_hours"],
        )
        by_order = {row["order_id"][0]: row for row in rows}
        self.assertAlmostEqual(by_order[o1.id]["returned_amount"], 20.0)
        self.assertAlmostEqual(by_order[order.id]["review_hours"], 6.0)

    def test_analysis_is_for_managers_and_all_documents_salespeople(self):
        self._march()
        analysis = self.env["sale.order.analysis"]
        with self.assertRaises(AccessError):
            analysis.with_user(self.salesman).search_count([])
        self.assertTrue(analysis.with_user(self.accountant).search_count([]))
        rows = (
            analysis.with_user(self.manager)
            .with_context(allowed_company_ids=[self.company_b.id])
            .search([])
        )
        self.assertEqual(rows.company_id, self.company_b)


@tagged("post_install", "-at_install")
class TestHeldReviewTime(KpiCase):
    def test_holding_an_order_records_when_it_was_held(self):
        order = self._held_order()
        self.assertTrue(order.review_held_on)
        order._review_void()
        self.assertFalse(order.review_held_on)
