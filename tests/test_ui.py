from datetime import datetime

import pytz

from odoo import Command, fields
from odoo.tests import HttpCase, new_test_user, tagged

from .common import (
    create_barcoded_products,
    create_delivery,
    switch_capabilities,
    switch_review_on,
)


@tagged("post_install", "-at_install")
class TestFulfillmentUi(HttpCase):
    def test_sales_list_filters_by_fulfillment_state_and_opens_an_order(self):
        switch_capabilities(self.env.company, on=False)
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
        switch_review_on(cls.env.company)
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


@tagged("post_install", "-at_install")
class TestShipmentUi(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        switch_capabilities(cls.env.company, on=False)
        cls.warehouse_user = new_test_user(
            cls.env,
            login="sf_tour_warehouse",
            groups="stock.group_stock_user,sales_team.group_sale_salesman",
        )
        cls.cup, cls.tray = cls.env["product.product"].create(
            [
                {"name": name, "type": "consu", "is_storable": True}
                for name in ("Tour Split Cup", "Tour Split Tray")
            ]
        )
        stock = cls.env.ref("stock.stock_location_stock")
        for product in (cls.cup, cls.tray):
            cls.env["stock.quant"]._update_available_quantity(product, stock, 100)

    def _orders(self, partner, count, lines):
        orders = self.env["sale.order"].create(
            [
                {
                    "partner_id": partner.id,
                    "user_id": self.warehouse_user.id,
                    "order_line": [
                        Command.create(
                            {"product_id": product.id, "product_uom_qty": qty}
                        )
                        for product, qty in lines
                    ],
                }
                for _i in range(count)
            ]
        )
        orders.action_confirm()
        return orders

    def test_warehouse_user_splits_a_delivery_with_the_wizard(self):
        partner = self.env["res.partner"].create({"name": "Tour Split Customer"})
        order = self._orders(partner, 1, [(self.cup, 10), (self.tray, 3)])
        picking = order.picking_ids
        self.start_tour(
            f"/odoo/action-sale_fulfillment.stock_picking_sale_delivery_action/{picking.id}",
            "sale_fulfillment_split_tour",
            login=self.warehouse_user.login,
        )
        new = order.picking_ids - picking
        self.assertEqual(new.backorder_id, picking)
        self.assertEqual(picking.move_ids.product_id, self.cup)
        self.assertEqual(picking.move_ids.product_uom_qty, 6)
        self.assertEqual(
            sorted(new.move_ids.mapped("product_uom_qty")), [3, 4], "4 cups, 3 trays"
        )

    def test_warehouse_user_merges_two_deliveries_from_the_list(self):
        partner = self.env["res.partner"].create({"name": "Tour Merge Customer"})
        first, second = self._orders(partner, 2, [(self.cup, 1)])
        self.start_tour(
            "/odoo/action-sale_fulfillment.stock_picking_sale_delivery_action",
            "sale_fulfillment_merge_tour",
            login=self.warehouse_user.login,
        )
        emptied = self.env["stock.picking"].search(
            [("origin", "=", second.name), ("state", "=", "cancel")]
        )
        self.assertEqual(len(emptied), 1)
        self.assertFalse(emptied.move_ids)
        self.assertEqual(first.shipment_ids, second.shipment_ids)
        self.assertEqual(len(first.picking_ids.move_ids), 2)


@tagged("post_install", "-at_install")
class TestAftersalesUi(HttpCase):
    def test_clerk_returns_goods_receives_them_and_sees_the_credit_note(self):
        switch_capabilities(self.env.company, on=False)
        clerk = new_test_user(
            self.env,
            login="sf_tour_aftersales",
            groups="sale_fulfillment.group_aftersales_user,stock.group_stock_user,"
            "account.group_account_invoice",
        )
        vase = self.env["product.product"].create(
            {
                "name": "Tour Return Vase",
                "type": "consu",
                "is_storable": True,
                "list_price": 80.0,
                "invoice_policy": "order",
            }
        )
        self.env["stock.quant"]._update_available_quantity(
            vase, self.env.ref("stock.stock_location_stock"), 10
        )
        partner = self.env["res.partner"].create({"name": "Tour Return Customer"})
        order = self.env["sale.order"].create(
            {
                "partner_id": partner.id,
                "order_line": [
                    Command.create({"product_id": vase.id, "product_uom_qty": 3})
                ],
            }
        )
        order.action_confirm()
        order.picking_ids.move_ids.quantity = 3
        order.picking_ids.move_ids.picked = True
        order.picking_ids.button_validate()
        order._create_invoices().action_post()
        self.start_tour(
            f"/odoo/action-sale.action_orders/{order.id}",
            "sale_fulfillment_rma_tour",
            login=clerk.login,
        )
        rma = order.rma_ids
        self.assertEqual(rma.rma_type, "return_refund")
        self.assertEqual(rma.state, "received")
        self.assertEqual(rma.description, "The glaze is cracked")
        self.assertEqual(order.order_line.qty_delivered, 1)
        self.assertEqual(rma.refund_move_ids.invoice_line_ids.quantity, 2)


@tagged("post_install", "-at_install")
class TestSchedulingUi(HttpCase):
    def test_planner_schedules_opens_the_weekly_plan_and_prints_the_day(self):
        switch_capabilities(self.env.company, on=False)
        planner = new_test_user(
            self.env,
            login="sf_tour_planner",
            groups="mrp.group_mrp_user,mrp.group_mrp_routings,stock.group_stock_user",
        )
        calendar = self.env["resource.calendar"].create({"name": "Tour bench hours"})
        workcenter = self.env["mrp.workcenter"].create(
            {"name": "Tour Bench Assembly", "resource_calendar_id": calendar.id}
        )
        self.env.ref("stock.route_warehouse0_mto").action_unarchive()
        product = self.env["product.product"].create(
            {
                "name": "Tour Bench",
                "type": "consu",
                "is_storable": True,
                "route_ids": [
                    Command.set(
                        [
                            self.env.ref("stock.route_warehouse0_mto").id,
                            self.env.ref("mrp.route_warehouse0_manufacture").id,
                        ]
                    )
                ],
            }
        )
        wood = self.env["product.product"].create({"name": "Tour Bench Wood"})
        self.env["mrp.bom"].create(
            {
                "product_tmpl_id": product.product_tmpl_id.id,
                "bom_line_ids": [Command.create({"product_id": wood.id})],
                "operation_ids": [
                    Command.create(
                        {
                            "name": "Assemble",
                            "workcenter_id": workcenter.id,
                            "time_mode": "manual",
                            "time_cycle_manual": 90,
                        }
                    )
                ],
            }
        )
        partner = self.env["res.partner"].create({"name": "Tour Bench Customer"})
        order = self.env["sale.order"].create(
            {
                "partner_id": partner.id,
                "order_line": [
                    Command.create({"product_id": product.id, "product_uom_qty": 2})
                ],
            }
        )
        order.action_confirm()
        production = order._get_fulfillment_productions()
        self.assertEqual(len(production), 1, order.state)
        self.assertFalse(production.is_planned)
        self.start_tour(
            "/odoo/action-mrp.mrp_production_action",
            "sale_fulfillment_schedule_tour",
            login=planner.login,
        )
        self.assertTrue(production.is_planned)
        self.assertEqual(production.workorder_ids.workcenter_id, workcenter)
        self.assertTrue(production.workorder_ids.leave_id)


@tagged("post_install", "-at_install")
class TestPackStationUi(HttpCase):
    def test_packer_verifies_hits_a_wrong_item_weighs_and_validates(self):
        packer = new_test_user(
            self.env, login="sf_tour_packer", groups="stock.group_stock_user"
        )
        warehouse = self.env["stock.warehouse"].search(
            [("company_id", "=", self.env.company.id)], limit=1
        )
        switch_capabilities(self.env.company, "stock_pack_check_enabled")
        warehouse.out_type_id.write(
            {"pack_verify_required": True, "pack_weigh_required": True}
        )
        cup, tray, _vase = create_barcoded_products(
            self.env,
            [
                ("Tour Pack Cup", "TOUR-CUP", 0.5),
                ("Tour Pack Tray", "TOUR-TRAY", 1.0),
                ("Tour Pack Vase", "TOUR-VASE", 2.0),
            ],
            stock=10,
        )
        box = self.env["stock.package.type"].create(
            {"name": "Tour Carton", "barcode": "TOUR-BOX", "base_weight": 0.2}
        )
        customer, other_customer = self.env["res.partner"].create(
            [{"name": "Tour Pack Customer"}, {"name": "Tour Pack Next Customer"}]
        )
        first = create_delivery(self.env, [(cup, 2), (tray, 1)], partner=customer)
        second = create_delivery(self.env, [(tray, 1)], partner=other_customer)

        self.start_tour(
            "/odoo/action-sale_fulfillment.pack_station_action",
            "sale_fulfillment_pack_tour",
            login=packer.login,
        )
        self.assertEqual(first.state, "done")
        self.assertEqual(first.verify_state, "verified")
        self.assertEqual(first.verified_by_id, packer)
        self.assertAlmostEqual(first.measured_weight, 2.25)
        package = first.move_line_ids.result_package_id
        self.assertEqual(package.package_type_id, box)
        self.assertAlmostEqual(package.shipping_weight, 2.25)
        self.assertEqual(
            first.pack_scan_ids.sorted("id").mapped("event"),
            ["count", "count", "count", "package_type", "weight", "pack", "validate"],
        )
        self.assertEqual(second.state, "assigned")

    def test_manager_packs_starts_over_and_validates_anyway_with_a_backorder(self):
        manager = new_test_user(
            self.env, login="sf_tour_pack_manager", groups="stock.group_stock_manager"
        )
        out_type = (
            self.env["stock.warehouse"]
            .search([("company_id", "=", self.env.company.id)], limit=1)
            .out_type_id
        )
        switch_capabilities(self.env.company, "stock_pack_check_enabled")
        out_type.write({"pack_verify_required": True, "create_backorder": "ask"})
        cup, tray = create_barcoded_products(
            self.env,
            [
                ("Tour Override Cup", "TOUR-OV-CUP", 0.5),
                ("Tour Override Tray", "TOUR-OV-TRAY", 1.0),
            ],
            stock=10,
        )
        customer = self.env["res.partner"].create({"name": "Tour Override Customer"})
        picking = create_delivery(self.env, [(cup, 2), (tray, 1)], partner=customer)

        self.start_tour(
            "/odoo/action-sale_fulfillment.pack_station_action",
            "sale_fulfillment_pack_override_tour",
            login=manager.login,
        )
        self.assertEqual(picking.state, "done")
        # The cup scanned ships, in the parcel packed before starting over.
        self.assertEqual(
            [(move.product_id, move.quantity) for move in picking.move_ids], [(cup, 1)]
        )
        self.assertEqual(len(picking.move_line_ids.result_package_id), 1)
        self.assertEqual(picking.pack_override_by_id, manager)
        self.assertEqual(
            picking.pack_override_reason,
            "The customer takes the cup now, the rest next week",
        )
        self.assertEqual(
            {(m.product_id, m.product_uom_qty) for m in picking.backorder_ids.move_ids},
            {(cup, 1), (tray, 1)},
        )
        self.assertEqual(
            picking.pack_scan_ids.sorted("id").mapped("event"),
            ["count", "pack", "reset", "count", "override", "validate"],
        )


@tagged("post_install", "-at_install")
class TestDigestUi(HttpCase):
    def test_manager_reads_the_backlog_and_the_analysis_and_sends_a_digest(self):
        switch_capabilities(self.env.company, on=False)
        self.env["res.lang"]._activate_lang("en_US")
        manager = new_test_user(
            self.env,
            login="sf_tour_digest_manager",
            groups="sales_team.group_sale_manager,stock.group_stock_user",
            lang="en_US",
        )
        self.env.company.sale_sla_to_ship_hours = 24
        product = self.env["product.product"].create(
            {"name": "Tour Digest Teapot", "type": "consu", "is_storable": True}
        )
        order = self.env["sale.order"].create(
            {
                "partner_id": self.env["res.partner"]
                .create({"name": "Tour Backlog Customer"})
                .id,
                "order_line": [
                    Command.create({"product_id": product.id, "product_uom_qty": 1})
                ],
            }
        )
        order.action_confirm()
        self.assertEqual(order.fulfillment_state, "to_ship")
        # Waiting to ship for three days: past the 24 hours of the service level.
        order.fulfillment_state_date = fields.Datetime.subtract(
            fields.Datetime.now(), days=3
        )
        digest = self.env["sale.fulfillment.digest"].create(
            {
                "name": "Tour Digest",
                "user_ids": [Command.link(manager.id)],
                "attach_pdf": False,
            }
        )
        self.start_tour(
            "/odoo/action-sale_fulfillment.sale_order_backlog_action",
            "sale_fulfillment_digest_tour",
            login=manager.login,
        )
        self.assertTrue(digest.last_sent_on)


@tagged("post_install", "-at_install")
class TestNumberingUi(HttpCase):
    def test_sales_administrator_numbers_the_orders_of_a_channel(self):
        switch_capabilities(self.env.company, "sale_numbering_enabled")
        self.env["sale.order.numbering"].search([]).action_archive()
        channel = self.env["utm.medium"].create({"name": "Tour Channel"})
        customer = self.env["res.partner"].create({"name": "Tour Numbering Customer"})
        admin = new_test_user(
            self.env,
            login="sf_tour_sale_admin",
            groups="sales_team.group_sale_manager",
            tz="Asia/Shanghai",
        )
        self.start_tour(
            "/odoo/sales", "sale_fulfillment_numbering_tour", login=admin.login
        )
        scheme = self.env["sale.order.numbering"].search(
            [("name", "=", "Tour Phone Orders")]
        )
        self.assertEqual(scheme.numbering_type, "dated")
        self.assertEqual(scheme.medium_id, channel)
        order = self.env["sale.order"].search([("partner_id", "=", customer.id)])
        day = datetime.now(pytz.timezone("Asia/Shanghai")).strftime("%Y%m%d")
        self.assertEqual(order.name, f"TOUR-{day}-001")
        self.assertEqual(order.numbering_id, scheme)
        self.assertEqual(order.medium_id, channel)


@tagged("post_install", "-at_install")
class TestAllocationUi(HttpCase):
    def test_sales_administrator_sets_a_rule_simulates_and_confirms(self):
        switch_capabilities(self.env.company, on=False)
        switch_capabilities(self.env.company, "sale_allocation_enabled")
        self.env["sale.allocation.rule"].search([]).action_archive()
        north = self.env["stock.warehouse"].create(
            {"name": "Tour North Warehouse", "code": "TNW"}
        )
        product = self.env["product.product"].create(
            {"name": "Tour Kettle", "type": "consu", "is_storable": True}
        )
        self.env["stock.quant"]._update_available_quantity(
            product, north.lot_stock_id, 5
        )
        admin = new_test_user(
            self.env,
            login="sf_tour_allocation_admin",
            groups="sales_team.group_sale_manager,stock.group_stock_multi_warehouses",
        )
        customer = self.env["res.partner"].create({"name": "Tour Allocation Customer"})
        orders = self.env["sale.order"].create(
            [
                {
                    "partner_id": customer.id,
                    "user_id": admin.id,
                    "client_order_ref": ref,
                    "order_line": [
                        Command.create({"product_id": product.id, "product_uom_qty": 2})
                    ],
                }
                for ref in ("TOUR-A", "TOUR-B")
            ]
        )
        self.start_tour(
            "/odoo/sales", "sale_fulfillment_allocation_tour", login=admin.login
        )
        rule = self.env["sale.allocation.rule"].search(
            [("name", "=", "Tour North First")]
        )
        self.assertEqual(rule.rule_type, "warehouse")
        self.assertEqual(rule._get_warehouses(), north)
        confirmed = orders.filtered(lambda order: order.state == "sale")
        self.assertEqual(len(confirmed), 1)
        self.assertEqual(confirmed.warehouse_id, north)
        self.assertEqual(confirmed.picking_ids.picking_type_id.warehouse_id, north)
        # The simulation wrote nothing on the other quotation.
        self.assertFalse((orders - confirmed).allocated_on)
        self.assertNotEqual((orders - confirmed).warehouse_id, north)


@tagged("post_install", "-at_install")
class TestOrderImportUi(HttpCase):
    def test_salesperson_checks_and_imports_a_marketplace_export(self):
        switch_capabilities(self.env.company, on=False)
        user = new_test_user(
            self.env,
            login="sf_tour_importer",
            groups="sales_team.group_sale_salesman",
        )
        channel = self.env["utm.medium"].create({"name": "Tour Mall"})
        self.env["product.product"].create(
            {"name": "Tour Cup", "type": "consu", "default_code": "TOUR-CUP"}
        )
        self.env["sale.order.import.template"].create(
            {
                "name": "Tour Mall export",
                "medium_id": channel.id,
                "column_ids": [
                    Command.create({"target": target, "header": header})
                    for target, header in (
                        ("channel_order_ref", "Order ID"),
                        ("partner_name", "Recipient"),
                        ("phone", "Phone"),
                        ("state", "Province"),
                        ("city", "City"),
                        ("street", "Address"),
                        ("sku", "SKU"),
                        ("quantity", "Quantity"),
                        ("price_unit", "Unit Price"),
                    )
                ],
            }
        )
        self.start_tour(
            "/odoo/action-sale.action_orders",
            "sale_fulfillment_order_import_tour",
            login=user.login,
        )
        order = self.env["sale.order"].search(
            [("medium_id", "=", channel.id), ("channel_order_ref", "=", "TOUR-1001")]
        )
        self.assertEqual(order.state, "sale")
        self.assertEqual(order.partner_id.name, "王小明")
        self.assertFalse(
            self.env["sale.order"].search([("channel_order_ref", "=", "TOUR-1002")])
        )
