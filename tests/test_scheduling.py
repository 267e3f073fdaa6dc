from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged

from .common import FulfillmentCase, switch_capabilities, switch_review_on

# A Monday, before the workshop opens (the calendar is in UTC).
MONDAY = datetime(2026, 12, 7, 7, 0)


@tagged("post_install", "-at_install")
class SchedulingCase(FulfillmentCase):
    """Make-to-order products made on work centers with a real calendar."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.startClassPatcher(freeze_time(MONDAY))
        cls.mrp_user.groups_id += cls.env.ref("mrp.group_mrp_routings")
        cls.calendar = cls.env["resource.calendar"].create(
            {
                "name": "Workshop 8-12, 13-17",
                "tz": "UTC",
                "attendance_ids": [Command.clear()]
                + [
                    Command.create(
                        {
                            "name": f"{day} {start}",
                            "dayofweek": str(day),
                            "hour_from": start,
                            "hour_to": end,
                            "day_period": period,
                        }
                    )
                    for day in range(5)
                    for start, end, period in (
                        (8, 12, "morning"),
                        (13, 17, "afternoon"),
                    )
                ],
            }
        )
        workcenter_vals = {
            "resource_calendar_id": cls.calendar.id,
            "time_efficiency": 100,
            "time_start": 0,
            "time_stop": 0,
        }
        cls.assembly, cls.spare_assembly, cls.packing = cls.env[
            "mrp.workcenter"
        ].create(
            [
                dict(workcenter_vals, name="Assembly"),
                dict(workcenter_vals, name="Spare Assembly", time_efficiency=50),
                dict(workcenter_vals, name="Packing", parallel_units=2),
            ]
        )
        cls.routes = [
            Command.set(
                [
                    cls.env.ref("stock.route_warehouse0_mto").id,
                    cls.env.ref("mrp.route_warehouse0_manufacture").id,
                ]
            )
        ]
        cls.kit = cls._made_to_order(
            "Scheduled Kit",
            [(cls.component, 1)],
            [(cls.assembly, 60), (cls.packing, 30)],
        )

    @classmethod
    def _made_to_order(cls, name, components, operations):
        product = cls.env["product.product"].create(
            {
                "name": name,
                "type": "consu",
                "is_storable": True,
                "list_price": 50.0,
                "route_ids": cls.routes,
            }
        )
        cls.env["mrp.bom"].create(
            {
                "product_tmpl_id": product.product_tmpl_id.id,
                "product_qty": 1,
                "bom_line_ids": [
                    Command.create({"product_id": component.id, "product_qty": qty})
                    for component, qty in components
                ],
                "operation_ids": [
                    Command.create(
                        {
                            "name": f"{name} on {workcenter.name}",
                            "workcenter_id": workcenter.id,
                            "time_mode": "manual",
                            "time_cycle_manual": minutes,
                            "sequence": index,
                        }
                    )
                    for index, (workcenter, minutes) in enumerate(operations)
                ],
            }
        )
        return product

    def _sold(self, product, qty, commitment=None):
        """Confirm an order of ``qty`` ``product``; return its production."""
        order = self._create_orders([(product, qty)])
        if commitment:
            order.commitment_date = commitment
        self._confirm(order)
        return order, order._get_fulfillment_productions()

    def _schedule(self, productions):
        productions.with_user(self.mrp_user).action_schedule()

    def _at(self, days, hour):
        return MONDAY.replace(hour=hour) + timedelta(days=days)

    def assertInsideWorkingTime(self, workorders):
        for workorder in workorders:
            worked = self.calendar.get_work_duration_data(
                workorder.date_start, workorder.date_finished, compute_leaves=True
            )["hours"]
            self.assertAlmostEqual(worked * 60, workorder.duration_expected, places=3)
            start = workorder.date_start
            self.assertLess(start.weekday(), 5)
            self.assertTrue(
                8 <= start.hour < 12 or 13 <= start.hour < 17,
                "a work order starts inside working time",
            )

    def assertNoOverload(self, workorders):
        for workcenter in workorders.workcenter_id:
            events = sorted(
                (date, change)
                for workorder in workorders.filtered(
                    lambda workorder, workcenter=workcenter: (
                        workorder.workcenter_id == workcenter
                    )
                )
                for date, change in (
                    (workorder.date_start, 1),
                    (workorder.date_finished, -1),
                )
            )
            running = 0
            for _date, change in events:
                running += change
                self.assertLessEqual(running, workcenter.parallel_units)


class TestScheduling(SchedulingCase):
    def test_capacity_working_time_and_promise_order(self):
        """Three orders: the earliest commitment is made first, whatever the
        confirmation order; nothing overlaps beyond capacity."""
        late, _late_mo = self._sold(self.kit, 3, commitment=self._at(10, 12))
        middle, _middle_mo = self._sold(self.kit, 3, commitment=self._at(6, 12))
        urgent, _urgent_mo = self._sold(self.kit, 3, commitment=self._at(3, 12))
        productions = (late | middle | urgent)._get_fulfillment_productions()
        self.assertEqual(len(productions), 3)
        self._schedule(productions)
        workorders = productions.workorder_ids
        self.assertTrue(all(productions.mapped("is_planned")))
        self.assertTrue(all(workorders.leave_id))
        self.assertInsideWorkingTime(workorders)
        self.assertNoOverload(workorders)
        first = urgent._get_fulfillment_productions()
        # The urgent order takes the first three hours of Monday morning...
        assemble = first.workorder_ids.filtered(
            lambda workorder: workorder.workcenter_id == self.assembly
        )
        self.assertEqual(assemble.date_start, self._at(0, 8))
        self.assertEqual(assemble.date_finished, self._at(0, 11))
        # ...then packs over the lunch break, after its assembly.
        pack = first.workorder_ids - assemble
        self.assertEqual(pack.date_start, self._at(0, 11))
        self.assertEqual(pack.date_finished, self._at(0, 13) + timedelta(minutes=30))
        self.assertEqual(first.date_start, self._at(0, 8))
        self.assertEqual(first.date_finished, pack.date_finished)
        finishes = [
            order._get_fulfillment_productions().date_finished
            for order in (urgent, middle, late)
        ]
        self.assertEqual(finishes, sorted(finishes))
        self.assertEqual(urgent.production_finish_date, first.date_finished)
        self.assertFalse(urgent.is_production_late)
        # Odoo's own unplanning still works on what we planned.
        first.button_unplan()
        self.assertFalse(first.workorder_ids.leave_id)
        self.assertFalse(first.is_planned)

    def test_two_parallel_units_run_together(self):
        self.kit.bom_ids.operation_ids.filtered(
            lambda operation: operation.workcenter_id == self.assembly
        ).unlink()
        _order, first = self._sold(self.kit, 2)
        _order, second = self._sold(self.kit, 2)
        _order, third = self._sold(self.kit, 2)
        self._schedule(first | second | third)
        starts = sorted((first | second | third).workorder_ids.mapped("date_start"))
        self.assertEqual(starts, [self._at(0, 8), self._at(0, 8), self._at(0, 9)])

    def test_schedule_is_idempotent(self):
        _order, production = self._sold(self.kit, 4)
        self._schedule(production)
        dates = production.workorder_ids.mapped(
            lambda wo: (wo.date_start, wo.date_finished)
        )
        leaves = production.workorder_ids.leave_id
        self._schedule(production)
        self.assertEqual(
            production.workorder_ids.mapped(
                lambda wo: (wo.date_start, wo.date_finished)
            ),
            dates,
        )
        self.assertFalse(leaves.exists(), "the old bookings are replaced, not kept")
        self.assertEqual(len(production.workorder_ids.leave_id), 2)

    def test_replanning_keeps_fixed_load(self):
        _order, first = self._sold(self.kit, 2)
        _order, second = self._sold(self.kit, 2)
        self._schedule(first)
        fixed = first.workorder_ids.mapped(lambda wo: (wo.date_start, wo.date_finished))
        self._schedule(second)
        self.assertEqual(
            first.workorder_ids.mapped(lambda wo: (wo.date_start, wo.date_finished)),
            fixed,
        )
        self.assertNoOverload((first | second).workorder_ids)
        self.assertGreaterEqual(
            second.workorder_ids.filtered(
                lambda wo: wo.workcenter_id == self.assembly
            ).date_start,
            self._at(0, 10),
        )

    def test_materials_wait_for_receipt_or_lead_time(self):
        scarce = self.env["product.product"].create(
            {"name": "Scarce Part", "type": "consu", "is_storable": True}
        )
        bought = self.env["product.product"].create(
            {
                "name": "Bought Part",
                "type": "consu",
                "is_storable": True,
                "seller_ids": [
                    Command.create({"partner_id": self.customer.id, "delay": 9})
                ],
            }
        )
        received = self._made_to_order(
            "Received Kit", [(scarce, 1)], [(self.assembly, 60)]
        )
        waiting = self._made_to_order(
            "Waiting Kit", [(bought, 1)], [(self.assembly, 60)]
        )
        receipt_type = self.warehouse.in_type_id
        receipt = self.env["stock.picking"].create(
            {
                "picking_type_id": receipt_type.id,
                "location_id": self.env.ref("stock.stock_location_suppliers").id,
                "location_dest_id": self.stock_location.id,
                "scheduled_date": self._at(2, 10),
                "move_ids": [
                    Command.create(
                        {
                            "name": scarce.name,
                            "product_id": scarce.id,
                            "product_uom_qty": 5,
                            "product_uom": scarce.uom_id.id,
                            "location_id": self.env.ref(
                                "stock.stock_location_suppliers"
                            ).id,
                            "location_dest_id": self.stock_location.id,
                            "date": self._at(2, 10),
                        }
                    )
                ],
            }
        )
        receipt.action_confirm()
        _order, from_receipt = self._sold(received, 2)
        _order, from_lead_time = self._sold(waiting, 1)
        _order, from_stock = self._sold(self.kit, 1)
        self._schedule(from_receipt | from_lead_time | from_stock)
        self.assertEqual(from_stock.date_start, self._at(0, 8))
        self.assertEqual(from_receipt.date_start, self._at(2, 10))
        self.assertEqual(from_lead_time.date_start, self._at(9, 8))
        self.assertNoOverload(
            (from_receipt | from_lead_time | from_stock).workorder_ids
        )

    def test_multi_level_bom_waits_for_sub_assembly(self):
        frame = self._made_to_order(
            "Frame", [(self.component, 2)], [(self.assembly, 120)]
        )
        chair = self._made_to_order("Chair", [(frame, 1)], [(self.packing, 60)])
        order, productions = self._sold(chair, 1)
        child = self.env["mrp.production"].search([("product_id", "=", frame.id)])
        self.assertEqual(len(child), 1)
        parent = productions.filtered(lambda production: production.product_id == chair)
        self.assertEqual(
            child._get_fulfillment_sale_orders()[child.id], order, "found up the chain"
        )
        self._schedule(parent | child)
        self.assertEqual(child.date_finished, self._at(0, 10))
        self.assertEqual(parent.date_start, child.date_finished)
        self.assertEqual(order.production_finish_date, self._at(0, 11))
        # Scheduled without its sub-assembly, the parent waits for its plan.
        parent.button_unplan()
        self._schedule(parent)
        self.assertEqual(parent.date_start, child.date_finished)

    def _book_assembly_for_a_visit(self):
        """Assembly is away on Monday and Tuesday."""
        self.env["resource.calendar.leaves"].create(
            {
                "name": "Booked for a customer visit",
                "calendar_id": self.calendar.id,
                "resource_id": self.assembly.resource_id.id,
                "date_from": self._at(0, 8),
                "date_to": self._at(1, 17),
                "time_type": "other",
            }
        )

    def test_alternative_workcenter_with_earliest_finish(self):
        self.assembly.alternative_workcenter_ids = self.spare_assembly
        self._book_assembly_for_a_visit()
        _order, production = self._sold(self.kit, 1)
        self._schedule(production)
        assemble = production.workorder_ids[0]
        # Twice as slow (50 % efficiency), but it finishes on Monday.
        self.assertEqual(assemble.workcenter_id, self.spare_assembly)
        self.assertEqual(assemble.duration_expected, 120)
        self.assertEqual(assemble.date_finished, self._at(0, 10))
        self.assertEqual(assemble.leave_id.resource_id, self.spare_assembly.resource_id)

    def test_moving_to_an_alternative_leaves_no_booking_behind(self):
        self.assembly.alternative_workcenter_ids = self.spare_assembly
        _order, production = self._sold(self.kit, 1)
        self._schedule(production)
        assemble = production.workorder_ids[0]
        self.assertEqual(assemble.workcenter_id, self.assembly)
        self._book_assembly_for_a_visit()
        self._schedule(production)
        self.assertEqual(assemble.workcenter_id, self.spare_assembly)
        bookings = self.env["resource.calendar.leaves"].search(
            [
                (
                    "resource_id",
                    "in",
                    (self.assembly | self.spare_assembly).resource_id.ids,
                ),
                ("name", "!=", "Booked for a customer visit"),
            ]
        )
        self.assertEqual(bookings, assemble.leave_id)
        self.assertEqual(bookings.resource_id, self.spare_assembly.resource_id)

    def test_holidays_are_respected(self):
        self.env["resource.calendar.leaves"].create(
            {
                "name": "Public holiday",
                "calendar_id": self.calendar.id,
                "date_from": self._at(0, 0),
                "date_to": self._at(1, 0),
                "time_type": "leave",
            }
        )
        _order, production = self._sold(self.kit, 1)
        self._schedule(production)
        self.assertEqual(production.date_start, self._at(1, 8))
        self.assertInsideWorkingTime(production.workorder_ids)

    def test_workcenter_without_calendar_is_refused(self):
        self.packing.resource_calendar_id = False
        _order, production = self._sold(self.kit, 1)
        with self.assertRaisesRegex(UserError, "Packing has no working hours"):
            self._schedule(production)
        self.assertFalse(production.workorder_ids.leave_id)

    def test_salesperson_cannot_schedule(self):
        _order, production = self._sold(self.kit, 1)
        with self.assertRaises(AccessError), self.env.cr.savepoint():
            production.with_user(self.salesman).action_schedule()
        self.assertFalse(production.workorder_ids.leave_id)
        self.assertFalse(production.is_planned)

    def test_late_production_is_flagged(self):
        order, production = self._sold(self.kit, 10, commitment=self._at(1, 12))
        switch_review_on(self.company)
        self.env["sale.review.rule"].create(
            {"name": "Late", "rule_type": "late_delivery", "severity": "block"}
        )
        self._schedule(production)
        (issue,) = order.review_issue_ids
        self.assertEqual(issue.severity, "warning")
        self.assertIn("too late to deliver", issue.message)
        self._schedule(production)
        self.assertEqual(len(order.review_issue_ids), 1, "reported once")
        # 10 hours of assembly end on Tuesday afternoon: too late for noon.
        self.assertTrue(order.is_production_late)
        self.assertIn(
            order,
            self.env["sale.order"].search([("is_production_late", "=", True)]),
        )
        order.commitment_date = self._at(5, 12)
        self.assertFalse(order.is_production_late)

    def test_batch_schedule_query_count(self):
        orders = self._create_orders([(self.kit, 2)], count=20)
        self._confirm(orders)
        productions = orders._get_fulfillment_productions()
        self.assertEqual(len(productions), 20)
        productions.invalidate_model()
        # 60: the orders' fulfillment stage reads its previous dates once.
        with self.assertQueryCount(__system__=60):
            productions.action_schedule()
        self.assertNoOverload(productions.workorder_ids)
        self.assertEqual(len(productions.workorder_ids.leave_id), 40)


class TestPromiseDate(SchedulingCase):
    def test_promise_date_simulates_without_writing(self):
        _order, planned = self._sold(self.kit, 3)
        self._schedule(planned)
        quotation = self._create_orders([(self.kit, 2)])
        counts = {
            model: self.env[model].search_count([])
            for model in ("mrp.production", "mrp.workorder", "resource.calendar.leaves")
        }
        quotation.with_user(self.salesman).action_compute_promise_date()
        self.assertEqual(
            counts,
            {model: self.env[model].search_count([]) for model in counts},
            "a promise plans nothing",
        )
        # After the planned order: assembly 11:00-13:00 (lunch), packing 1 hour.
        self.assertEqual(quotation.promised_date, self._at(0, 15))
        self._confirm(quotation)
        self._schedule(quotation._get_fulfillment_productions())
        self.assertEqual(quotation.production_finish_date, quotation.promised_date)

    def test_promise_is_not_held_back_by_the_customer_lead_time(self):
        self.kit.sale_delay = 10
        quotation = self._create_orders([(self.kit, 2)])
        quotation.action_compute_promise_date()
        self.assertLess(quotation.promised_date, self._at(10, 0))
        self._confirm(quotation)
        self._schedule(quotation._get_fulfillment_productions())
        self.assertEqual(quotation.production_finish_date, quotation.promised_date)

    def test_promise_follows_bom_levels_and_security_lead(self):
        self.company.security_lead = 2
        frame = self._made_to_order(
            "Frame", [(self.component, 2)], [(self.assembly, 120)]
        )
        chair = self._made_to_order("Chair", [(frame, 1)], [(self.packing, 60)])
        quotation = self._create_orders([(chair, 1), (self.product_a, 1)])
        quotation.action_compute_promise_date()
        self.assertEqual(quotation.promised_date, self._at(2, 11))

    def test_late_delivery_rule_uses_the_promise(self):
        self.env["sale.review.rule"].create(
            {"name": "Late", "rule_type": "late_delivery", "severity": "block"}
        )
        quotation = self._create_orders([(self.kit, 10)])
        quotation.commitment_date = self._at(1, 12)
        (issue,) = quotation._review_evaluate()[quotation]
        self.assertIn("Promised for", issue["message"])
        quotation.commitment_date = self._at(5, 12)
        self.assertFalse(quotation._review_evaluate())


class TestSchedulingScreens(SchedulingCase):
    def test_the_plan_counts_hours_in_the_work_center_time_zone(self):
        # The calendar is on UTC; the packing team works on Shanghai time.
        self.packing.resource_id.tz = "Asia/Shanghai"
        _order, production = self._sold(self.kit, 2)
        self._schedule(production)
        workorders = production.workorder_ids.filtered(
            lambda workorder: workorder.workcenter_id == self.packing
        )
        self.assertTrue(workorders.leave_id)
        rows = self.env["mrp.workcenter.load"]._prepare_load_vals_list(
            self.packing,
            min(workorders.mapped("date_start")).date() - timedelta(days=1),
            max(workorders.mapped("date_finished")).date() + timedelta(days=1),
        )
        self.assertAlmostEqual(
            sum(row["planned_hours"] for row in rows),
            sum(workorders.mapped("duration_expected")) / 60,
        )

    def test_wizard_schedules_mto_and_opens_the_plan(self):
        order, production = self._sold(self.kit, 2)
        stock_production = self.env["mrp.production"].create(
            {"product_id": self.kit.id, "product_qty": 1}
        )
        stock_production.action_confirm()
        wizard = Form(self.env["mrp.schedule.wizard"].with_user(self.mrp_user))
        wizard.horizon_days = 10
        self.assertIn(production, wizard.production_ids)
        self.assertNotIn(stock_production, wizard.production_ids)
        count = wizard.production_count
        wizard.scope = "all"
        self.assertIn(stock_production, wizard.production_ids)
        self.assertGreater(wizard.production_count, count)
        wizard.scope = "mto"
        action = wizard.save().action_schedule()
        self.assertTrue(production.is_planned)
        self.assertFalse(stock_production.is_planned)
        self.assertEqual(action["res_model"], "mrp.workcenter.load")
        rows = (
            self.env["mrp.workcenter.load"]
            .with_user(self.mrp_user)
            .search(action["domain"])
        )
        monday = rows.filtered(
            lambda row: row.workcenter_id == self.packing and row.date == MONDAY.date()
        )
        self.assertEqual(monday.capacity_hours, 16, "8 hours, 2 parallel units")
        self.assertEqual(monday.planned_hours, 1)
        assembly = rows.filtered(lambda row: row.workcenter_id == self.assembly)
        self.assertEqual(sum(assembly.mapped("planned_hours")), 2)
        self.assertFalse(
            rows.filtered(
                lambda row: (
                    row.workcenter_id in (self.assembly | self.packing)
                    and row.date.weekday() >= 5
                )
            ),
            "no working week-end",
        )
        # Nothing to schedule: a clear refusal.
        other_company = self.env["res.company"].create({"name": "Empty Workshop"})
        self.mrp_user.company_ids += other_company
        with self.assertRaisesRegex(UserError, "No manufacturing order to schedule"):
            self.env["mrp.schedule.wizard"].with_user(self.mrp_user).create(
                {"horizon_days": 10, "company_id": other_company.id}
            ).action_schedule()
        self.assertTrue(order.production_finish_date)

    def test_cron_plans_new_orders_only(self):
        switch_capabilities(self.company, "mrp_auto_schedule_enabled")
        _order, planned = self._sold(self.kit, 1)
        self._schedule(planned)
        leaves = planned.workorder_ids.leave_id
        _order, new = self._sold(self.kit, 1)
        self.env["mrp.production"]._cron_schedule()
        self.assertTrue(new.is_planned)
        self.assertEqual(planned.workorder_ids.leave_id, leaves)

    def test_daily_plan_report(self):
        order, production = self._sold(self.kit, 2)
        self._schedule(production)
        html = (
            self.env["ir.actions.report"]
            .with_user(self.mrp_user)
            ._render_qweb_html(
                "sale_fulfillment.action_report_production_plan",
                production.workorder_ids.ids,
            )[0]
            .decode()
        )
        for text in (
            "Daily Production Plan",
            production.name,
            order.name,
            self.customer.name,
            "Assembly",
            "Packing",
            "08:00",
            "10:00",
        ):
            self.assertIn(text, html)
