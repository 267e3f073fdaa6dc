from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import ConcurrencyCase


@tagged("post_install", "-at_install")
class TestReviewConcurrency(ConcurrencyCase):
    """Two reviewers approving the same order at the same time."""

    def setUp(self):
        super().setUp()
        self._commit_capabilities("sale_review_enabled")
        with self._transaction() as env:
            partner = env["res.partner"].create(
                {
                    "name": "Concurrent Customer",
                    "street": "8 Lane",
                    "city": "Suzhou",
                    "zip": "215000",
                    "country_id": env.ref("base.cn").id,
                    "phone": "+86 512 0000 0000",
                    "email": "concurrent@example.com",
                }
            )
            product = env["product.product"].create(
                {"name": "Concurrent Vase", "type": "consu", "list_price": 500}
            )
            rule = env["sale.review.rule"].create(
                {"name": "Concurrent big", "rule_type": "amount_above", "threshold": 1}
            )
            order = env["sale.order"].create(
                {
                    "partner_id": partner.id,
                    "user_id": False,
                    "order_line": [
                        Command.create({"product_id": product.id, "product_uom_qty": 2})
                    ],
                }
            )
            env.cr.commit()
            self.ids = (order.id, rule.id, product.id, partner.id)
            self.addCleanup(self._cleanup)
            order.action_confirm()
            env.cr.commit()

    def _cleanup(self):
        order_id, rule_id, product_id, partner_id = self.ids
        with self._transaction() as env:
            # The rule first, in its own commit: left active, it would hold the
            # orders of every later test.
            env["sale.review.rule"].browse(rule_id).unlink()
            env.cr.commit()
            order = env["sale.order"].browse(order_id)
            if order.state == "sale":  # a regression confirmed it: undo that
                order.picking_ids.action_cancel()
                order._action_cancel()
            order.unlink()
            env["product.product"].browse(product_id).unlink()
            env["res.partner"].browse(partner_id).unlink()
            env.cr.commit()

    def test_two_reviewers_approving_at_once_confirm_the_order_once(self):
        order_id = self.ids[0]
        admin = self.env.ref("base.user_admin")
        with self._two_transactions() as (first_env, second_env):
            first = first_env["sale.order"].browse(order_id)
            second = second_env["sale.order"].browse(order_id)
            self.assertEqual(first.review_state, "to_review")

            first.with_user(admin).action_review_approve()
            with self.assertRaisesRegex(UserError, "Somebody else is reviewing"):
                second.with_user(admin).action_review_approve()

            self.assertEqual(first.state, "sale")
            self.assertEqual(len(first.picking_ids), 1)
            # Nothing of this scenario is kept: both transactions roll back.
            first_env.cr.rollback()
            second_env.cr.rollback()
