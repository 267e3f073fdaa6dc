from datetime import timedelta

from odoo import Command, fields
from odoo.tests import tagged

from .common import FulfillmentCase, switch_review_on


class ReviewCase(FulfillmentCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        switch_review_on(cls.company)
        cls.plain = cls.env["product.product"].create(
            {
                "name": "Review Teapot",
                "type": "consu",
                "is_storable": True,
                "list_price": 100.0,
                "standard_price": 50.0,
                "taxes_id": [Command.clear()],
            }
        )
        cls.env["stock.quant"]._update_available_quantity(
            cls.plain, cls.stock_location, 1000
        )
        cls.customer.write({"phone": "+86 571 8888 0000", "zip": "310000"})

    @classmethod
    def _rule(cls, rule_type, **vals):
        return cls.env["sale.review.rule"].create(
            {"name": rule_type, "rule_type": rule_type, **vals}
        )

    def _order(self, qty=1, product=None, **vals):
        order = self._create_orders([(product or self.plain, qty)])
        if vals:
            order.write(vals)
        return order

    def _messages(self, order):
        """The messages the active rules raise on ``order`` (dry run)."""
        return [vals["message"] for vals in order._review_evaluate().get(order, [])]


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
            ["client_order_ref"],
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
