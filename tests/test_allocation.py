from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from odoo import Command
from odoo.exceptions import UserError, ValidationError
from odoo.tests import Form, new_test_user, tagged
from odoo.tools import format_amount

from .common import (
    AllocationCase,
    load_chinese,
    read_as,
    switch_capabilities,
    switch_review_on,
)


@tagged("post_install", "-at_install")
class TestWarehouseAllocation(AllocationCase):
    """The first preferred warehouse with the stock of the whole order ships it;
    split by line, each line ships from the first warehouse covering it,
    through Odoo's own procurement."""

    def test_first_warehouse_with_stock_ships_the_whole_order(self):
        self._stock(self.beijing_warehouse, self.cup, 10)
        self._stock(self.beijing_warehouse, self.pot, 10)
        self._stock(self.hangzhou_warehouse, self.cup, 10)
        self._warehouse_rule(self.beijing_warehouse | self.hangzhou_warehouse)
        order = self._order([(self.cup, 2), (self.pot, 1)])
        self._confirm(order)
        self.assertEqual(order.warehouse_id, self.beijing_warehouse)
        self.assertEqual(
            self._delivery_warehouses(order),
            {self.beijing_warehouse: {self.cup: 2, self.pot: 1}},
        )
        self.assertTrue(order.allocated_on)

    def test_falls_back_to_the_next_warehouse_with_stock(self):
        self._stock(self.beijing_warehouse, self.cup, 1)
        self._stock(self.hangzhou_warehouse, self.cup, 5)
        self._warehouse_rule(self.beijing_warehouse | self.hangzhou_warehouse)
        order = self._order([(self.cup, 2)])
        self._confirm(order)
        self.assertEqual(order.warehouse_id, self.hangzhou_warehouse)
        self.assertEqual(
            self._delivery_warehouses(order), {self.hangzhou_warehouse: {self.cup: 2}}
        )

    def test_split_by_line_ships_each_line_once_from_its_warehouse(self):
        self._stock(self.beijing_warehouse, self.cup, 5)
        self._stock(self.hangzhou_warehouse, self.pot, 5)
        self._warehouse_rule(
            self.beijing_warehouse | self.hangzhou_warehouse, split_policy="by_line"
        )
        order = self._order([(self.cup, 2), (self.pot, 3)])
        self._confirm(order)
        self.assertEqual(order.warehouse_id, self.beijing_warehouse)
        self.assertEqual(
            self._delivery_warehouses(order),
            {
                self.beijing_warehouse: {self.cup: 2},
                self.hangzhou_warehouse: {self.pot: 3},
            },
        )
        for picking in order.picking_ids:
            self._ship(order, picking=picking)
        for line in order.order_line:
            self.assertEqual(line.qty_delivered, line.product_uom_qty)

    @settings(
        max_examples=15,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(
        stock=st.lists(st.integers(0, 6), min_size=6, max_size=6),
        quantities=st.lists(st.integers(0, 5), min_size=3, max_size=3),
        policy=st.sampled_from(["never", "by_line"]),
    )
    def test_quantities_are_conserved_over_random_layouts(
        self, stock, quantities, policy
    ):
        with self.env.cr.savepoint(flush=False) as savepoint:
            try:
                self._check_conservation(stock, quantities, policy)
                self.env.flush_all()
            finally:
                savepoint.rollback()
                self.env.invalidate_all(flush=False)

    def _check_conservation(self, stock, quantities, policy):
        products = self.cup | self.pot | self.tray
        warehouses = self.beijing_warehouse | self.hangzhou_warehouse
        for index, qty in enumerate(stock):
            if qty:
                self._stock(warehouses[index // 3], products[index % 3], qty)
        self._warehouse_rule(warehouses, split_policy=policy)
        lines = [(p, q) for p, q in zip(products, quantities, strict=True) if q]
        if not lines:
            return
        order = self._order(lines)
        self._confirm(order)
        # Then everything arrives where it is awaited, and leaves.
        for warehouse in warehouses:
            for product in products:
                self._stock(warehouse, product, 10)
        for picking in order.picking_ids.filtered(lambda p: p.state != "done"):
            picking.action_assign()
            self._ship(order, picking=picking)
        for line in order.order_line.filtered(lambda line: not line.is_delivery):
            self.assertEqual(line.qty_delivered, line.product_uom_qty)

    def test_never_split_the_first_warehouse_ships_everything_and_waits(self):
        self._stock(self.beijing_warehouse, self.cup, 5)
        self._stock(self.hangzhou_warehouse, self.pot, 5)
        self._warehouse_rule(self.beijing_warehouse | self.hangzhou_warehouse)
        order = self._order([(self.cup, 2), (self.pot, 3)])
        self._confirm(order)
        self.assertEqual(order.warehouse_id, self.beijing_warehouse)
        self.assertEqual(
            self._delivery_warehouses(order),
            {self.beijing_warehouse: {self.cup: 2, self.pot: 3}},
        )

    def test_orders_of_one_batch_draw_on_the_same_stock(self):
        self._stock(self.beijing_warehouse, self.cup, 3)
        self._stock(self.hangzhou_warehouse, self.cup, 3)
        self._warehouse_rule(self.beijing_warehouse | self.hangzhou_warehouse)
        first = self._order([(self.cup, 2)])
        second = self._order([(self.cup, 2)])
        self._confirm(first | second)
        self.assertEqual(first.warehouse_id, self.beijing_warehouse)
        self.assertEqual(second.warehouse_id, self.hangzhou_warehouse)

    def test_made_to_order_and_service_lines_follow_the_order(self):
        self._stock(self.beijing_warehouse, self.tray, 5)
        self._stock(self.hangzhou_warehouse, self.cup, 5)
        self._warehouse_rule(
            self.beijing_warehouse | self.hangzhou_warehouse, split_policy="by_line"
        )
        order = self._order(
            [(self.tray, 1), (self.cup, 1), (self.mto_product, 1), (self.service, 1)]
        )
        self._confirm(order)
        self.assertEqual(order.warehouse_id, self.beijing_warehouse)
        mto_line, service_line = order.order_line[2:]
        self.assertEqual(mto_line.warehouse_id, self.beijing_warehouse)
        self.assertEqual(service_line.warehouse_id, self.beijing_warehouse)
        self.assertEqual(
            self._delivery_warehouses(order),
            {
                self.beijing_warehouse: {self.tray: 1, self.mto_product: 1},
                self.hangzhou_warehouse: {self.cup: 1},
            },
        )

    def test_destination_and_condition_choose_the_rule(self):
        self._stock(self.beijing_warehouse, self.cup, 5)
        self._stock(self.hangzhou_warehouse, self.cup, 5)
        self._warehouse_rule(
            self.hangzhou_warehouse,
            name="Zhejiang large orders",
            sequence=1,
            state_ids=[Command.set(self.zhejiang.ids)],
            zip_prefixes="310, 311",
            filter_domain="[('amount_untaxed', '>', 25)]",
        )
        self._warehouse_rule(self.beijing_warehouse, sequence=2)
        large, small = self._order([(self.cup, 3)]), self._order([(self.cup, 1)])
        self._confirm(large | small)
        self.assertEqual(large.warehouse_id, self.hangzhou_warehouse)
        self.assertEqual(small.warehouse_id, self.beijing_warehouse)

    def test_form_edited_order_is_allocated_when_confirmed(self):
        self._stock(self.beijing_warehouse, self.cup, 5)
        self._warehouse_rule(self.beijing_warehouse | self.hangzhou_warehouse)
        form = Form(self.env["sale.order"].with_user(self.salesman))
        form.partner_id = self.customer
        with form.order_line.new() as line:
            line.product_id = self.cup
            line.product_uom_qty = 2
        order = form.save()
        order.action_confirm()
        self.assertEqual(order.warehouse_id, self.beijing_warehouse)
        self.assertEqual(
            self._delivery_warehouses(order), {self.beijing_warehouse: {self.cup: 2}}
        )

    def test_order_no_rule_applies_to_is_not_marked_allocated(self):
        self._stock(self.beijing_warehouse, self.cup, 5)
        self._warehouse_rule(
            self.beijing_warehouse, state_ids=[Command.set(self.beijing.ids)]
        )
        order = self._order([(self.cup, 2)])
        self._confirm(order)
        self.assertEqual(order.warehouse_id, self.hangzhou_warehouse)
        self.assertFalse(order.allocated_on)
        self.assertFalse(order.allocation_note)
        result = order.with_user(self.salesman).action_allocate()
        self.assertEqual(result["params"]["type"], "warning")
        self.assertEqual(
            result["params"]["message"],
            f"No allocation rule applies to {order.name}: left as they were.",
        )
        self.assertFalse(order.allocated_on)

    def test_setting_off_confirmation_changes_nothing(self):
        switch_capabilities(self.company, "sale_allocation_enabled", on=False)
        self._stock(self.beijing_warehouse, self.cup, 5)
        self._warehouse_rule(self.beijing_warehouse)
        order = self._order([(self.cup, 2)])
        self._confirm(order)
        self.assertEqual(order.warehouse_id, self.hangzhou_warehouse)
        self.assertFalse(order.allocated_on)
        self.assertFalse(order.allocation_note)


@tagged("post_install", "-at_install")
class TestCarrierAndTeamAllocation(AllocationCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.fee = cls.env["product.product"].create(
            {"name": "Allocation Express Fee", "type": "service", "taxes_id": []}
        )
        cls.sf, cls.zto = cls.env["delivery.carrier"].create(
            [
                {
                    "name": name,
                    "delivery_type": "zone_weight",
                    "product_id": cls.fee.id,
                    "zone_ids": [
                        Command.create(
                            {
                                "country_ids": [Command.set(cls.china.ids)],
                                "state_ids": [Command.set(states.ids)],
                                "first_weight": 1.0,
                                "first_price": first,
                                "additional_weight": 1.0,
                                "additional_price": additional,
                            }
                        )
                    ],
                }
                for name, states, first, additional in (
                    ("SF Express", cls.zhejiang | cls.beijing, 12.0, 2.0),
                    ("ZTO Express", cls.zhejiang, 8.0, 3.0),
                )
            ]
        )
        cls.carrier_rule = (
            cls.env["sale.allocation.rule"]
            .with_user(cls.manager)
            .create(
                {
                    "name": "Cheapest express",
                    "rule_type": "carrier",
                    "carrier_ids": [Command.set((cls.sf | cls.zto).ids)],
                }
            )
        )
        cls.peking = cls.env["res.partner"].create(
            {
                "name": "Peking Tea House",
                "country_id": cls.china.id,
                "state_id": cls.beijing.id,
            }
        )

    def test_cheapest_available_carrier_takes_the_order(self):
        order = self._order([(self.pot, 2)])
        self._confirm(order)
        self.assertEqual(order.carrier_id, self.zto)
        delivery_line = order.order_line.filtered("is_delivery")
        self.assertEqual(delivery_line.price_unit, 11.0)
        self.assertEqual(order.picking_ids.carrier_id, self.zto)

    def _split_carriers(self):
        """A split order's two deliveries: the Beijing one light (a cup), the
        Hangzhou one heavy (4 pots), and a freight carrier that is dearer
        than ZTO for light parcels and cheaper for heavy ones."""
        freight = self.env["delivery.carrier"].create(
            {
                "name": "Heavy Freight",
                "delivery_type": "zone_weight",
                "product_id": self.fee.id,
                "zone_ids": [
                    Command.create(
                        {
                            "country_ids": [Command.set(self.china.ids)],
                            "first_weight": 1.0,
                            "first_price": 10.0,
                            "additional_weight": 1.0,
                            "additional_price": 0.5,
                        }
                    )
                ],
            }
        )
        self._stock(self.beijing_warehouse, self.cup, 5)
        self._stock(self.hangzhou_warehouse, self.pot, 5)
        # Odoo batches the deliveries of a warehouse created after it by
        # contact: they could not be re-allocated.
        self.beijing_warehouse.out_type_id.auto_batch = False
        self._warehouse_rule(
            self.beijing_warehouse | self.hangzhou_warehouse, split_policy="by_line"
        )
        self.env["sale.allocation.rule"].with_user(self.manager).create(
            {
                "name": "Light or heavy",
                "sequence": 1,
                "rule_type": "carrier",
                "carrier_ids": [Command.set((self.zto | freight).ids)],
            }
        )
        return freight

    def test_split_order_gets_the_cheapest_carrier_per_delivery(self):
        freight = self._split_carriers()
        order = self._order([(self.pot, 4), (self.cup, 1)])
        self._confirm(order)
        # The whole order (4.3 kg): freight 10 + 4 x 0.5 = 12, ZTO 8 + 4 x 3 = 20.
        self.assertEqual(order.carrier_id, freight)
        self.assertEqual(order.order_line.filtered("is_delivery").price_unit, 12.0)
        deliveries = {
            picking.picking_type_id.warehouse_id: picking
            for picking in order.picking_ids
        }
        self.assertEqual(len(deliveries), 2)
        # The cup alone (0.3 kg): ZTO 8, freight 10; the pots (4 kg): freight
        # 11.5, ZTO 17.
        self.assertEqual(deliveries[self.beijing_warehouse].carrier_id, self.zto)
        self.assertEqual(deliveries[self.hangzhou_warehouse].carrier_id, freight)
        note = order.with_context(lang="en_US").allocation_note
        amount = lambda value: format_amount(  # noqa: E731
            self.env(context={"lang": "en_US"}), value, order.currency_id
        )
        self.assertIn(
            f"One carrier per delivery (rule Light or heavy): "
            f"{deliveries[self.beijing_warehouse].name} from Test Beijing Warehouse "
            f"by ZTO Express, {amount(8.0)}, 0.30 kg and "
            f"{deliveries[self.hangzhou_warehouse].name} from "
            f"{self.hangzhou_warehouse.name} by Heavy Freight, {amount(11.5)}, "
            f"4.00 kg",
            note,
        )
        # Shipping each delivery charges its own carrier's price.
        self._ship(order)
        self.assertEqual(sorted(order.picking_ids.mapped("carrier_price")), [8.0, 11.5])

    def test_reallocated_split_order_gets_carriers_per_delivery_again(self):
        freight = self._split_carriers()
        order = self._order([(self.pot, 4), (self.cup, 1)])
        self._confirm(order)
        order.with_user(self.salesman).action_allocate()
        open_deliveries = order.picking_ids.filtered(lambda p: p.state != "cancel")
        self.assertEqual(
            {
                picking.picking_type_id.warehouse_id: picking.carrier_id
                for picking in open_deliveries
            },
            {self.beijing_warehouse: self.zto, self.hangzhou_warehouse: freight},
        )

    def test_whole_order_keeps_one_carrier_for_its_delivery(self):
        freight = self._split_carriers()
        self._stock(self.beijing_warehouse, self.pot, 5)
        order = self._order([(self.pot, 4), (self.cup, 1)])
        self._confirm(order)
        self.assertEqual(order.picking_ids.carrier_id, freight)
        self.assertNotIn(
            "One carrier per delivery",
            order.with_context(lang="en_US").allocation_note,
        )

    def test_carrier_not_available_for_the_destination_leaves_it_to_the_next(self):
        order = self._order([(self.pot, 2)], partner=self.peking)
        self._confirm(order)
        self.assertEqual(order.carrier_id, self.sf)
        self.assertEqual(order.order_line.filtered("is_delivery").price_unit, 14.0)

    def test_team_rule_gives_orders_without_salesperson_in_turn(self):
        users = [
            new_test_user(
                self.env,
                login=f"sf_alloc_seller_{i}",
                groups="sales_team.group_sale_salesman",
            )
            for i in range(2)
        ]
        team = self.env["crm.team"].create({"name": "Online Shop Team"})
        self.env["sale.allocation.rule"].with_user(self.manager).create(
            {
                "name": "Online orders",
                "rule_type": "team",
                "team_id": team.id,
                "user_ids": [Command.set([user.id for user in users])],
            }
        )
        orders = self._order([(self.cup, 1)], user_id=False)
        orders |= self._order([(self.cup, 1)], user_id=False)
        orders |= self._order([(self.cup, 1)], user_id=False)
        assigned = self._order([(self.cup, 1)])
        self._confirm(orders | assigned)
        self.assertEqual(orders.mapped("user_id"), users[0] | users[1])
        self.assertEqual(
            [order.user_id for order in orders], [users[0], users[1], users[0]]
        )
        self.assertEqual(set(orders.mapped("team_id")), {team})
        self.assertEqual(assigned.user_id, self.salesman)
        self.assertNotEqual(assigned.team_id, team)

    def test_allocation_note_says_why_in_english(self):
        self._stock(self.beijing_warehouse, self.pot, 5)
        self._stock(self.beijing_warehouse, self.cup, 5)
        self._warehouse_rule(self.beijing_warehouse | self.hangzhou_warehouse)
        order = self._order([(self.pot, 2), (self.cup, 1)])
        self._confirm(order)
        price = format_amount(
            self.env(context={"lang": "en_US"}), 14.0, order.currency_id
        )
        self.assertEqual(
            order.with_context(lang="en_US").allocation_note,
            f"Test Beijing Warehouse: first with stock for all 2 lines (rule Nearest "
            f"with stock); ZTO Express: {price}, cheapest of 2 for "
            f"{self.zhejiang.name}, 2.30 kg (rule Cheapest express)",
        )

    def _chinese_reader(self):
        """A salesperson who reads 简体中文, with the addon's terms loaded."""
        load_chinese(self.env)
        return new_test_user(
            self.env,
            login="sf_alloc_reader_zh",
            groups="sales_team.group_sale_salesman_all_leads",
            lang="zh_CN",
        )

    def test_allocation_note_is_read_in_chinese(self):
        reader = self._chinese_reader()
        self._stock(self.beijing_warehouse, self.pot, 5)
        self._stock(self.beijing_warehouse, self.cup, 5)
        self._warehouse_rule(self.beijing_warehouse | self.hangzhou_warehouse)
        order = self._order([(self.pot, 2), (self.cup, 1)])
        self._confirm(order)
        price = format_amount(
            self.env(context={"lang": "zh_CN"}), 14.0, order.currency_id
        )
        self.assertEqual(
            read_as(reader, order).allocation_note,
            f"Test Beijing Warehouse：首个有全部 2 行库存的仓库（规则 Nearest with "
            f"stock）；ZTO Express：{price}，2 家中发往{self.zhejiang.name}最便宜，"
            f"2.30 公斤（规则 Cheapest express）",
        )

    def test_allocation_note_names_rules_and_carriers_in_the_readers_language(self):
        reader = self._chinese_reader()
        self.zto.with_context(lang="zh_CN").name = "中通快递"
        self.carrier_rule.with_context(lang="zh_CN").name = "最便宜的快递"
        rule = self._warehouse_rule(self.beijing_warehouse | self.hangzhou_warehouse)
        rule.with_context(lang="zh_CN").name = "就近有货"
        self._stock(self.beijing_warehouse, self.pot, 5)
        order = self._order([(self.pot, 1)])
        # Confirmed by a salesperson who reads English: the note names the
        # rules and carriers as its reader reads them.
        self._confirm(order)
        note = read_as(reader, order).allocation_note
        self.assertIn("（规则 就近有货）", note)
        self.assertIn("中通快递：", note)
        self.assertIn("（规则 最便宜的快递）", note)
        english = order.with_context(lang="en_US").allocation_note
        self.assertIn("ZTO Express: ", english)
        self.assertIn("(rule Nearest with stock)", english)
        # A rule deleted since: the note keeps the name it had.
        self.carrier_rule.unlink()
        order.invalidate_recordset(["allocation_note"])
        self.assertIn(
            "(rule Cheapest express)", order.with_context(lang="en_US").allocation_note
        )


@tagged("post_install", "-at_install")
class TestReallocation(AllocationCase):
    """action_allocate() decides again; on confirmed orders it re-procures
    deliveries that have not started, and refuses the others."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._stock(cls.hangzhou_warehouse, cls.cup, 10)
        cls.rule = cls._warehouse_rule(cls.hangzhou_warehouse | cls.beijing_warehouse)

    def _move_stock_to_beijing(self):
        self.rule.warehouse_ids.filtered(
            lambda line: line.warehouse_id == self.beijing_warehouse
        ).sequence = -1
        self._stock(self.beijing_warehouse, self.cup, 10)

    def test_allocate_a_quotation_decides_again(self):
        order = self._order([(self.cup, 2)])
        order.with_user(self.salesman).action_allocate()
        self.assertEqual(order.warehouse_id, self.hangzhou_warehouse)
        self.assertEqual(order.state, "draft")
        self._move_stock_to_beijing()
        order.with_user(self.salesman).action_allocate()
        self.assertEqual(order.warehouse_id, self.beijing_warehouse)
        self.assertFalse(order.picking_ids)

    def test_allocate_a_confirmed_order_procures_it_again(self):
        order = self._order([(self.cup, 2)])
        self._confirm(order)
        old = order.picking_ids
        self.assertEqual(old.picking_type_id.warehouse_id, self.hangzhou_warehouse)
        self._move_stock_to_beijing()
        order.with_user(self.salesman).action_allocate()
        self.assertEqual(old.state, "cancel")
        new = order.picking_ids - old
        self.assertEqual(new.picking_type_id.warehouse_id, self.beijing_warehouse)
        self.assertEqual(new.move_ids.product_uom_qty, 2)
        self._ship(order, picking=new)
        self.assertEqual(order.order_line.qty_delivered, 2)

    def _assert_refused(self, order, expected):
        with self.assertRaises(UserError) as caught:
            order.with_user(self.salesman).action_allocate()
        self.assertEqual(str(caught.exception), expected)

    def test_picked_delivery_is_refused(self):
        order = self._order([(self.cup, 2)])
        self._confirm(order)
        order.picking_ids.move_ids.with_user(self.stock_user).picked = True
        self._assert_refused(
            order,
            f"Cannot re-allocate {order.name}: the goods of "
            f"{order.picking_ids.name} are already picked.",
        )

    def test_packed_delivery_is_refused(self):
        order = self._order([(self.cup, 2)])
        self._confirm(order)
        package = self.env["stock.quant.package"].create({"name": "PACK-ALLOC"})
        order.picking_ids.move_line_ids.result_package_id = package
        self._assert_refused(
            order,
            f"Cannot re-allocate {order.name}: {order.picking_ids.name} is being "
            "packed.",
        )

    def test_delivery_in_a_batch_being_picked_is_refused(self):
        order, other = self._order([(self.cup, 2)]), self._order([(self.cup, 1)])
        self._confirm(order | other)
        batch = self.env["stock.picking.batch"].create(
            {
                "name": "WAVE-ALLOC",
                "picking_ids": [Command.set((order | other).picking_ids.ids)],
            }
        )
        batch.action_confirm()
        other.picking_ids.move_ids.with_user(self.stock_user).picked = True
        self._assert_refused(
            order,
            f"Cannot re-allocate {order.name}: {order.picking_ids.name} is in the "
            f"batch {batch.name}, which is being picked.",
        )

    def test_delivery_in_a_batch_nobody_picked_from_leaves_it(self):
        order = self._order([(self.cup, 2)])
        self._confirm(order)
        picking = order.picking_ids
        batch = self.env["stock.picking.batch"].create(
            {"name": "WAVE-ALLOC", "picking_ids": [Command.set(picking.ids)]}
        )
        batch.action_confirm()
        order.with_user(self.salesman).action_allocate()
        self.assertEqual(picking.state, "cancel")
        self.assertFalse(picking.batch_id)
        self.assertFalse(batch.picking_ids)
        self.assertTrue(order.picking_ids - picking)

    def test_order_in_production_is_refused(self):
        order = self._order([(self.mto_product, 1)])
        self._confirm(order)
        production = order.mrp_production_ids
        self.assertTrue(production)
        self._assert_refused(
            order,
            f"Cannot re-allocate {order.name}: the manufacturing order "
            f"{production.name} already makes its goods. Cancel it first if the "
            "order must ship from another warehouse.",
        )
        self.assertEqual(production.state, "confirmed")
        production.action_cancel()
        order.with_user(self.salesman).action_allocate()
        self.assertEqual(order.state, "sale")

    def test_allocation_off_is_refused(self):
        switch_capabilities(self.company, "sale_allocation_enabled", on=False)
        order = self._order([(self.cup, 2)])
        self._assert_refused(
            order,
            f"Order allocation is off for {self.company.name}: switch it on in "
            "Settings › Sales › Order Allocation.",
        )

    def test_rule_without_warehouses_is_refused(self):
        with self.assertRaises(ValidationError) as caught:
            self.env["sale.allocation.rule"].with_user(self.manager).create(
                {"name": "Empty", "rule_type": "warehouse"}
            )
        self.assertEqual(
            str(caught.exception),
            "The allocation rule Empty chooses a warehouse: list at least one "
            "warehouse.",
        )

    def test_carrier_and_team_rules_without_their_target_are_refused(self):
        Rule = self.env["sale.allocation.rule"].with_user(self.manager)
        with self.assertRaisesRegex(ValidationError, "list at least one carrier"):
            Rule.create({"name": "No carrier", "rule_type": "carrier"})
        with self.assertRaisesRegex(ValidationError, "set the team"):
            Rule.create({"name": "No team", "rule_type": "team"})


@tagged("post_install", "-at_install")
class TestAllocationQueries(AllocationCase):
    """Allocating a batch costs the same number of queries whatever the number
    of rules and warehouses."""

    def _orders(self, products):
        return self.env["sale.order"].create(
            [
                {
                    "partner_id": self.customer.id,
                    "user_id": self.salesman.id,
                    "order_line": [
                        Command.create({"product_id": product.id, "product_uom_qty": 1})
                        for product in products
                    ],
                }
                for _i in range(21)
            ]
        )

    def _count(self, orders):
        """Queries of allocating ``orders`` after the first of them: Odoo's
        caches (access rules, defaults) start from the same state."""
        orders[:1].with_user(self.salesman).action_allocate()
        self.env.flush_all()
        self.env.invalidate_all()
        self.env.registry.clear_cache()
        orders[:1].with_user(self.salesman).action_allocate()
        self.env.flush_all()
        self.env.invalidate_all()
        before = self.cr.sql_log_count
        orders[1:].with_user(self.salesman).action_allocate()
        self.env.flush_all()
        return self.cr.sql_log_count - before

    def test_query_count_does_not_depend_on_rules_and_warehouses(self):
        products = self.env["product.product"].create(
            [
                {"name": f"Query Product {i}", "type": "consu", "is_storable": True}
                for i in range(10)
            ]
        )
        for product in products:
            self._stock(self.beijing_warehouse, product, 100)
        one = self._warehouse_rule(self.beijing_warehouse | self.hangzhou_warehouse)
        first = self._count(self._orders(products))
        one.action_archive()
        more = self.env["stock.warehouse"].create(
            [{"name": f"Query Warehouse {i}", "code": f"QW{i}"} for i in range(2)]
        )
        self._warehouse_rule(
            self.beijing_warehouse,
            sequence=1,
            country_ids=[Command.set(self.env.ref("base.us").ids)],
        )
        self._warehouse_rule(
            self.beijing_warehouse,
            sequence=2,
            state_ids=[Command.set(self.beijing.ids)],
        )
        self._warehouse_rule(
            self.beijing_warehouse | self.hangzhou_warehouse | more, sequence=3
        )
        second = self._count(self._orders(products))
        self.assertEqual(first, second)
        # Measured: 427 queries for 20 ten-line orders (about 21 an order).
        self.assertLessEqual(first, 430)


@tagged("post_install", "-at_install")
class TestAllocationSimulation(AllocationCase):
    """*Simulate Allocation* shows what confirming quotations would allocate,
    and the rule list's *Test Rules* opens it for orders picked by hand;
    neither writes anything."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._stock(cls.beijing_warehouse, cls.cup, 3)
        cls._stock(cls.hangzhou_warehouse, cls.pot, 5)
        cls.rule = cls._warehouse_rule(
            cls.beijing_warehouse | cls.hangzhou_warehouse, split_policy="by_line"
        )
        cls.other_customer = cls.env["res.partner"].create(
            {
                "name": "Simulated Customer",
                "country_id": cls.china.id,
                "state_id": cls.beijing.id,
            }
        )

    def _simulate(self, orders):
        action = orders.with_user(self.salesman).action_open_allocation_simulation()
        return (
            self.env[action["res_model"]]
            .with_user(self.salesman)
            .browse(action["res_id"])
        )

    def test_simulation_shows_each_order_and_the_counts_and_writes_nothing(self):
        whole = self._order([(self.cup, 2)])
        # The cup left after the first order is 1: the second order splits.
        split = self._order([(self.cup, 1), (self.pot, 2)], partner=self.other_customer)
        waiting = self._order([(self.tray, 1)])
        orders = whole | split | waiting
        before = orders.read(["warehouse_id", "allocated_on", "write_date"])
        simulation = self._simulate(orders)
        self.assertEqual(
            (
                simulation.order_count,
                simulation.allocated_count,
                simulation.split_count,
            ),
            (3, 3, 1),
        )
        lines = {line.order_id: line for line in simulation.line_ids}
        self.assertEqual(lines[whole].warehouse_ids, self.beijing_warehouse)
        self.assertEqual(
            lines[split].warehouse_ids, self.beijing_warehouse | self.hangzhou_warehouse
        )
        self.assertEqual(lines[split].shipping_state_id, self.beijing)
        self.assertEqual(lines[waiting].warehouse_ids, self.beijing_warehouse)
        self.assertEqual(lines[whole].warehouse_rule_id, self.rule)
        self.assertIn(
            "Split by line",
            lines[split].with_context(lang="en_US").note,
        )
        self.assertEqual(
            {
                (count.kind, count.warehouse_id): count.order_count
                for count in simulation.count_ids
            },
            {
                ("warehouse", self.beijing_warehouse): 3,
                ("warehouse", self.hangzhou_warehouse): 1,
            },
        )
        self.assertEqual(
            orders.read(["warehouse_id", "allocated_on", "write_date"]), before
        )
        self.assertFalse(
            self.env["stock.quant"].search(
                [
                    ("product_id", "in", (self.cup | self.pot).ids),
                    ("reserved_quantity", ">", 0),
                ]
            )
        )

    def test_simulation_needs_quotations(self):
        order = self._order([(self.cup, 1)])
        self._confirm(order)
        with self.assertRaisesRegex(UserError, "Select quotations"):
            order.with_user(self.salesman).action_open_allocation_simulation()

    def test_test_rules_panel_answers_for_orders_picked_in_the_form(self):
        order = self._order([(self.pot, 1)], partner=self.other_customer)
        action = (
            self.env["sale.allocation.rule"]
            .with_user(self.manager)
            .action_open_allocation_test()
        )
        simulation = self.env[action["res_model"]].browse(action["res_id"])
        self.assertFalse(simulation.line_ids)
        with Form(simulation.with_user(self.manager)) as form:
            form.order_ids.add(order)
            self.assertEqual(form.order_count, 1)
            self.assertEqual(form.allocated_count, 1)
            self.assertEqual(len(form.line_ids), 1)
        self.assertEqual(simulation.line_ids.order_id, order)
        self.assertEqual(simulation.line_ids.warehouse_ids, self.hangzhou_warehouse)
        self.assertFalse(order.allocated_on)

    def test_simulation_says_when_no_rule_applies_and_when_allocation_is_off(self):
        self.rule.action_archive()
        switch_capabilities(self.company, "sale_allocation_enabled", on=False)
        simulation = self._simulate(self._order([(self.cup, 1)]))
        self.assertEqual(simulation.allocated_count, 0)
        self.assertFalse(simulation.allocation_enabled)
        self.assertEqual(
            simulation.line_ids.with_context(lang="en_US").note,
            "No allocation rule applies to this order",
        )

    def test_orders_per_warehouse_carrier_and_province(self):
        beijing_order = self._order([(self.cup, 1)], partner=self.other_customer)
        zhejiang_order = self._order([(self.pot, 1)])
        self._confirm(beijing_order | zhejiang_order)
        groups = self.env["sale.order"]._read_group(
            [("id", "in", (beijing_order | zhejiang_order).ids)],
            ["warehouse_id", "shipping_state_id"],
            ["__count"],
        )
        self.assertEqual(
            set(groups),
            {
                (self.beijing_warehouse, self.beijing, 1),
                (self.hangzhou_warehouse, self.zhejiang, 1),
            },
        )
        # The province follows the delivery address.
        self.customer.state_id = self.beijing
        self.assertEqual(zhejiang_order.shipping_state_id, self.beijing)


@tagged("post_install", "-at_install")
class TestAllocationWithReview(AllocationCase):
    """With the order review on too, the stock-shortage rule checks each line
    in the warehouse allocation will ship it from, not in the salesperson's
    default warehouse."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        switch_review_on(cls.company)
        cls.env["sale.review.rule"].create(
            {"name": "Short", "rule_type": "stock_shortage"}
        )

    def test_order_stocked_only_in_the_allocated_warehouse_is_not_held(self):
        self._stock(self.beijing_warehouse, self.cup, 5)
        self._warehouse_rule(self.beijing_warehouse | self.hangzhou_warehouse)
        order = self._order([(self.cup, 2)])
        self._confirm(order)
        self.assertEqual(order.state, "sale")
        self.assertEqual(order.warehouse_id, self.beijing_warehouse)

    def test_split_order_is_checked_line_by_line_in_each_warehouse(self):
        self._stock(self.beijing_warehouse, self.cup, 5)
        self._stock(self.hangzhou_warehouse, self.pot, 5)
        self._warehouse_rule(
            self.beijing_warehouse | self.hangzhou_warehouse, split_policy="by_line"
        )
        order = self._order([(self.cup, 2), (self.pot, 1)])
        self._confirm(order)
        self.assertEqual(order.state, "sale")
        self.assertEqual(
            self._delivery_warehouses(order),
            {
                self.beijing_warehouse: {self.cup: 2},
                self.hangzhou_warehouse: {self.pot: 1},
            },
        )

    def test_order_no_warehouse_can_ship_is_held_for_the_first_preferred(self):
        self._stock(self.hangzhou_warehouse, self.cup, 5)
        self._warehouse_rule(self.beijing_warehouse)
        order = self._order([(self.cup, 2)])
        self._confirm(order)
        self.assertEqual(order.review_state, "to_review")
        self.assertIn("Stock shortage", order.with_context(lang="en_US").review_summary)

    def test_allocation_off_checks_the_order_warehouse_as_before(self):
        switch_capabilities(self.company, "sale_allocation_enabled", on=False)
        self._stock(self.beijing_warehouse, self.cup, 5)
        self._warehouse_rule(self.beijing_warehouse)
        order = self._order([(self.cup, 2)])
        self._confirm(order)
        self.assertEqual(order.review_state, "to_review")
