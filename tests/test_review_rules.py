import importlib.util
from datetime import datetime, time, timedelta
from pathlib import Path

from odoo import Command, fields
from odoo.tests import new_test_user, tagged
from odoo.tools import SQL

from .common import ReviewCase, load_chinese, read_as

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


@tagged("post_install", "-at_install")
class TestReviewRuleTypes(ReviewCase):
    def test_credit_limit(self):
        self._rule("credit_limit")
        self.customer.with_company(self.company).credit_limit = 1000
        (message,) = self._messages(self._order(15))
        self.assertIn("Credit limit", message)
        self.assertIn("1,000.00", message)
        self.assertIn("this order", message)
        self.assertIn("1,500.00", message)
        self.assertFalse(self._messages(self._order(5)))
        self.customer.with_company(self.company).credit_limit = 0
        self.assertFalse(self._messages(self._order(15)), "0 means no limit")

    def test_amount_above(self):
        self._rule("amount_above", threshold=1000)
        (message,) = self._messages(self._order(15))
        self.assertIn("1,500.00", message)
        self.assertIn("1,000.00", message)
        self.assertFalse(self._messages(self._order(5)))

    def test_discount_above(self):
        self._rule("discount_above", threshold=10)
        order = self._order(1)
        order.order_line.discount = 15
        (message,) = self._messages(order)
        self.assertIn("Review Teapot (15%)", message)
        order.order_line.discount = 5
        self.assertFalse(self._messages(order))

    def test_margin_below(self):
        self._rule("margin_below", threshold=30)
        self.plain.standard_price = 80
        (message,) = self._messages(self._order(2))
        self.assertIn("Margin 20.0%", message)
        self.assertIn("below 30", message)
        self.plain.standard_price = 50
        self.assertFalse(self._messages(self._order(2)))

    def test_price_below_floor(self):
        self._rule("price_below_floor")
        self.plain.min_sale_price = 90
        order = self._order(1)
        order.order_line.discount = 20
        (message,) = self._messages(order)
        self.assertIn("Review Teapot at", message)
        self.assertIn("80.00", message)
        self.assertIn("90.00", message)
        order.order_line.discount = 0
        self.assertFalse(self._messages(order))

    def test_stock_shortage_counts_other_confirmed_demand(self):
        self._rule("stock_shortage")
        scarce = self.env["product.product"].create(
            {"name": "Scarce Cup", "type": "consu", "is_storable": True}
        )
        self.env["stock.quant"]._update_available_quantity(
            scarce, self.stock_location, 10
        )
        self.assertFalse(self._messages(self._order(8, scarce)))
        first = self._order(8, scarce)
        self._confirm(first)
        self.assertEqual(first.state, "sale")
        (message,) = self._messages(self._order(5, scarce))
        self.assertIn("Scarce Cup: 5 needed, 2 forecast", message)

    def test_orders_of_one_batch_draw_on_the_same_stock(self):
        self._rule("stock_shortage")
        scarce = self.env["product.product"].create(
            {"name": "Shared Bowl", "type": "consu", "is_storable": True}
        )
        self.env["stock.quant"]._update_available_quantity(
            scarce, self.stock_location, 10
        )
        first, second = self._create_orders([(scarce, 6)], count=2)
        issues = (first | second)._review_evaluate()
        self.assertNotIn(first, issues)
        self.assertIn("Shared Bowl: 6 needed, 4 forecast", issues[second][0]["message"])

    def test_price_below_floor_compares_in_the_product_unit(self):
        self._rule("price_below_floor")
        self.plain.min_sale_price = 10
        order = self._order(1)
        order.order_line.write(
            {"product_uom": self.env.ref("uom.product_uom_dozen").id, "price_unit": 100}
        )
        (message,) = self._messages(order)
        self.assertIn("8.33", message)

    def test_stock_shortage_ignores_make_to_order_lines(self):
        self._rule("stock_shortage")
        self.assertFalse(self._messages(self._order(500, self.mto_product)))

    def test_late_delivery(self):
        self._rule("late_delivery")
        self.plain.sale_delay = 10
        order = self._order(
            1, commitment_date=fields.Datetime.now() + timedelta(days=1)
        )
        (message,) = self._messages(order)
        self.assertIn("Promised for", message)
        self.assertIn("earliest delivery", message)
        order.commitment_date = fields.Datetime.now() + timedelta(days=20)
        self.assertFalse(self._messages(order))

    def test_incomplete_address(self):
        self._rule("incomplete_address")
        self.assertFalse(self._messages(self._order(1)))
        vague = self.env["res.partner"].create(
            {
                "name": "Vague Buyer",
                "city": "Ningbo",
                "country_id": self.env.ref("base.cn").id,
            }
        )
        (message,) = self._messages(self._order(1, partner_id=vague.id))
        self.assertIn("Vague Buyer", message)
        for part in ("street", "ZIP", "phone", "email"):
            self.assertIn(part, message)
        self.assertNotIn("city", message)

    def test_duplicate_order(self):
        self._rule("duplicate_order", window_hours=24)
        first = self._order(3)
        self._confirm(first)
        second = self._order(3)
        (message,) = self._messages(second)
        self.assertIn(first.name, message)
        self.assertIn("24 hours", message)
        self.assertFalse(self._messages(self._order(4)), "other quantity")
        (first | second).with_user(self.salesman)._action_cancel()
        self.assertFalse(self._messages(self._order(3)), "cancelled orders count not")

    def test_duplicate_order_never_pairs_orders_with_different_references(self):
        self._rule("duplicate_order", window_hours=24)
        first = self._order(3, client_order_ref="PO-1001")
        self._confirm(first)
        self.assertEqual(first.state, "sale")
        other_po = self._order(3, client_order_ref="PO-1002")
        self.assertFalse(self._messages(other_po), "another purchase order")
        no_po = self._order(3)
        self.assertFalse(self._messages(no_po), "a reference on one order only")
        same_po = self._order(3, client_order_ref=" po-1001 ")
        (message,) = self._messages(same_po)
        self.assertIn(first.name, message)
        self.assertNotIn(other_po.name, message)
        # The order's Duplicate flag follows the same detection.
        self.env.invalidate_all()
        self.assertEqual(
            (first | other_po | no_po | same_po).mapped("is_duplicate"),
            [False, False, False, True],
        )
        self.assertEqual(
            self.env["sale.review.rule"]._get_duplicate_reference_fields(),
            ["client_order_ref", "channel_order_ref"],
        )

    def test_rule_form_says_what_a_duplicate_order_is(self):
        arch = self.env["sale.review.rule"].get_view(
            self.env.ref("sale_fulfillment.sale_review_rule_view_form").id, "form"
        )["arch"]
        self.assertIn("same customer reference", arch)
        self.assertIn("are never duplicates", arch)

    def _batch(self, references):
        """Quotations of the same customer with the same goods, one per
        customer reference, created at once as a connector sends them."""
        return (
            self.env["sale.order"]
            .with_user(self.salesman)
            .create(
                [
                    {
                        "partner_id": self.customer.id,
                        "user_id": self.salesman.id,
                        "client_order_ref": reference,
                        "order_line": [
                            Command.create(
                                {"product_id": self.plain.id, "product_uom_qty": 2}
                            )
                        ],
                    }
                    for reference in references
                ]
            )
            .with_env(self.env)
        )

    def test_repeat_batch_of_a_connector_is_not_held(self):
        self._rule("duplicate_order", window_hours=24)
        monday = self._batch([f"PO-A-{i:03d}" for i in range(80)])
        self._confirm(monday)
        self.assertEqual(set(monday.mapped("state")), {"sale"})
        # The same customers order the same goods again under new numbers.
        tuesday = self._batch([f"PO-B-{i:03d}" for i in range(80)])
        self._confirm(tuesday)
        self.assertEqual(set(tuesday.mapped("state")), {"sale"})
        self.assertFalse(tuesday.review_issue_ids)
        # An order sent twice under its own number is held.
        resent = self._batch(["PO-B-007"])
        self._confirm(resent)
        self.assertEqual(resent.review_state, "to_review")
        self.assertIn(tuesday[7].name, resent.review_issue_ids.message)

    def test_duplicate_check_costs_the_same_queries_for_any_batch_size(self):
        self._rule("duplicate_order", window_hours=24)
        self._confirm(self._batch([f"OLD-{i:03d}" for i in range(40)]))
        for size in (5, 80):
            orders = self._batch([f"NEW-{size}-{i:03d}" for i in range(size)])
            self.env.invalidate_all()
            with self.assertQueryCount(8):
                issues = orders._review_evaluate()
            self.assertFalse(issues)

    def test_blacklisted_partner(self):
        self._rule("blacklisted_partner")
        self.assertFalse(self._messages(self._order(1)))
        self.customer.write(
            {"sale_blacklisted": True, "sale_blacklist_reason": "Chargebacks"}
        )
        (message,) = self._messages(self._order(1))
        self.assertIn("blacklisted", message)
        self.assertIn("Chargebacks", message)

    def test_customer_note(self):
        self._rule("customer_note", severity="warning")
        self.assertFalse(self._messages(self._order(1, customer_note="  ")))
        (message,) = self._messages(
            self._order(1, customer_note="Please gift wrap, no invoice in the box")
        )
        self.assertIn("Please gift wrap", message)

    def test_unpaid_prepayment(self):
        self._rule("unpaid_prepayment")
        self.assertFalse(self._messages(self._order(2, require_payment=False)))
        order = self._order(2, require_payment=True, prepayment_percent=0.5)
        (message,) = self._messages(order)
        self.assertIn("Prepayment of", message)
        self.assertIn("100.00", message)
        self.assertIn("0.00 received", message)

    def test_domain(self):
        self._rule(
            "domain",
            check_domain="[('amount_total', '>', 1000)]",
            message="Big order: call the customer",
        )
        self.assertEqual(
            self._messages(self._order(15)), ["Big order: call the customer"]
        )
        self.assertFalse(self._messages(self._order(5)))

    def test_filter_domain_limits_the_orders_a_rule_checks(self):
        other = self.env["res.partner"].create({"name": "Other"})
        self._rule(
            "amount_above",
            threshold=10,
            filter_domain=f"[('partner_id', '=', {other.id})]",
        )
        self.assertFalse(self._messages(self._order(15)))
        self.assertTrue(self._messages(self._order(15, partner_id=other.id)))

    def test_invalid_condition_is_refused(self):
        with self.assertRaisesRegex(Exception, "invalid condition"):
            self._rule("domain", check_domain="[('no_such_field', '=', 1)]")

    def test_rules_of_another_company_never_touch_this_one(self):
        other_company = self.env["res.company"].create({"name": "Other Co"})
        self._rule("amount_above", threshold=10, company_id=other_company.id)
        self.assertFalse(self._messages(self._order(15)))


@tagged("post_install", "-at_install")
class TestReviewIssuesInTheReadersLanguage(ReviewCase):
    """An issue is stored as a message code and its parameters: whoever held
    the order, each reader reads it in their own language, with numbers and
    dates written their way; names stay as they were."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        load_chinese(cls.env, langs=("zh_CN", "zh_TW"))
        cls.salesman.lang = "en_US"
        cls.salesman_zh = new_test_user(
            cls.env,
            login="sf_salesman_zh",
            groups="sales_team.group_sale_salesman_all_leads",
            lang="zh_CN",
        )
        cls.reviewers = {
            lang: new_test_user(
                cls.env,
                login=f"sf_reviewer_{lang}",
                groups="sale_fulfillment.group_order_reviewer",
                lang=lang,
            )
            for lang in ("en_US", "zh_CN", "zh_TW")
        }
        cls.scarce = cls.env["product.product"].create(
            {"name": "Yixing Teapot", "type": "consu", "is_storable": True}
        )
        cls.env["stock.quant"]._update_available_quantity(
            cls.scarce, cls.stock_location, 34
        )
        cls.shortage = cls._rule("stock_shortage")
        cls.day = fields.Date.today() + timedelta(days=10)

    def _held_order(self, user, qty=60):
        order = self._order(
            qty, self.scarce, commitment_date=datetime.combine(self.day, time(12))
        )
        read_as(user, order).action_confirm()
        self.assertEqual(order.review_state, "to_review")
        return order

    def _expected_shortage(self, qty=60):
        day = self.day
        chinese_day = f"{day.year}年{day:%m}月{day:%d}日"
        return {
            "en_US": f"Stock shortage: Yixing Teapot: {qty} needed, 34 forecast on "
            f"{day:%m/%d/%Y}",
            "zh_CN": f"缺货：Yixing Teapot：需要 {qty}，{chinese_day} 预测可用 34",
            "zh_TW": f"缺貨：Yixing Teapot：需要 {qty}，{chinese_day} 預測可用 34",
        }

    def test_an_issue_held_by_an_english_user_reads_in_each_readers_language(self):
        order = self._held_order(self.salesman)
        for lang, text in self._expected_shortage().items():
            issue = read_as(self.reviewers[lang], order.review_issue_ids)
            self.assertEqual(issue.message, text, lang)

    def test_an_issue_held_by_a_chinese_user_reads_in_english_for_an_english_one(self):
        order = self._held_order(self.salesman_zh)
        expected = self._expected_shortage()
        # The reviewers' order form: the issues and the summary of the queue.
        for lang in ("en_US", "zh_CN"):
            (data,) = read_as(self.reviewers[lang], order).web_read(
                {"review_issue_ids": {"fields": {"message": {}}}, "review_summary": {}}
            )
            self.assertEqual(data["review_issue_ids"][0]["message"], expected[lang])
            self.assertEqual(data["review_summary"], expected[lang])

    def test_the_dry_run_speaks_the_language_of_who_runs_it(self):
        order = self._order(60, self.scarce)
        order.commitment_date = datetime.combine(self.day, time(12))
        for lang, text in self._expected_shortage().items():
            issues = read_as(self.reviewers[lang], order)._review_evaluate()[order]
            self.assertEqual(issues[0]["message"], text)
            self.assertEqual(issues[0]["message_code"], "sale_review.stock_shortage")

    def test_listed_words_and_amounts_follow_the_reader(self):
        self.shortage.action_archive()
        self._rule("incomplete_address")
        self._rule("amount_above", threshold=1000)
        vague = self.env["res.partner"].create({"name": "Vague Buyer"})
        order = self._order(15, partner_id=vague.id)
        read_as(self.salesman, order).action_confirm()
        issues = order.review_issue_ids.sorted(lambda issue: issue.rule_type)
        english = read_as(self.reviewers["en_US"], issues).mapped("message")
        chinese = read_as(self.reviewers["zh_CN"], issues).mapped("message")
        self.assertEqual(
            english,
            [
                "Order total $\N{NO-BREAK SPACE}1,500.00 is above "
                "$\N{NO-BREAK SPACE}1,000.00",
                "Delivery address Vague Buyer lacks: street, city, country, phone, "
                "and email",
            ],
        )
        self.assertEqual(
            chinese[1], "收货地址 Vague Buyer 缺少：街道、城市、国家、电话和电子邮件"
        )
        self.assertIn("1,500.00", chinese[0])
        self.assertNotEqual(chinese[0], english[0])

    def test_an_administrators_custom_message_reads_in_the_language_given(self):
        self.shortage.action_archive()
        rule = self._rule(
            "domain",
            check_domain="[('amount_total', '>', 1000)]",
            message="Big order: call the customer",
        )
        rule.update_field_translations("message", {"zh_CN": "大额订单：请先致电客户"})
        unnamed = self._rule("domain", check_domain="[('amount_total', '>', 1000)]")
        unnamed.update_field_translations(
            "name", {"en_US": "Big orders", "zh_CN": "大额订单"}
        )
        order = self._order(15)
        read_as(self.salesman, order).action_confirm()
        by_rule = {issue.rule_id: issue for issue in order.review_issue_ids}
        self.assertEqual(
            read_as(self.reviewers["zh_CN"], by_rule[rule]).message,
            "大额订单：请先致电客户",
        )
        self.assertEqual(
            read_as(self.reviewers["en_US"], by_rule[rule]).message,
            "Big order: call the customer",
        )
        self.assertEqual(
            read_as(self.reviewers["zh_CN"], by_rule[unnamed]).message,
            "符合规则 大额订单 的条件",
        )
        self.assertEqual(
            read_as(self.reviewers["zh_TW"], by_rule[unnamed]).message,
            "符合規則 Big orders 的條件",
        )

    def test_issues_written_before_the_codes_keep_their_text(self):
        order = self._held_order(self.salesman)
        issue = order.review_issue_ids
        issue.write(
            {"message_code": False, "message_params": False, "message_text": "Old"}
        )
        for lang in ("en_US", "zh_CN"):
            self.assertEqual(read_as(self.reviewers[lang], issue).message, "Old")
        # An integrator writing a text: it replaces the code.
        other = self._held_order(self.salesman)
        other.review_issue_ids.message = "Checked by phone"
        self.assertFalse(other.review_issue_ids.message_code)
        self.assertEqual(
            read_as(self.reviewers["zh_CN"], other.review_issue_ids).message,
            "Checked by phone",
        )

    def test_the_upgrade_keeps_the_stored_text_of_existing_rows(self):
        order = self._held_order(self.salesman)
        issue = order.review_issue_ids
        self.env.flush_all()
        cr = self.env.cr
        # The tables as the previous version left them: the text in "message".
        for table in ("sale_review_issue", "stock_pack_scan"):
            cr.execute(
                SQL(
                    "ALTER TABLE %s RENAME COLUMN message_text TO message",
                    SQL.identifier(table),
                )
            )
        cr.execute(
            SQL(
                "UPDATE sale_review_issue SET message = %s, message_code = NULL, "
                "message_params = NULL WHERE id = %s",
                "Stock shortage: as stored",
                issue.id,
            )
        )
        path = MIGRATIONS / "18.0.1.1.0" / "pre-message_codes.py"
        spec = importlib.util.spec_from_file_location("pre_message_codes", path)
        script = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(script)
        script.migrate(cr, "18.0.1.0.0")
        self.env.invalidate_all()
        self.assertEqual(
            read_as(self.reviewers["zh_CN"], issue).message, "Stock shortage: as stored"
        )

    def test_reading_a_list_of_issues_takes_the_same_queries_for_more_issues(self):
        self._held_order(self.salesman, qty=40)
        few = self.env["sale.review.issue"].search([("rule_id", "=", self.shortage.id)])
        for qty in range(41, 53):
            self._held_order(self.salesman, qty=qty)
        many = self.env["sale.review.issue"].search(
            [("rule_id", "=", self.shortage.id)]
        )
        self.assertEqual((len(few), len(many)), (1, 13))
        spec = {
            "message": {},
            "severity": {},
            "order_id": {"fields": {"display_name": {}}},
            "rule_id": {"fields": {"display_name": {}}},
        }

        def count(issues):
            self.env.invalidate_all()
            reader = read_as(self.reviewers["zh_CN"], issues)
            before = self.env.cr.sql_log_count
            rows = reader.web_read(spec)
            self.assertTrue(all("需要" in row["message"] for row in rows))
            return self.env.cr.sql_log_count - before

        count(many)  # warm the caches of the registry
        self.assertEqual(count(many), count(few))
