from datetime import timedelta

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, new_test_user, tagged

from .common import ReviewCase


@tagged("post_install", "-at_install")
class TestReviewWorkflow(ReviewCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.reviewer = new_test_user(
            cls.env,
            login="sf_reviewer_cs",
            groups="sale_fulfillment.group_order_reviewer",
        )
        cls.finance = new_test_user(
            cls.env,
            login="sf_reviewer_finance",
            groups="account.group_account_manager,sales_team.group_sale_salesman_all_leads",
        )
        cls.big = cls._rule("amount_above", threshold=1000)

    def test_batch_holds_tripping_orders_and_confirms_the_others(self):
        held, clean = self._order(15), self._order(5)
        (held | clean).with_user(self.salesman).action_confirm()
        self.assertEqual(held.state, "draft")
        self.assertEqual(held.review_state, "to_review")
        self.assertEqual(held.fulfillment_state, "to_review")
        self.assertEqual(held.review_issue_ids.rule_id, self.big)
        self.assertIn("Held for review", held.message_ids[0].body)
        self.assertFalse(held.picking_ids)
        self.assertEqual(clean.state, "sale")
        self.assertEqual(clean.review_state, "approved")
        self.assertEqual(clean.fulfillment_state, "to_ship")

    def test_a_client_cannot_skip_or_forge_the_review(self):
        order = self._order(15)
        order.with_user(self.salesman).with_context(
            sale_review_skip=True
        ).action_confirm()
        self.assertEqual(order.state, "draft")
        self.assertEqual(order.review_state, "to_review")
        with self.assertRaisesRegex(AccessError, "Only the order review"):
            order.with_user(self.salesman).write({"review_state": "approved"})
        self._confirm(order)
        self.assertEqual(order.state, "draft", "a second confirmation reviews again")

    def test_editing_a_held_order_voids_its_review(self):
        order = self._order(15)
        self._confirm(order)
        order.with_user(self.salesman).write(
            {"order_line": [Command.update(order.order_line.id, {"discount": 90})]}
        )
        self.assertEqual(order.review_state, "none")
        self.assertFalse(order.review_issue_ids)
        with self.assertRaisesRegex(UserError, "is not waiting for review"):
            order.with_user(self.reviewer).action_review_approve()
        self._confirm(order)
        self.assertEqual(order.state, "sale", "90 % off brings it under the threshold")

    def test_changing_a_line_directly_voids_the_review_too(self):
        order = self._order(15)
        self._confirm(order)
        order.order_line.with_user(self.salesman).write({"product_uom_qty": 50})
        self.assertEqual(order.review_state, "none")

    def test_reset_to_quotation_forgets_the_review(self):
        order = self._order(15)
        self._confirm(order)
        order.with_user(self.salesman)._action_cancel()
        order.with_user(self.salesman).action_draft()
        self.assertEqual(order.review_state, "none")
        self.assertFalse(order.review_issue_ids)

    def test_salespeople_read_only_the_issues_of_their_own_orders(self):
        order = self._order(15)
        self._confirm(order)
        colleague = new_test_user(
            self.env, login="sf_colleague", groups="sales_team.group_sale_salesman"
        )
        issues = self.env["sale.review.issue"]
        # As Odoo's own rule for orders, every salesperson reads the orders
        # nobody handles yet (an order taken in from a marketplace): only
        # orders with a salesperson are kept apart.
        handled = [("order_id.user_id", "!=", False)]
        self.assertEqual(
            issues.with_user(self.salesman).search(handled), order.review_issue_ids
        )
        self.assertFalse(issues.with_user(colleague).search(handled))
        self.assertTrue(
            issues.with_user(self.reviewer).search([("order_id", "=", order.id)])
        )
        with self.assertRaises(AccessError):
            self.env["sale.review.simulation"].with_user(colleague).create(
                {"order_ids": [Command.set(order.ids)]}
            )

    def test_the_reviewer_who_confirmed_a_held_order_cannot_approve_it(self):
        other_reviewer = new_test_user(
            self.env,
            login="sf_reviewer_other",
            groups="sale_fulfillment.group_order_reviewer",
        )
        order = self._order(15)
        order.with_user(self.reviewer).action_confirm()
        self.assertEqual(order.review_requested_by_id, self.reviewer)
        with self.assertRaisesRegex(UserError, "another reviewer"):
            order.with_user(self.reviewer).action_review_approve()
        order.with_user(other_reviewer).action_review_approve()
        self.assertEqual(order.state, "sale")

    def test_warning_is_recorded_and_the_order_confirms(self):
        self.big.severity = "warning"
        order = self._order(15)
        self._confirm(order)
        self.assertEqual(order.state, "sale")
        self.assertEqual(order.review_issue_ids.severity, "warning")

    def test_reviewer_approves_and_the_order_is_confirmed_once(self):
        order = self._order(15)
        self._confirm(order)
        order.with_user(self.reviewer).action_review_approve()
        self.assertEqual(order.state, "sale")
        self.assertEqual(order.review_state, "approved")
        self.assertEqual(order.reviewed_by_id, self.reviewer)
        self.assertTrue(order.reviewed_on)
        self.assertEqual(order.review_issue_ids.cleared_by_id, self.reviewer)
        self.assertEqual(len(order.picking_ids), 1)
        with self.assertRaisesRegex(UserError, "is not waiting for review"):
            order.with_user(self.reviewer).action_review_approve()
        self.assertEqual(len(order.picking_ids), 1)

    def test_salesman_can_neither_approve_nor_reject(self):
        order = self._order(15)
        self._confirm(order)
        self.assertFalse(order.with_user(self.salesman).review_can_clear)
        with self.assertRaisesRegex(UserError, "You may not review"):
            order.with_user(self.salesman).action_review_approve()
        with self.assertRaisesRegex(UserError, "You may not review"):
            order.with_user(self.salesman).action_review_reject("No")
        self.assertEqual(order.review_state, "to_review")

    def test_two_stage_review_customer_service_then_finance(self):
        finance_group = self.env.ref("account.group_account_manager")
        self._rule("customer_note")
        self._rule("amount_above", threshold=1000, reviewer_group_id=finance_group.id)
        self.big.action_archive()
        order = self._order(15, customer_note="Deliver after 6 pm")
        self._confirm(order)
        self.assertEqual(len(order.review_issue_ids), 2)

        order.with_user(self.reviewer).action_review_approve()
        self.assertEqual(order.state, "draft", "the finance issue is still open")
        self.assertEqual(
            order.review_issue_ids.filtered("is_open").reviewer_group_id, finance_group
        )
        self.assertFalse(order.with_user(self.reviewer).review_can_clear)
        with self.assertRaisesRegex(UserError, "You may not review"):
            order.with_user(self.reviewer).action_review_approve()

        order.with_user(self.finance).action_review_approve()
        self.assertEqual(order.state, "sale")
        self.assertEqual(order.reviewed_by_id, self.finance)

    def test_salesperson_may_not_review_own_order_unless_allowed(self):
        own = new_test_user(
            self.env,
            login="sf_selling_reviewer",
            groups="sale_fulfillment.group_order_reviewer",
        )
        order = self._create_orders([(self.plain, 15)], user=own)
        order.with_user(own).action_confirm()
        with self.assertRaisesRegex(UserError, "another reviewer"):
            order.with_user(own).action_review_approve()
        self.company.sale_review_allow_self_approval = True
        order.with_user(own).action_review_approve()
        self.assertEqual(order.state, "sale")

    def test_reject_with_reason_informs_the_salesperson(self):
        order = self._order(15)
        self._confirm(order)
        with self.assertRaisesRegex(UserError, "Give a reason"):
            order.with_user(self.reviewer).action_review_reject(" ")
        action = order.with_user(self.reviewer).action_open_review_reject_wizard()
        wizard = Form.from_action(self.env(user=self.reviewer), action)
        wizard.reason = "Price too low for this volume"
        wizard.save().action_reject()
        self.assertEqual(order.review_state, "rejected")
        self.assertEqual(order.fulfillment_state, "rejected")
        self.assertEqual(order.review_reject_reason, "Price too low for this volume")
        self.assertEqual(order.reviewed_by_id, self.reviewer)
        activity = order.activity_ids
        self.assertEqual(activity.user_id, self.salesman)
        self.assertIn("Price too low", str(activity.note))

    def test_rejected_order_edited_and_confirmed_is_reviewed_anew(self):
        order = self._order(15)
        self._confirm(order)
        order.with_user(self.reviewer).action_review_reject("Too big, split it")
        order.order_line.product_uom_qty = 5
        self._confirm(order)
        self.assertEqual(order.state, "sale")
        self.assertEqual(order.review_state, "approved")
        self.assertFalse(order.review_issue_ids, "issues are evaluated from scratch")
        self.assertFalse(order.review_reject_reason)

    def test_mass_approve_and_reject_from_the_queue(self):
        orders = self._create_orders([(self.plain, 15)], count=4)
        self._confirm(orders)
        self.assertEqual(set(orders.mapped("review_state")), {"to_review"})
        orders[:2].with_user(self.reviewer).action_review_approve()
        wizard = (
            self.env["sale.review.reject.wizard"]
            .with_user(self.reviewer)
            .create(
                {"order_ids": [Command.set(orders[2:].ids)], "reason": "Promo ended"}
            )
        )
        wizard.action_reject()
        self.assertEqual(orders.mapped("state"), ["sale", "sale", "draft", "draft"])
        self.assertEqual(
            orders.mapped("review_state"),
            ["approved", "approved", "rejected", "rejected"],
        )

    def test_rule_issues_button_lists_the_issues_it_raised(self):
        held, clean = self._order(15), self._order(5)
        self._confirm(held | clean)
        action = self.big.action_view_issues()
        issues = self.env[action["res_model"]].search(action["domain"])
        self.assertEqual(issues, held.review_issue_ids)
        self.assertEqual(self.big.issue_count, 1)

    def test_simulation_takes_quotations_only(self):
        order = self._order(5)
        self._confirm(order)
        with self.assertRaisesRegex(UserError, "Select quotations"):
            order.with_user(self.salesman).action_open_review_simulation()

    def test_dry_run_and_simulation_write_nothing(self):
        held, clean = self._order(15), self._order(5)
        orders = held | clean
        issues = orders._review_evaluate()
        self.assertEqual(list(issues), [held])
        self.assertEqual(issues[held][0]["rule_id"], self.big.id)
        action = orders.with_user(self.salesman).action_open_review_simulation()
        simulation = self.env["sale.review.simulation"].browse(action["res_id"])
        self.assertEqual((simulation.order_count, simulation.held_count), (2, 1))
        self.assertEqual(simulation.rule_line_ids.rule_id, self.big)
        self.assertEqual(simulation.rule_line_ids.order_count, 1)
        self.assertEqual(simulation.line_ids.filtered("held").order_id, held)
        self.assertEqual(orders.mapped("review_state"), ["none", "none"])
        self.assertFalse(orders.review_issue_ids)
        self.assertEqual(orders.mapped("state"), ["draft", "draft"])

    def test_order_paid_online_is_held_and_keeps_its_payment(self):
        order = self._order(15, require_payment=True, prepayment_percent=1.0)
        order.action_quotation_sent()
        provider = self.env["payment.provider"].create(
            {"name": "Review Test Provider", "code": "none", "state": "test"}
        )
        transaction = self.env["payment.transaction"].create(
            {
                "provider_id": provider.id,
                "payment_method_id": self.env.ref("payment.payment_method_unknown").id,
                "amount": order.amount_total,
                "currency_id": order.currency_id.id,
                "partner_id": order.partner_id.id,
                "reference": "REVIEW-TX-1",
                "sale_order_ids": [Command.set(order.ids)],
            }
        )
        transaction._set_done()
        confirmed = transaction._check_amount_and_confirm_order()
        self.assertFalse(confirmed)
        self.assertEqual(order.state, "sent")
        self.assertEqual(order.review_state, "to_review")
        self.assertEqual(transaction.state, "done")
        self.assertEqual(order.amount_paid, order.amount_total)

        order.with_user(self.reviewer).action_review_approve()
        self.assertEqual(order.state, "sale")
        confirmation = self.env["mail.mail"].search(
            [("model", "=", "sale.order"), ("res_id", "=", order.id)]
        )
        self.assertTrue(
            confirmation.filtered(lambda mail: order.name in (mail.subject or "")),
            "the customer who paid is told the order is confirmed",
        )

    def test_rule_evaluation_costs_the_same_queries_for_any_batch_size(self):
        finance_group = self.env.ref("account.group_account_manager")
        for rule_type in (
            "credit_limit",
            "discount_above",
            "margin_below",
            "price_below_floor",
            "stock_shortage",
            "late_delivery",
            "incomplete_address",
            "duplicate_order",
            "blacklisted_partner",
            "customer_note",
            "unpaid_prepayment",
        ):
            self._rule(rule_type, threshold=10, reviewer_group_id=finance_group.id)
        self._rule("domain", check_domain="[('amount_total', '>', 1)]")
        products = self.env["product.product"].create(
            [
                {"name": f"Batch product {i}", "type": "consu", "is_storable": True}
                for i in range(10)
            ]
        )
        lines = [(product, i + 1) for i, product in enumerate(products)]
        small = self._create_orders(lines, count=2)
        large = self._create_orders(lines, count=20)
        # Every order of the large batch is promised for another day.
        now = fields.Datetime.now()
        for days, order in enumerate(large, start=30):
            order.commitment_date = now + timedelta(days=days)
        for orders in (small, large):
            self.env.invalidate_all()
            # 38: one reads the custom rule's name in every language.
            with self.assertQueryCount(38):
                issues = orders._review_evaluate()
            self.assertEqual(len(issues), len(orders))
