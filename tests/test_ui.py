from odoo import Command
from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestFulfillmentUi(HttpCase):
    def test_sales_list_filters_by_fulfillment_state_and_opens_an_order(self):
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
