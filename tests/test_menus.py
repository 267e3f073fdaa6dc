from odoo.tests import new_test_user, tagged
from odoo.tools.safe_eval import safe_eval

from .common import FulfillmentCase


@tagged("post_install", "-at_install")
class TestFulfillmentMenus(FulfillmentCase):
    def _records(self, xmlid, user):
        """Search the records an action's domain shows to ``user``."""
        action = self.env["ir.actions.act_window"]._for_xml_id(xmlid)
        model = self.env[action["res_model"]].with_user(user)
        model.get_views([(False, mode) for mode in action["view_mode"].split(",")])
        return model.search(safe_eval(action["domain"] or "[]"))

    def _is_reachable(self, xmlid, user):
        """Whether ``user`` sees the menu and every menu above it."""
        visible = self.env["ir.ui.menu"].with_user(user)._visible_menu_ids()
        menu = self.env.ref(xmlid)
        path = [int(menu_id) for menu_id in menu.parent_path.split("/") if menu_id]
        return all(menu_id in visible for menu_id in path)

    def test_fulfillment_overview_shows_orders_but_not_cancelled_ones(self):
        to_ship, cancelled = self._create_orders([(self.product_a, 1)], count=2)
        self._confirm(to_ship | cancelled)
        cancelled._action_cancel()
        found = self._records(
            "sale_fulfillment.sale_order_fulfillment_action", self.salesman
        )
        self.assertIn(to_ship, found)
        self.assertNotIn(cancelled, found)

    def test_sales_deliveries_show_deliveries_of_sales_orders_only(self):
        order = self._create_orders([(self.product_a, 1)])
        self._confirm(order)
        receipt = self.env["stock.picking"].create(
            {
                "picking_type_id": self.warehouse.in_type_id.id,
                "partner_id": self.customer.id,
            }
        )
        found = self._records(
            "sale_fulfillment.stock_picking_sale_delivery_action", self.stock_user
        )
        self.assertIn(order.picking_ids, found)
        self.assertNotIn(receipt, found)

    def test_make_to_order_production_shows_productions_of_sales_orders_only(self):
        order = self._create_orders([(self.mto_product, 2)])
        self._confirm(order)
        for_order = order._get_fulfillment_productions()
        self.assertTrue(for_order)
        for_stock = self.env["mrp.production"].create(
            {"product_id": self.mto_product.id, "product_qty": 5}
        )
        found = self._records(
            "sale_fulfillment.mrp_production_mto_action", self.mrp_user
        )
        self.assertIn(for_order, found)
        self.assertNotIn(for_stock, found)

    def test_each_team_sees_its_fulfillment_menu(self):
        for user, xmlid in (
            (self.salesman, "sale_fulfillment.sale_order_fulfillment_menu"),
            (self.stock_user, "sale_fulfillment.stock_picking_sale_delivery_menu"),
            (self.stock_user, "sale_fulfillment.stock_picking_wave_wizard_menu"),
            (self.stock_user, "sale_fulfillment.pack_station_menu"),
            (self.stock_user, "sale_fulfillment.stock_pack_scan_menu"),
            (self.mrp_user, "sale_fulfillment.mrp_production_mto_menu"),
            (self.mrp_user, "sale_fulfillment.mrp_schedule_wizard_menu"),
            (self.mrp_user, "sale_fulfillment.mrp_workcenter_load_menu"),
            (self.mrp_user, "sale_fulfillment.mrp_workorder_plan_menu"),
        ):
            self.assertTrue(self._is_reachable(xmlid, user), f"{user.login}: {xmlid}")
        self.assertFalse(
            self._is_reachable(
                "sale_fulfillment.mrp_production_mto_menu", self.salesman
            )
        )
        self.assertFalse(
            self._is_reachable(
                "sale_fulfillment.stock_picking_wave_wizard_menu", self.salesman
            )
        )
        self.assertFalse(
            self._is_reachable(
                "sale_fulfillment.mrp_schedule_wizard_menu", self.stock_user
            )
        )
        self.assertFalse(
            self._is_reachable("sale_fulfillment.pack_station_menu", self.salesman)
        )

    def test_build_waves_menu_opens_the_wizard_on_every_ready_delivery(self):
        order = self._create_orders([(self.product_a, 1)])
        self._confirm(order)
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "sale_fulfillment.stock_picking_wave_wizard_action"
        )
        wizard = self.env[action["res_model"]].with_user(self.stock_user).create({})
        self.assertIn(order.picking_ids, wizard.ready_picking_ids)

    def test_aftersales_menus_reach_clerks_and_reasons_reach_managers(self):
        clerk = new_test_user(
            self.env,
            login="sf_menu_clerk",
            groups="sale_fulfillment.group_aftersales_user",
        )
        manager = new_test_user(
            self.env,
            login="sf_menu_as_manager",
            groups="sale_fulfillment.group_aftersales_manager",
        )
        for xmlid in (
            "sale_fulfillment.sale_rma_menu",
            "sale_fulfillment.sale_rma_analysis_menu",
        ):
            self.assertTrue(self._is_reachable(xmlid, clerk), xmlid)
        reasons = "sale_fulfillment.sale_rma_reason_menu"
        self.assertFalse(self._is_reachable(reasons, clerk))
        self.assertTrue(self._is_reachable(reasons, manager))
        self.assertTrue(
            self._records("sale_fulfillment.sale_rma_reason_action", manager)
        )
