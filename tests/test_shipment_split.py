from datetime import datetime, timedelta

from odoo import Command, fields
from odoo.exceptions import UserError
from odoo.tests import Form, tagged

from .common import ShipmentCase, switch_capabilities


@tagged("post_install", "-at_install")
class TestShipmentSplit(ShipmentCase):
    def test_split_by_quantity_keeps_links_and_reservation(self):
        order = self._order([(self.product_a, 10), (self.product_b, 5)])
        picking = self._delivery(order)
        move_a, move_b = (
            self._move(picking, self.product_a),
            self._move(picking, self.product_b),
        )
        self.assertEqual(picking.state, "assigned")

        new = picking.with_user(self.stock_user)._split_shipment(
            {move_a.id: 4, move_b.id: 5}
        )

        self.assertNotEqual(new, picking)
        self.assertEqual(new.sale_id, order)
        self.assertEqual(new.group_id, picking.group_id)
        self.assertEqual(new.carrier_id, self.carrier)
        self.assertEqual(new.partner_id, picking.partner_id)
        self.assertEqual(new.picking_type_id, picking.picking_type_id)
        self.assertEqual(new.backorder_id, picking)
        self.assertEqual(new.scheduled_date, picking.scheduled_date)
        self.assertEqual(order.picking_ids, picking | new)
        # What stays, what leaves: the demand per line is conserved.
        self.assertEqual(picking.move_ids, move_a)
        self.assertEqual(move_a.product_uom_qty, 6)
        new_a = self._move(new, self.product_a)
        self.assertEqual(new_a.product_uom_qty, 4)
        self.assertEqual(self._move(new, self.product_b), move_b, "whole line moved")
        self.assertEqual(
            (new.move_ids | picking.move_ids).sale_line_id, order.order_line
        )
        # Both shipments stay fully reserved; the quants did not change.
        self.assertEqual((move_a.quantity, new_a.quantity, move_b.quantity), (6, 4, 5))
        self.assertEqual((picking.state, new.state), ("assigned", "assigned"))
        for product in (self.product_a, self.product_b):
            self.assertEqual(
                self._reserved_on_quants(product), self._reserved_on_lines(product)
            )
        self.assertEqual(self._reserved_on_quants(self.product_a), 10)
        self.assertIn(new.name, picking.message_ids[0].body)
        self.assertIn(picking.name, new.message_ids[0].body)

    def test_split_hands_over_only_the_reservation_beyond_what_stays(self):
        self.env["stock.quant"]._update_available_quantity(
            self.scarce, self.stock_location, 7
        )
        order = self._order([(self.scarce, 10)])
        picking = self._delivery(order)
        move = picking.move_ids
        self.assertEqual(move.quantity, 7)

        new = picking._split_shipment({move.id: 5})
        new_move = new.move_ids
        self.assertEqual((move.product_uom_qty, move.quantity), (5, 5))
        self.assertEqual((new_move.product_uom_qty, new_move.quantity), (5, 2))
        self.assertEqual(move.state, "assigned")
        self.assertEqual(new_move.state, "partially_available")
        self.assertEqual(self._reserved_on_quants(self.scarce), 7)
        self.assertEqual(self._reserved_on_lines(self.scarce), 7)

    def test_split_keeps_reservation_where_it_is_when_it_fits(self):
        self.env["stock.quant"]._update_available_quantity(
            self.scarce, self.stock_location, 3
        )
        order = self._order([(self.scarce, 10)])
        picking = self._delivery(order)
        new = picking._split_shipment({picking.move_ids.id: 6})
        self.assertEqual(picking.move_ids.quantity, 3)
        self.assertEqual(new.move_ids.quantity, 0)
        self.assertEqual(new.move_ids.state, "confirmed")

    def test_split_with_a_new_date_reschedules_only_the_new_shipment(self):
        order = self._order([(self.product_a, 10)])
        picking = self._delivery(order)
        before = picking.scheduled_date
        later = fields.Datetime.now().replace(microsecond=0) + timedelta(days=9)
        new = picking._split_shipment({picking.move_ids.id: 3}, scheduled_date=later)
        self.assertEqual(new.scheduled_date, later)
        self.assertEqual(new.move_ids.date, later)
        self.assertEqual(picking.scheduled_date, before)

    def test_split_refusals_raise_and_change_nothing(self):
        order = self._order([(self.product_a, 10), (self.product_b, 5)])
        picking = self._delivery(order)
        move_a = self._move(picking, self.product_a)
        move_b = self._move(picking, self.product_b)
        other = self._delivery(self._order([(self.product_a, 1)]))
        done = self._order([(self.product_a, 1)])
        done_picking = self._ship(done)
        cancelled = self._order([(self.product_a, 1)])
        cancelled_picking = self._delivery(cancelled)
        cancelled_picking.action_cancel()
        missing_id = self.env["stock.move"].search([], order="id desc", limit=1).id + 1
        cases = [
            (picking, {}, "Nothing to split in"),
            (picking, {move_a.id: 0}, "must be positive"),
            (picking, {move_a.id: -2}, "must be positive"),
            (picking, {move_a.id: 11}, "only 10.0 Units remain to deliver"),
            (picking, {missing_id: 1}, f"stock moves {missing_id} do not exist"),
            (picking, {other.move_ids.id: 1}, "belong to another shipment"),
            (picking, {move_a.id: 10, move_b.id: 5}, "would leave it empty"),
            (done_picking, {done_picking.move_ids.id: 1}, "it is already Done"),
            (
                cancelled_picking,
                {cancelled_picking.move_ids.id: 1},
                "it is already Cancelled",
            ),
        ]
        pickings_before = self.env["stock.picking"].search_count([])
        for target, quantities, message in cases:
            with self.subTest(message=message):
                with self.assertRaisesRegex(UserError, message):
                    target.with_user(self.stock_user)._split_shipment(quantities)
        self.assertEqual(self.env["stock.picking"].search_count([]), pickings_before)
        self.assertEqual((move_a.product_uom_qty, move_b.product_uom_qty), (10, 5))
        self.assertEqual(picking.move_ids, move_a | move_b)

    def test_split_by_availability_ships_the_ready_part(self):
        self.env["stock.quant"]._update_available_quantity(
            self.scarce, self.stock_location, 4
        )
        order = self._order([(self.product_a, 3), (self.scarce, 10)])
        picking = self._delivery(order)

        new = picking.with_user(self.stock_user).action_split_by_availability()

        self.assertEqual(picking.move_ids.mapped("quantity"), [3, 4])
        self.assertEqual(picking.move_ids.mapped("product_uom_qty"), [3, 4])
        self.assertEqual(picking.state, "assigned")
        self.assertEqual(new.move_ids.product_id, self.scarce)
        self.assertEqual((new.move_ids.product_uom_qty, new.move_ids.quantity), (6, 0))
        # Nothing more to split on either side.
        self.assertFalse(picking.action_split_by_availability())
        self.assertFalse(new.action_split_by_availability())
        self._ship(order, picking=picking)
        self.assertEqual(order.delivery_status, "partial")
        self.assertEqual(order.order_line.mapped("qty_delivered"), [3, 4])

    def test_ship_ready_part_button_opens_the_new_delivery(self):
        self.env["stock.quant"]._update_available_quantity(
            self.scarce, self.stock_location, 1
        )
        order = self._order([(self.scarce, 3)])
        picking = self._delivery(order)
        self.assertTrue(picking.has_ready_part)
        action = picking.with_user(self.stock_user).action_view_split_by_availability()
        new = order.picking_ids - picking
        self.assertEqual(
            (action["res_model"], action["res_id"]), ("stock.picking", new.id)
        )
        self.assertEqual(new.move_ids.product_uom_qty, 2)
        self.assertFalse(picking.has_ready_part)

    def test_split_by_availability_button_says_when_nothing_is_ready(self):
        order = self._order([(self.scarce, 2)])
        picking = self._delivery(order)
        self.assertFalse(picking.has_ready_part)
        action = picking.with_user(self.stock_user).action_view_split_by_availability()
        self.assertEqual(action["tag"], "display_notification")
        self.assertEqual(len(order.picking_ids), 1)

    def test_partially_available_delivery_splits_itself_when_asked(self):
        switch_capabilities(self.company, "stock_auto_split_enabled")
        self.warehouse.out_type_id.auto_split_availability = True
        self.env["stock.quant"]._update_available_quantity(
            self.scarce, self.stock_location, 2
        )
        order = self._order([(self.product_a, 1), (self.scarce, 5)])
        self.assertEqual(len(order.picking_ids), 2)
        ready, waiting = order.picking_ids.sorted("id")
        self.assertEqual(ready.state, "assigned")
        self.assertEqual(ready.move_ids.mapped("product_uom_qty"), [1, 2])
        self.assertEqual(waiting.move_ids.product_uom_qty, 3)
        self.assertEqual(waiting.state, "confirmed")

        # Stock arrives for part of the rest: the waiting delivery splits again.
        self.env["stock.quant"]._update_available_quantity(
            self.scarce, self.stock_location, 1
        )
        waiting.action_assign()
        self.assertEqual(len(order.picking_ids), 3)
        self.assertEqual(waiting.move_ids.quantity, 1)

    def test_auto_split_waits_for_customers_who_want_everything_at_once(self):
        switch_capabilities(self.company, "stock_auto_split_enabled")
        self.warehouse.out_type_id.auto_split_availability = True
        self.env["stock.quant"]._update_available_quantity(
            self.scarce, self.stock_location, 2
        )
        order = self._order([(self.product_a, 1), (self.scarce, 5)], policy="one")
        self.assertEqual(len(order.picking_ids), 1)

    def test_lines_with_their_own_date_ship_separately(self):
        self.company.security_lead = 2
        first = datetime(2031, 3, 10, 9, 0)
        second = datetime(2031, 4, 20, 9, 0)
        order = self._create_orders(
            [(self.product_a, 1), (self.product_b, 2), (self.component, 3)]
        )
        line_a, line_b, line_c = order.order_line
        line_a.commitment_date = first
        line_b.commitment_date = second
        self._confirm(order)

        pickings = order.picking_ids
        self.assertEqual(len(pickings), 3)
        by_product = {p.move_ids.product_id: p for p in pickings}
        self.assertEqual(
            by_product[self.product_a].scheduled_date, first - timedelta(days=2)
        )
        self.assertEqual(
            by_product[self.product_b].scheduled_date, second - timedelta(days=2)
        )
        self.assertEqual(by_product[self.product_a].move_ids.date_deadline, first)
        self.assertNotIn(
            by_product[self.component].scheduled_date,
            (first - timedelta(days=2), second - timedelta(days=2)),
        )
        # More of a dated line joins the shipment of its date.
        line_b.product_uom_qty = 5
        self.assertEqual(len(order.picking_ids), 3)
        self.assertEqual(by_product[self.product_b].move_ids.product_uom_qty, 5)

    def test_orders_without_line_dates_keep_one_shipment(self):
        order = self._order([(self.product_a, 1), (self.product_b, 1)])
        self.assertEqual(len(order.picking_ids), 1)

    def test_split_wizard_previews_and_splits(self):
        order = self._order([(self.product_a, 10), (self.product_b, 5)])
        picking = self._delivery(order)
        action = picking.with_user(self.stock_user).action_open_split_wizard()
        later = fields.Datetime.now().replace(microsecond=0) + timedelta(days=3)
        with Form.from_action(self.env(user=self.stock_user), action) as wizard:
            self.assertEqual(len(wizard.line_ids), 2)
            self.assertIn("Nothing yet", wizard.preview)
            with wizard.line_ids.edit(0) as line:
                line.quantity = 4
            with wizard.line_ids.edit(1) as line:
                line.whole_line = True
                self.assertEqual(line.quantity, 5)
            wizard.scheduled_date = later
            self.assertIn(self.product_b.display_name, wizard.preview)
            self.assertIn(f"Stays in {picking.name}", wizard.preview)
        result = wizard.record.action_split()
        new = self.env["stock.picking"].browse(result["res_id"])
        self.assertEqual(new.backorder_id, picking)
        self.assertEqual(new.scheduled_date, later)
        self.assertEqual(sorted(new.move_ids.mapped("product_uom_qty")), [4, 5])
        self.assertEqual(picking.move_ids.product_uom_qty, 6)

    def test_split_wizard_moves_the_unreserved_part(self):
        self.env["stock.quant"]._update_available_quantity(
            self.scarce, self.stock_location, 1
        )
        order = self._order([(self.product_a, 2), (self.scarce, 3)])
        picking = self._delivery(order)
        wizard = self.env["stock.picking.split.wizard"].create(
            {"picking_id": picking.id}
        )
        wizard.action_select_unreserved()
        self.assertEqual(wizard.line_ids.mapped("quantity"), [0, 2])
        wizard.action_select_all()
        self.assertEqual(wizard.line_ids.mapped("quantity"), [2, 3])
        with self.assertRaisesRegex(UserError, "would leave it empty"):
            wizard.action_split()

    def test_splitting_200_lines_costs_at_most_3_queries_per_line(self):
        products = self.env["product.product"].create(
            [
                {"name": f"Bulk Item {i}", "type": "consu", "is_storable": True}
                for i in range(200)
            ]
        )
        for product in products:
            self.env["stock.quant"]._update_available_quantity(
                product, self.stock_location, 20
            )
        order = self._order([(product, 10) for product in products])
        picking = self._delivery(order)
        self.assertEqual((len(picking.move_ids), picking.state), (200, "assigned"))
        # Different quantities per line: the demands cannot be written at once.
        quantities = {
            move.id: 1 + index % 9 for index, move in enumerate(picking.move_ids)
        }
        picking = picking.with_user(self.stock_user)
        self.env.invalidate_all()
        # 200 lines: a budget of 600 queries; partial lines with reservation to
        # hand over are the dearest case. The order's stage reads its after-sales
        # requests once (2 queries) and its previous stage once (1 query).
        with self.assertQueryCount(374):
            new = picking._split_shipment(quantities)
            self.env.flush_all()
        self.assertEqual(len(new.move_ids), 200)
        for move in picking.move_ids:
            new_move = new.move_ids.filtered(
                lambda m, p=move.product_id: m.product_id == p
            )
            self.assertEqual(new_move.product_uom_qty, new_move.quantity)
            self.assertEqual(move.product_uom_qty, move.quantity)
            self.assertEqual(move.product_uom_qty + new_move.product_uom_qty, 10)
        self.assertEqual(sum(new.move_ids.mapped("quantity")), sum(quantities.values()))

    def test_moves_keep_their_sale_line_through_split_and_odoo_backorder(self):
        order = self._order([(self.product_a, 6)])
        picking = self._delivery(order)
        new = picking._split_shipment({picking.move_ids.id: 2})
        self._ship(order, {self.product_a: 1}, picking=picking)
        moves = order.order_line.move_ids
        self.assertEqual(len(moves), 3)
        self.assertEqual(sum(moves.mapped("product_uom_qty")), 6)
        self.assertEqual(order.order_line.qty_delivered, 1)
        self.assertIn(new, order.picking_ids)
        self.assertEqual(
            order.order_line.order_id.shipment_ids.filtered(
                lambda p: p.state not in ("done", "cancel")
            ),
            order.picking_ids.filtered(lambda p: p.state not in ("done", "cancel")),
        )

    def test_split_button_visible_only_on_open_deliveries(self):
        order = self._order([(self.product_a, 2)])
        picking = self._delivery(order)
        self.assertEqual(picking.split_move_count, 1)
        self._ship(order)
        self.assertEqual(picking.split_move_count, 0)
        with self.assertRaisesRegex(UserError, "it is already Done"):
            picking.action_open_split_wizard()

    def test_line_date_is_set_on_the_line_form_and_not_copied(self):
        order = self._create_orders([(self.product_a, 1)])
        with Form(order) as form, form.order_line.edit(0) as line:
            line.commitment_date = datetime(2031, 1, 5, 8, 0)
        self.assertEqual(order.order_line.commitment_date, datetime(2031, 1, 5, 8, 0))
        self.assertFalse(order.copy().order_line.commitment_date)

    def test_split_of_a_whole_package_leaves_both_parts_valid(self):
        package = self.env["stock.quant.package"].create({"name": "Split Crate"})
        self.env["stock.quant"]._update_available_quantity(
            self.scarce, self.stock_location, 10, package_id=package
        )
        order = self._order([(self.scarce, 10)])
        picking = self._delivery(order)
        self.assertEqual(picking.package_level_ids.package_id, package)

        new = picking._split_shipment({picking.move_ids.id: 4})

        self.assertFalse(picking.package_level_ids | new.package_level_ids)
        self.assertFalse((picking | new).move_line_ids.result_package_id)
        self.assertEqual(self._reserved_on_quants(self.scarce), 10)
        self._ship(order, picking=picking)
        self._ship(order, picking=new)
        self.assertEqual(order.order_line.qty_delivered, 10)

    def test_a_package_that_moves_whole_keeps_its_level(self):
        package = self.env["stock.quant.package"].create({"name": "Whole Crate"})
        self.env["stock.quant"]._update_available_quantity(
            self.scarce, self.stock_location, 3, package_id=package
        )
        order = self._order([(self.product_a, 2), (self.scarce, 3)])
        picking = self._delivery(order)
        new = picking._split_shipment({self._move(picking, self.scarce).id: 3})
        self.assertEqual(new.package_level_ids.package_id, package)
        self.assertFalse(picking.package_level_ids)
        self._ship(order, picking=new)
        self.assertEqual(order.order_line.mapped("qty_delivered"), [0, 3])

    def test_split_in_another_unit_keeps_quants_and_lines_equal(self):
        dozen = self.env.ref("uom.product_uom_dozen")
        customers = self.env.ref("stock.stock_location_customers")
        picking = self.env["stock.picking"].create(
            {
                "picking_type_id": self.warehouse.out_type_id.id,
                "partner_id": self.customer.id,
                "location_id": self.stock_location.id,
                "location_dest_id": customers.id,
                "move_ids": [
                    Command.create(
                        {
                            "name": self.scarce.name,
                            "product_id": self.scarce.id,
                            "product_uom": dozen.id,
                            "product_uom_qty": 3,
                            "location_id": self.stock_location.id,
                            "location_dest_id": customers.id,
                        }
                    )
                ],
            }
        )
        picking.action_confirm()
        self.env["stock.quant"]._update_available_quantity(
            self.scarce, self.stock_location, 25
        )
        picking.action_assign()
        move = picking.move_ids
        # Odoo reserves 2.08 dozens (24.96 units: a dozen rounds to 0.01).
        reserved = move.move_line_ids.quantity_product_uom
        self.assertAlmostEqual(reserved, 24.96)

        new = picking._split_shipment({move.id: 2})

        # One dozen stays reserved; the rest goes with the new part.
        self.assertAlmostEqual(move.move_line_ids.quantity_product_uom, 12)
        self.assertAlmostEqual(
            new.move_ids.move_line_ids.quantity_product_uom, reserved - 12
        )
        self.assertAlmostEqual(self._reserved_on_quants(self.scarce), reserved)
        self.assertAlmostEqual(self._reserved_on_lines(self.scarce), reserved)
