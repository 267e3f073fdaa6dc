from odoo import Command
from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestFulfillmentUi(HttpCase):
    def test_sales_list_filters_by_fulfillment_state_and_opens_an_order(self):
        self.env["sale.review.rule"].search([]).action_archive()
        user = new_test_user(
            self.env,
            login="sf_tour_salesman",
            groups="sales_team.group_sale_salesman,stock.group_stock_user",
        )
        product = self.env["product.product"].create(
            {"name": "Tour Teapot", "type": "consu", "is_storable": True}
        )
        self.env["stock.quant"]._update_available_quantity(
            product, self.env.ref("stock.stock_location_stock"), 10
        )
        to_ship, shipped = self.env["sale.order"].create(
            [
                {
                    "partner_id": self.env["res.partner"].create({"name": name}).id,
                    "user_id": user.id,
                    "order_line": [
                        Command.create({"product_id": product.id, "product_uom_qty": 1})
                    ],
                }
                for name in ("Tour Customer To Ship", "Tour Customer Shipped")
            ]
        )
        (to_ship | shipped).action_confirm()
        shipped.picking_ids.move_ids.write({"quantity": 1, "picked": True})
        shipped.picking_ids.button_validate()
        self.assertEqual(to_ship.fulfillment_state, "to_ship")
        self.assertEqual(shipped.fulfillment_state, "shipped")

        self.start_tour(
            "/odoo/action-sale.action_orders",
            "sale_fulfillment_state_tour",
            login=user.login,
        )


@tagged("post_install", "-at_install")
class TestReviewUi(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["sale.review.rule"].search([]).action_archive()
        cls.env["sale.review.rule"].create(
            {"name": "Big orders", "rule_type": "amount_above", "threshold": 1000}
        )
        cls.salesman = new_test_user(
            cls.env, login="sf_ui_salesman", groups="sales_team.group_sale_salesman"
        )
        cls.product = cls.env["product.product"].create(
            {
                "name": "Tour Vase",
                "type": "consu",
                "is_storable": True,
                "list_price": 400,
            }
        )
        cls.env["stock.quant"]._update_available_quantity(
            cls.product, cls.env.ref("stock.stock_location_stock"), 100
        )

    def _held_orders(self, *names):
        orders = self.env["sale.order"].create(
            [
                {
                    "partner_id": self.env["res.partner"].create({"name": name}).id,
                    "user_id": self.salesman.id,
                    "order_line": [
                        Command.create(
                            {"product_id": self.product.id, "product_uom_qty": 5}
                        )
                    ],
                }
                for name in names
            ]
        )
        orders.action_confirm()
        self.assertEqual(set(orders.mapped("review_state")), {"to_review"})
        return orders

    def test_reviewer_approves_one_order_and_rejects_another(self):
        approved, rejected = self._held_orders("Tour Held Alpha", "Tour Held Beta")
        reviewer = new_test_user(
            self.env,
            login="sf_tour_reviewer",
            groups="sale_fulfillment.group_order_reviewer",
        )
        self.start_tour(
            "/odoo/action-sale_fulfillment.sale_order_review_action",
            "sale_fulfillment_review_tour",
            login=reviewer.login,
        )
        self.assertEqual(approved.state, "sale")
        self.assertEqual(approved.reviewed_by_id, reviewer)
        self.assertEqual(rejected.review_state, "rejected")
        self.assertEqual(rejected.review_reject_reason, "Customer asked to wait")

    def test_customer_portal_shows_an_order_under_review(self):
        (order,) = self._held_orders("Portal Customer")
        response = self.url_open(order.get_portal_url())
        self.assertEqual(response.status_code, 200)
        self.assertIn("Your order is being reviewed", response.text)
        self.assertNotIn("Order total", response.text, "review reasons stay internal")
