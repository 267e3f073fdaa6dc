from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import ShipmentCase


@tagged("post_install", "-at_install")
class TestShipmentMerge(ShipmentCase):
    def test_merge_puts_two_orders_in_the_oldest_delivery(self):
        first = self._order([(self.product_a, 2)])
        second = self._order([(self.product_b, 3), (self.product_a, 1)])
        old, young = self._delivery(first), self._delivery(second)

        merged = (young | old).with_user(self.stock_user).action_merge_shipments()

        self.assertEqual(merged, old)
        self.assertEqual(len(old.move_ids), 3)
        self.assertEqual(young.state, "cancel")
        self.assertFalse(young.move_ids)
        self.assertIn(old.name, young.message_ids[0].body)
        self.assertIn(young.name, old.message_ids[0].body)
        self.assertEqual(old.origin, f"{first.name}, {second.name}")
        self.assertEqual(old.sale_order_ids, first | second)
        # Each move still belongs to its own order and procurement group.
        for move in old.move_ids:
            self.assertEqual(move.group_id.sale_id, move.sale_line_id.order_id)
        # Both orders list and open the delivery carrying their goods.
        for order in (first, second):
            self.assertIn(old, order.shipment_ids)
            self.assertEqual(order.delivery_status, "pending")
            action = order.with_user(self.stock_user).action_view_delivery()
            shown = action.get("res_id") or action["domain"][0][2]
            self.assertIn(old.id, shown if isinstance(shown, list) else [shown])
        # The emptied delivery no longer carries anything of the order.
        self.assertEqual(second.shipment_ids, old)
        self.assertEqual(second.delivery_count, 1)
        self.assertEqual(second.fulfillment_state, "to_ship")

        self._ship(first, picking=old)
        for order in (first, second):
            self.assertEqual(order.delivery_status, "full")
            self.assertEqual(
                order.order_line.mapped("qty_delivered"),
                order.order_line.mapped("product_uom_qty"),
            )
            self.assertEqual(order.fulfillment_state, "shipped")
            self.assertTrue(order.effective_date)

    def test_partial_shipment_of_a_merged_delivery_keeps_both_orders_right(self):
        first = self._order([(self.product_a, 4)])
        second = self._order([(self.product_b, 4)])
        merged = (
            self._delivery(first) | self._delivery(second)
        ).action_merge_shipments()
        self._ship(first, {self.product_a: 4, self.product_b: 1}, picking=merged)
        backorder = merged.backorder_ids
        self.assertEqual(backorder.move_ids.sale_line_id, second.order_line)
        self.assertEqual(first.delivery_status, "full")
        self.assertEqual(second.delivery_status, "partial")
        self.assertEqual(second.fulfillment_state, "partially_shipped")
        self.assertIn(backorder, second.shipment_ids)

    def test_merge_after_split_brings_the_parts_together(self):
        order = self._order([(self.product_a, 10)])
        picking = self._delivery(order)
        new = picking._split_shipment({picking.move_ids.id: 4})
        merged = (picking | new).action_merge_shipments()
        self.assertEqual(merged, picking)
        self.assertEqual(sorted(picking.move_ids.mapped("product_uom_qty")), [4, 6])
        self.assertEqual(new.state, "cancel")
        self._ship(order, picking=picking)
        self.assertEqual(order.order_line.qty_delivered, 10)

    def test_merge_refusals_name_the_reason_and_the_deliveries(self):
        other_customer = self.customer.copy({"name": "Other Customer"})
        base = self._delivery(self._order([(self.product_a, 1)]))
        other_partner = self._delivery(
            self._order([(self.product_a, 1)], partner=other_customer)
        )
        no_carrier = self._delivery(self._order([(self.product_a, 1)], carrier=False))
        done_order = self._order([(self.product_a, 1)])
        done = self._ship(done_order)
        internal = self.env["stock.picking"].create(
            {
                "picking_type_id": self.warehouse.int_type_id.id,
                "location_id": self.stock_location.id,
                "location_dest_id": self.stock_location.id,
            }
        )
        other_type = self.warehouse.out_type_id.copy({"name": "Express Out"})
        other_type_picking = base.copy({"picking_type_id": other_type.id})
        cases = [
            (base, "Select at least two deliveries"),
            (base | internal, f"{internal.name} are not deliveries"),
            (base | done, f"{done.name} are already done or cancelled"),
            (
                base | other_partner,
                "different customers or addresses: "
                f"{base.name} \\({self.customer.name}\\)",
            ),
            (base | no_carrier, f"different carriers: .*{no_carrier.name} \\(-\\)"),
            (base | other_type_picking, "different operation types"),
        ]
        for pickings, message in cases:
            with self.subTest(message=message):
                with self.assertRaisesRegex(UserError, message):
                    pickings.with_user(self.stock_user).action_merge_shipments()
        self.assertEqual(len(base.move_ids), 1)
        self.assertEqual(other_partner.state, "assigned")
        self.assertEqual(no_carrier.move_ids.picking_id, no_carrier)

    def test_merge_of_two_companies_is_refused(self):
        base = self._delivery(self._order([(self.product_a, 1)]))
        company = self.env["res.company"].create({"name": "Jade Leaf Shanghai"})
        foreign = self.env["stock.picking"].create(
            {
                "picking_type_id": self.env["stock.picking.type"]
                .search(
                    [("company_id", "=", company.id), ("code", "=", "outgoing")],
                    limit=1,
                )
                .id,
                "partner_id": base.partner_id.id,
                "company_id": company.id,
            }
        )
        with self.assertRaisesRegex(UserError, "different companies"):
            (base | foreign).action_merge_shipments()

    def test_cancelling_one_order_keeps_the_other_orders_goods(self):
        first = self._order([(self.product_a, 2)])
        second = self._order([(self.product_b, 3)])
        merged = (
            self._delivery(first) | self._delivery(second)
        ).action_merge_shipments()
        self.assertEqual(merged.sale_id, first)

        first.with_user(self.salesman)._action_cancel()

        self.assertEqual(merged.state, "assigned")
        self.assertEqual(
            merged.move_ids.filtered(lambda m: m.state != "cancel").sale_line_id,
            second.order_line,
        )
        self.assertEqual(first.order_line.move_ids.mapped("state"), ["cancel"])
        self.assertEqual(self._reserved_on_quants(self.product_a), 0)
        self._ship(second, picking=merged)
        self.assertEqual(second.order_line.qty_delivered, 3)
        self.assertEqual(first.order_line.qty_delivered, 0)

    def test_cancelling_the_order_of_a_moved_in_delivery_cancels_only_its_goods(self):
        first = self._order([(self.product_a, 2)])
        second = self._order([(self.product_b, 3)])
        merged = (
            self._delivery(first) | self._delivery(second)
        ).action_merge_shipments()

        second._action_cancel()

        self.assertEqual(
            merged.move_ids.filtered(lambda m: m.state != "cancel").sale_line_id,
            first.order_line,
        )
        self.assertEqual(second.order_line.move_ids.mapped("state"), ["cancel"])
        self.assertEqual(second.delivery_status, False)
        self.assertEqual(self._reserved_on_quants(self.product_b), 0)

    def test_merge_list_action_opens_the_merged_delivery(self):
        first = self._order([(self.product_a, 1)])
        second = self._order([(self.product_a, 1)])
        pickings = self._delivery(first) | self._delivery(second)
        action = self.env.ref("sale_fulfillment.stock_picking_merge_action")
        result = (
            action.with_user(self.stock_user)
            .with_context(
                active_model="stock.picking",
                active_ids=pickings.ids,
                active_id=pickings[0].id,
            )
            .run()
        )
        self.assertEqual(result["res_model"], "stock.picking")
        self.assertEqual(result["res_id"], self._delivery(first).id)

    def test_own_documents_salesperson_sees_only_their_orders_on_a_merged_delivery(
        self,
    ):
        seller = self.env["res.users"].create(
            {
                "name": "Own Orders Seller",
                "login": "sf_own_seller",
                "groups_id": [
                    (
                        6,
                        0,
                        [
                            self.env.ref("sales_team.group_sale_salesman").id,
                            self.env.ref("stock.group_stock_user").id,
                        ],
                    )
                ],
            }
        )
        mine = self._order([(self.product_a, 1)])
        mine.user_id = seller
        theirs = self._order([(self.product_a, 1)])
        merged = (
            self._delivery(mine) | self._delivery(theirs)
        ).action_merge_shipments()
        merged = merged.with_user(seller)
        self.assertEqual(merged.sale_order_ids, mine)
        self.assertEqual(merged.sale_order_count, 2)
        self.assertEqual(mine.with_user(seller).shipment_ids, merged)

    def test_changing_a_merged_orders_line_changes_its_move_in_the_merged_delivery(
        self,
    ):
        first = self._order([(self.product_a, 2)])
        second = self._order([(self.product_b, 5)])
        merged = (
            self._delivery(first) | self._delivery(second)
        ).action_merge_shipments()
        receipts = self.env["stock.picking"].search_count([])

        second.order_line.product_uom_qty = 3
        move_b = self._move(merged, self.product_b)
        self.assertEqual((move_b.product_uom_qty, move_b.quantity), (3, 3))
        self.assertEqual(self._reserved_on_quants(self.product_b), 3)
        self.assertEqual(self.env["stock.picking"].search_count([]), receipts)

        second.order_line.product_uom_qty = 8
        self.assertEqual(
            sum(self._move(merged, self.product_b).mapped("product_uom_qty")), 8
        )
        self.assertEqual(second.shipment_ids, merged)

    def test_cancelling_an_order_keeps_goods_of_no_order_in_its_delivery(self):
        order = self._order([(self.product_a, 2)], carrier=False)
        picking = self._delivery(order)
        manual = self.env["stock.picking"].create(
            {
                "picking_type_id": picking.picking_type_id.id,
                "partner_id": picking.partner_id.id,
                "location_id": picking.location_id.id,
                "location_dest_id": picking.location_dest_id.id,
                "move_ids": [
                    Command.create(
                        {
                            "name": "Sample",
                            "product_id": self.product_b.id,
                            "product_uom_qty": 1,
                            "location_id": picking.location_id.id,
                            "location_dest_id": picking.location_dest_id.id,
                        }
                    )
                ],
            }
        )
        manual.action_confirm()
        merged = (picking | manual).action_merge_shipments()

        order._action_cancel()

        self.assertEqual(
            merged.move_ids.filtered(lambda m: m.state != "cancel").product_id,
            self.product_b,
        )
        self.assertNotEqual(merged.state, "cancel")

    def test_merge_refuses_drafts_batches_and_real_shipping_costs(self):
        first = self._delivery(self._order([(self.product_a, 1)]))
        second = self._delivery(self._order([(self.product_a, 1)]))
        draft = first.copy()
        with self.assertRaisesRegex(UserError, f"{draft.name} are drafts"):
            (first | draft).action_merge_shipments()
        batch = self.env["stock.picking.batch"].create(
            {"picking_ids": [Command.set(second.ids)]}
        )
        with self.assertRaisesRegex(UserError, "different batches or waves"):
            (first | second).action_merge_shipments()
        batch.picking_ids = [Command.unlink(second.id)]
        self.carrier.invoice_policy = "real"
        with self.assertRaisesRegex(UserError, "bills the real shipping cost"):
            (first | second).action_merge_shipments()
        self.assertEqual((first.state, second.state), ("assigned", "assigned"))

    def test_merged_away_delivery_leaves_its_batch(self):
        first = self._delivery(self._order([(self.product_a, 1)]))
        second = self._delivery(self._order([(self.product_a, 1)]))
        batch = self.env["stock.picking.batch"].create(
            {"picking_ids": [Command.set((first | second).ids)]}
        )
        batch.action_confirm()
        (first | second).action_merge_shipments()
        self.assertEqual(batch.picking_ids, first)
        self.assertEqual(batch.state, "in_progress")
