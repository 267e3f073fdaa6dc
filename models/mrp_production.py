import math
from collections import defaultdict
from datetime import datetime, timedelta, timezone

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..planning import (
    Job,
    Operation,
    PlanningError,
    Workcenter,
    WorkingTime,
    estimate_end,
    schedule,
)
from .batch_write import write_per_record
from .locking import lock_for_update
from .sale_fulfillment_message_mixin import datetime_param, message
from .sale_review_rule import MESSAGES as REVIEW_MESSAGES

# Work orders the scheduler may (re)place; the others are fixed.
PLANNABLE_WORKORDER_STATES = ("pending", "waiting", "ready")
SCHEDULABLE_STATES = ("confirmed", "progress", "to_close")
# The horizon grows (doubling) up to this when a work center is fully booked.
DEFAULT_HORIZON_DAYS = 120
MAX_HORIZON_DAYS = 730


def to_timestamp(value):
    """Naive UTC datetime (Odoo's) to whole seconds."""
    return int(value.replace(tzinfo=timezone.utc).timestamp())


def from_timestamp(value):
    """Whole seconds to a naive UTC datetime (Odoo's)."""
    return datetime.fromtimestamp(value, timezone.utc).replace(tzinfo=None)


def minutes_to_seconds(minutes):
    return math.ceil(round(minutes * 60, 3))


class MrpProduction(models.Model):
    _inherit = "mrp.production"

    fulfillment_sale_id = fields.Many2one(
        comodel_name="sale.order",
        string="Sales Order",
        compute="_compute_fulfillment_sale_id",
        groups="sales_team.group_sale_salesman",
        help="The sales order this production serves, through its sub-assembly "
        "chain when it makes a component.",
    )

    def _compute_fulfillment_sale_id(self):
        orders = self._get_fulfillment_sale_orders()
        for production in self:
            production.fulfillment_sale_id = orders.get(production.id, False)

    def action_schedule(self):
        """Schedule these manufacturing orders with finite capacity.

        Work orders not started are placed on their work center (or an
        alternative, whichever finishes first) inside working time, after their
        predecessors, after the components are there, in promise order (the
        sales order's commitment date first). Planned orders outside the
        recordset are fixed load. Odoo's own planning fields are written:
        each work order's calendar leave and dates, and the order's dates.
        """
        drafts = self.filtered(lambda production: production.state == "draft")
        if drafts:
            drafts.action_confirm()
        productions = self.filtered(
            lambda production: production.state in SCHEDULABLE_STATES
        )
        if not productions:
            return True
        lock_for_update(
            productions,
            self.env._(
                "Somebody else is scheduling or changing these manufacturing "
                "orders. Try again in a moment."
            ),
        )
        plan = productions._compute_schedule()
        productions._apply_schedule(plan)
        orders = productions._get_fulfillment_sale_orders()
        productions._report_late_orders(self.env["sale.order"].union(*orders.values()))
        return True

    @api.model
    def _cron_schedule(self):
        """Daily: schedule the confirmed orders that have no plan yet, of the
        companies with Daily Production Scheduling on
        (``mrp_auto_schedule_enabled``).

        Only orders with work orders: one without any is never "planned" in
        Odoo's sense, and its dates would be moved again every day.
        """
        productions = self.search(
            self._get_schedule_domain(replan=False)
            + [
                ("workorder_ids", "!=", False),
                ("company_id.mrp_auto_schedule_enabled", "=", True),
            ]
        )
        for company in productions.company_id:
            productions.filtered(
                lambda production, company=company: production.company_id == company
            ).with_company(company).action_schedule()

    @api.model
    def _get_schedule_domain(self, horizon_days=None, replan=False, company=None):
        """Manufacturing orders the wizard and the cron schedule."""
        domain = [("state", "in", ("confirmed", "progress"))]
        if company:
            domain.append(("company_id", "=", company.id))
        if horizon_days:
            limit = fields.Datetime.now() + timedelta(days=horizon_days)
            domain.append(("date_start", "<=", limit))
        if not replan:
            domain.append(("is_planned", "=", False))
        return domain

    # -- reading the situation ------------------------------------------------

    def _get_fulfillment_sale_orders(self):
        """Map production id to the sales order it serves, following components.

        Read as superuser: planners without sales rights schedule by promise too.
        """
        self = self.sudo()
        result = {}
        parents = {}
        for production in self:
            order = (
                production.sale_line_id.order_id
                or production.move_finished_ids.move_dest_ids.group_id.sale_id[:1]
                or production.procurement_group_id.sale_id[:1]
            )
            if order:
                result[production.id] = order
            else:
                destinations = production.move_finished_ids.move_dest_ids
                parent = destinations.raw_material_production_id[:1]
                if parent:
                    parents[production.id] = parent
        # Up the sub-assembly chain, one level at a time.
        for _depth in range(10):
            if not parents:
                break
            parent_orders = (
                parents
                and self.browse(
                    {parent.id for parent in parents.values()}
                )._get_fulfillment_sale_orders()
            )
            for production_id, parent in list(parents.items()):
                if parent.id in parent_orders:
                    result[production_id] = parent_orders[parent.id]
                parents.pop(production_id)
        # One recordset, so that reading the orders costs one query.
        orders = self.env["sale.order"].union(*result.values())
        by_id = {order.id: order for order in orders}
        return {
            production_id: by_id[order.id] for production_id, order in result.items()
        }

    def _get_schedule_priority(self, orders):
        """Sort key of each production: most urgent first.

        The commitment date of the sales order it serves, then the order's
        priority (starred first), then its deadline or start, then its id.
        """
        keys = {}
        for production in self:
            order = orders.get(production.id)
            commitment = order and order.commitment_date
            date = production.date_deadline or production.date_start
            keys[production.id] = (
                0 if commitment else 1,
                to_timestamp(commitment) if commitment else 0,
                -int(production.priority or 0),
                to_timestamp(date) if date else 0,
                production.id,
            )
        return keys

    @api.model
    def _get_schedule_working_times(self, workcenters, date_from, date_to):
        """Working intervals of each work center (calendar minus time off)."""
        result = {}
        for calendar in workcenters.resource_calendar_id:
            members = workcenters.filtered(
                lambda workcenter, calendar=calendar: (
                    workcenter.resource_calendar_id == calendar
                )
            )
            intervals = calendar._work_intervals_batch(
                date_from.replace(tzinfo=timezone.utc),
                date_to.replace(tzinfo=timezone.utc),
                resources=members.resource_id,
            )
            for workcenter in members:
                result[workcenter.id] = WorkingTime(
                    (int(start.timestamp()), int(stop.timestamp()))
                    for start, stop, _records in intervals[workcenter.resource_id.id]
                )
        return result

    @api.model
    def _get_schedule_fixed_load(self, workcenters, date_from, date_to, released):
        """Booked (start, end) of each work center, except the ``released`` leaves."""
        by_resource = {
            workcenter.resource_id.id: workcenter.id for workcenter in workcenters
        }
        leaves = (
            self.env["resource.calendar.leaves"]
            .sudo()
            .search_fetch(
                [
                    ("resource_id", "in", list(by_resource)),
                    ("time_type", "=", "other"),
                    ("date_to", ">", date_from),
                    ("date_from", "<", date_to),
                    ("id", "not in", released.ids),
                ],
                ["resource_id", "date_from", "date_to"],
            )
        )
        result = defaultdict(list)
        for leave in leaves:
            result[by_resource[leave.resource_id.id]].append(
                (to_timestamp(leave.date_from), to_timestamp(leave.date_to))
            )
        return result

    @api.model
    def _get_schedule_workcenters(self, workcenters, date_from, date_to, released):
        missing = workcenters.filtered(
            lambda workcenter: not workcenter.resource_calendar_id
        )
        if missing:
            raise UserError(
                self.env._(
                    "Work center %(names)s has no working hours: set its calendar "
                    "before scheduling.",
                    names=", ".join(missing.mapped("display_name")),
                )
            )
        working = self._get_schedule_working_times(workcenters, date_from, date_to)
        booked = self._get_schedule_fixed_load(
            workcenters, date_from, date_to, released
        )
        return [
            Workcenter(
                key=workcenter.id,
                working=working[workcenter.id],
                capacity=workcenter.parallel_units or 1,
                booked=tuple(booked.get(workcenter.id, ())),
            )
            for workcenter in workcenters
        ]

    @api.model
    def _get_component_lead_days(self, products, company):
        """Days to get each product when neither stock nor receipts cover it."""
        boms = self.env["mrp.bom"]._bom_find(products, company_id=company.id)
        result = {}
        for product in products:
            bom = boms.get(product)
            # A subcontracted product (mrp_subcontracting) takes the vendor's
            # lead time, as a purchased one does.
            if bom and bom.type != "subcontract":
                result[product.id] = bom.produce_delay + bom.days_to_prepare_mo
            else:
                sellers = product.seller_ids.filtered(
                    lambda seller: not seller.company_id or seller.company_id == company
                )
                result[product.id] = sellers[:1].delay
        return result

    @api.model
    def _get_component_ready_dates(self, needs, now, company):
        """When each need can be served, allocating in the order given.

        ``needs`` is a list of (key, product, quantity in product UoM, warehouse).
        Free stock of the warehouse first (on hand minus reserved), then incoming
        moves not tied to another need, by date, then today plus lead time.
        Returns {key: datetime}.
        """
        products = self.env["product.product"].union(*(need[1] for need in needs))
        storable = products.filtered("is_storable")
        if not storable:
            return {need[0]: now for need in needs}
        free = defaultdict(float)
        for product, location, quantity, reserved in self.env[
            "stock.quant"
        ]._read_group(
            [
                ("product_id", "in", storable.ids),
                ("location_id.usage", "=", "internal"),
            ],
            ["product_id", "location_id"],
            ["quantity:sum", "reserved_quantity:sum"],
        ):
            free[product.id, location.warehouse_id.id] += quantity - reserved
        incoming = defaultdict(list)
        for move in self.env["stock.move"].search(
            [
                ("product_id", "in", storable.ids),
                ("state", "not in", ("draft", "done", "cancel")),
                ("location_dest_id.usage", "=", "internal"),
                ("location_id.usage", "not in", ("internal", "transit")),
                ("move_dest_ids", "=", False),
            ],
            order="date, id",
        ):
            incoming[move.product_id.id, move.location_dest_id.warehouse_id.id].append(
                [move.date, move.product_qty]
            )
        lead_days = self._get_component_lead_days(storable, company)
        result = {}
        for key, product, quantity, warehouse in needs:
            if not product.is_storable or quantity <= 0:
                result[key] = result.get(key, now)
                continue
            stock_key = product.id, warehouse.id
            taken = min(max(free[stock_key], 0.0), quantity)
            free[stock_key] -= taken
            quantity -= taken
            ready = now
            for receipt in incoming[stock_key]:
                if quantity <= 0:
                    break
                taken = min(receipt[1], quantity)
                if taken > 0:
                    receipt[1] -= taken
                    quantity -= taken
                    ready = max(ready, receipt[0])
            if quantity > 0:
                ready = max(ready, now + timedelta(days=lead_days[product.id]))
            result[key] = max(result.get(key, now), ready)
        return result

    def _get_schedule_material_constraints(self, priority, now):
        """Earliest start (datetime) and sub-assembly productions of each order.

        A component reserved (or not stored) is there now. One made or bought
        for this order waits for its origin: a sub-assembly in the recordset
        becomes a dependency of the engine, any other origin gives its date.
        The rest is allocated from free stock, receipts and lead times.
        """
        earliest = {production.id: now for production in self}
        depends = defaultdict(set)
        needs = []
        for production in self.sorted(key=lambda production: priority[production.id]):
            for move in production.move_raw_ids:
                if move.state in ("done", "cancel", "assigned"):
                    continue
                origins = move.move_orig_ids.filtered(
                    lambda origin: origin.state not in ("done", "cancel")
                )
                if origins:
                    for origin in origins:
                        if origin.production_id.id in earliest:
                            depends[production.id].add(origin.production_id.id)
                        else:
                            date = origin.production_id.date_finished or origin.date
                            earliest[production.id] = max(
                                earliest[production.id], date or now
                            )
                    continue
                if move.procure_method == "make_to_order" and move.move_orig_ids:
                    continue
                missing = move.product_qty - move.product_uom._compute_quantity(
                    move.quantity, move.product_id.uom_id
                )
                needs.append(
                    (
                        production.id,
                        move.product_id,
                        missing,
                        move.warehouse_id or production.picking_type_id.warehouse_id,
                    )
                )
        if needs:
            ready = self._get_component_ready_dates(needs, now, self.company_id[:1])
            for production_id, date in ready.items():
                earliest[production_id] = max(earliest[production_id], date)
        return earliest, depends

    # -- computing and applying ----------------------------------------------

    def _get_schedule_operations(self):
        """Engine operations of these orders, with the work orders they place.

        Returns (operations per production id, work orders to plan, fixed
        finish per work order id for the ones already running, minutes per
        (work order id, work center id)).
        """
        to_plan = self.workorder_ids.filtered(
            lambda workorder: workorder.state in PLANNABLE_WORKORDER_STATES
        )
        operations = defaultdict(list)
        minutes = {}
        running_finish = {}
        for workorder in self.workorder_ids - to_plan:
            if workorder.state == "progress" and workorder.date_finished:
                running_finish[workorder.id] = workorder.date_finished
        planned_ids = set(to_plan.ids)
        for workorder in to_plan:
            options = [(workorder.workcenter_id.id, workorder.duration_expected)]
            for alternative in workorder.workcenter_id.alternative_workcenter_ids:
                options.append(
                    (
                        alternative.id,
                        workorder._get_duration_expected(
                            alternative_workcenter=alternative
                        ),
                    )
                )
            for workcenter, duration in options:
                minutes[workorder.id, workcenter] = duration
            operations[workorder.production_id.id].append(
                Operation(
                    key=workorder.id,
                    options=tuple(
                        (workcenter, minutes_to_seconds(duration))
                        for workcenter, duration in options
                    ),
                    after=tuple(
                        blocking.id
                        for blocking in workorder.blocked_by_workorder_ids
                        if blocking.id in planned_ids
                    ),
                )
            )
        return operations, to_plan, running_finish, minutes

    def _compute_schedule(self, now=None):
        """Run the engine on these orders; write nothing. Returns the plan."""
        now = (now or fields.Datetime.now()).replace(second=0, microsecond=0)
        orders = self._get_fulfillment_sale_orders()
        priority = self._get_schedule_priority(orders)
        earliest, depends = self._get_schedule_material_constraints(priority, now)
        operations, to_plan, running_finish, minutes = self._get_schedule_operations()
        planned_ids = set(to_plan.ids)
        jobs = []
        for production in self:
            start = earliest[production.id]
            # Work orders in progress keep going: what waits for them starts after.
            for workorder in production.workorder_ids:
                if workorder.id not in planned_ids:
                    continue
                for blocking in workorder.blocked_by_workorder_ids:
                    if blocking.id in running_finish:
                        start = max(start, running_finish[blocking.id])
            lead = 0
            if not operations[production.id] and not production.workorder_ids:
                lead = (production.bom_id.produce_delay or 0) * 86400
            jobs.append(
                Job(
                    key=production.id,
                    earliest_start=to_timestamp(start),
                    priority=priority[production.id],
                    operations=operations[production.id],
                    after_jobs=tuple(sorted(depends[production.id])),
                    lead_time=lead,
                )
            )
        workcenters = (
            to_plan.workcenter_id | to_plan.workcenter_id.alternative_workcenter_ids
        )
        try:
            # The bookings of the work orders being placed are free again.
            result = self._run_schedule_engine(workcenters, jobs, now, to_plan.leave_id)
        except PlanningError as error:
            workorder = self.env["mrp.workorder"].browse(error.operation)
            raise UserError(
                self.env._(
                    "Cannot schedule %(workorder)s: its work centers have no "
                    "free working time in the next %(days)s days.",
                    workorder=workorder.exists().display_name or str(error),
                    days=MAX_HORIZON_DAYS,
                )
            ) from error
        result.to_plan = to_plan
        result.minutes = minutes
        return result

    @api.model
    def _run_schedule_engine(self, workcenters, jobs, now, released):
        """Run the engine over a horizon long enough for the load.

        Working time is computed far enough ahead for the load at once (see
        ``estimate_end``); a plan that still runs out is retried on a doubled
        horizon, up to MAX_HORIZON_DAYS. Raises PlanningError beyond it.
        """
        horizon = DEFAULT_HORIZON_DAYS
        while True:
            date_to = now + timedelta(days=horizon)
            engine_workcenters = self._get_schedule_workcenters(
                workcenters, now, date_to, released
            )
            needed = estimate_end(
                engine_workcenters, jobs, to_timestamp(now), to_timestamp(date_to)
            )
            if needed > to_timestamp(date_to) and horizon < MAX_HORIZON_DAYS:
                horizon = min(
                    MAX_HORIZON_DAYS,
                    math.ceil((needed - to_timestamp(now)) / 86400),
                )
                continue
            try:
                return schedule(engine_workcenters, jobs)
            except PlanningError as error:
                if error.operation is None or horizon >= MAX_HORIZON_DAYS:
                    raise
                horizon = min(horizon * 2, MAX_HORIZON_DAYS)

    def _apply_schedule(self, plan):
        """Write the plan into Odoo's planning fields, in batch."""
        to_plan = plan.to_plan
        workorders = to_plan.filtered(lambda workorder: workorder.id in plan.slots)
        # The orders' new dates: from the slots, and from the work orders that
        # keep theirs (in progress).
        placed_ids = set(workorders.ids)
        dates = {}
        for production in self:
            kept = production.workorder_ids.filtered(
                lambda workorder: (
                    workorder.state not in ("done", "cancel")
                    and workorder.id not in placed_ids
                    and workorder.date_start
                )
            )
            bounds = [
                (plan.slots[workorder.id].start, plan.slots[workorder.id].end)
                for workorder in production.workorder_ids
                if workorder.id in plan.slots
            ] + [
                (
                    to_timestamp(workorder.date_start),
                    to_timestamp(workorder.date_finished),
                )
                for workorder in kept
            ]
            if not bounds and production.state == "confirmed":
                bounds = [
                    (plan.job_start[production.id], plan.job_finish[production.id])
                ]
            if bounds:
                dates[production] = (
                    from_timestamp(min(start for start, _end in bounds)),
                    from_timestamp(max(end for _start, end in bounds)),
                )
        for workorder in workorders:
            workcenter = plan.slots[workorder.id].workcenter
            if workcenter != workorder.workcenter_id.id:
                # As Odoo's own planning does: the duration on the alternative.
                workorder.write(
                    {
                        "workcenter_id": workcenter,
                        "duration_expected": plan.minutes[workorder.id, workcenter],
                    }
                )
        # Only now: Odoo's write of a work center moves, or books anew, the
        # work order's leave, which must not outlive the new booking.
        workorders.leave_id.unlink()
        leaves = self.env["resource.calendar.leaves"].create(
            [
                workorder._prepare_schedule_leave_vals(plan.slots[workorder.id])
                for workorder in workorders
            ]
        )
        write_per_record(workorders, [{"leave_id": leave.id} for leave in leaves])
        productions = self.browse([production.id for production in dates])
        write_per_record(
            productions,
            [
                {"date_start": start, "date_finished": end}
                for start, end in dates.values()
            ],
        )
        # What Odoo's write does on a date change: the raw moves follow the
        # order and their deadline spreads to the moves linked to them (the
        # finished moves follow by Odoo's own compute on date_finished).
        raw_moves = productions.move_raw_ids
        raw_moves.fetch(["move_orig_ids", "move_dest_ids", "date_deadline", "state"])
        for production, (start, _end) in dates.items():
            production.move_raw_ids._set_date_deadline(start)
        raw_dates = {
            move.id: start
            for production, (start, _end) in dates.items()
            for move in production.move_raw_ids
        }
        write_per_record(
            raw_moves,
            [
                {"date": raw_dates[move.id], "date_deadline": raw_dates[move.id]}
                for move in raw_moves
            ],
        )
        return True

    @api.model
    def _report_late_orders(self, orders):
        """Record a warning review issue on the orders the plan makes late.

        Through the company's *Promised date cannot be met* rule, when it has
        one and the order review on; the same finish is reported once.
        """
        late = orders.sudo().filtered("is_production_late")
        if not late:
            return
        rules = (
            self.env["sale.review.rule"]
            .sudo()
            .search(
                [
                    ("rule_type", "=", "late_delivery"),
                    ("company_id", "in", late.company_id.ids),
                    ("company_id.sale_review_enabled", "=", True),
                ]
            )
        )
        vals_list = []
        for order in late:
            rule = rules.filtered(
                lambda rule, order=order: rule.company_id == order.company_id
            )[:1]
            if not rule:
                continue
            vals = dict(
                rule._prepare_issue_vals(
                    order,
                    message(
                        REVIEW_MESSAGES["late_production"],
                        finish=datetime_param(order.production_finish_date),
                        promised=datetime_param(order.commitment_date),
                    ),
                ),
                severity="warning",
            )
            reported = [
                (issue.message_code, issue.message_params)
                for issue in order.review_issue_ids
            ]
            if (vals["message_code"], vals["message_params"]) in reported:
                continue
            vals_list.append(vals)
        self.env["sale.review.issue"].sudo().create(vals_list)

    # -- simulation (promise dates) -------------------------------------------

    @api.model
    def _get_made_to_order(self, items):
        """Keys of the ``items`` manufactured for each demand (MTO + Manufacture).

        ``items`` is a list of (key, product, warehouse, route or empty); the
        routes and rules of all of them are read at once.
        """
        mto_route = self.env.ref("stock.route_warehouse0_mto", raise_if_not_found=False)
        routes = {}
        for key, product, _warehouse, route in items:
            routes[key] = route | product.route_ids | product.categ_id.total_route_ids
        self.env["stock.route"].union(*routes.values()).rule_ids.fetch(
            ["action", "procure_method", "warehouse_id"]
        )
        result = set()
        for key, _product, warehouse, _route in items:
            rules = routes[key].rule_ids.filtered(
                lambda rule, warehouse=warehouse: (
                    not rule.warehouse_id or rule.warehouse_id == warehouse
                )
            )
            if any(rule.action == "manufacture" for rule in rules) and (
                (mto_route and mto_route in routes[key])
                or any(rule.procure_method == "make_to_order" for rule in rules)
            ):
                result.add(key)
        return result

    @api.model
    def _prepare_simulated_job(self, product, quantity, warehouse, company, state):
        """Engine job (and sub-jobs) making ``quantity`` of ``product``.

        ``state`` collects jobs, component needs and the next free key.
        Returns the job's key.
        """
        bom = (
            self.env["mrp.bom"]
            ._bom_find(
                product,
                picking_type=warehouse.manu_type_id,
                company_id=company.id,
                bom_type="normal",
            )
            .get(product)
        )
        key = state["next_key"]
        state["next_key"] += 1
        job = Job(key=key, earliest_start=state["now"], priority=(key,))
        state["jobs"].append(job)
        if not bom:
            return key
        factor = product.uom_id._compute_quantity(quantity, bom.product_uom_id) / (
            bom.product_qty or 1
        )
        boms_done, lines_done = bom.explode(product, factor)
        previous = ()
        for done_bom, values in boms_done:
            dependencies = done_bom.allow_operation_dependencies
            by_operation = {}
            for operation in done_bom.operation_ids.sorted("sequence"):
                if operation._skip_operation_line(values["product"]):
                    continue
                options = [operation.workcenter_id] + list(
                    operation.workcenter_id.alternative_workcenter_ids
                )
                op_key = (key, operation.id)
                if dependencies:
                    after = tuple(
                        (key, blocking.id)
                        for blocking in operation.blocked_by_operation_ids
                    )
                else:
                    after = previous
                job.operations.append(
                    Operation(
                        key=op_key,
                        options=tuple(
                            (
                                workcenter.id,
                                minutes_to_seconds(
                                    operation._get_duration_expected(
                                        values["product"],
                                        values["qty"] * done_bom.product_qty,
                                        done_bom.product_uom_id,
                                        workcenter,
                                    )
                                ),
                            )
                            for workcenter in options
                        ),
                        after=after,
                    )
                )
                by_operation[operation.id] = op_key
                previous = (op_key,)
            state["workcenters"] |= done_bom.operation_ids.workcenter_id
            state["workcenters"] |= (
                done_bom.operation_ids.workcenter_id.alternative_workcenter_ids
            )
        if not job.operations:
            job.lead_time = (bom.produce_delay or 0) * 86400
        after_jobs = []
        for line, values in lines_done:
            component = line.product_id
            component_qty = line.product_uom_id._compute_quantity(
                values["qty"], component.uom_id
            )
            if component.is_storable and self._get_made_to_order(
                [(0, component, warehouse, self.env["stock.route"])]
            ):
                after_jobs.append(
                    self._prepare_simulated_job(
                        component, component_qty, warehouse, company, state
                    )
                )
            else:
                state["needs"].append((key, component, component_qty, warehouse))
        job.after_jobs = tuple(after_jobs)
        return key

    @api.model
    def _simulate_production_finish(self, requests, now=None):
        """When new production for ``requests`` would finish, on top of the plan.

        ``requests`` is a list of (key, product, quantity in product UoM,
        warehouse, company), most urgent first. Nothing is written: the current
        bookings are fixed load, components are allocated from free stock,
        receipts and lead times. Returns {key: datetime}.
        """
        now = (now or fields.Datetime.now()).replace(second=0, microsecond=0)
        state = {
            "now": to_timestamp(now),
            "next_key": 1,
            "jobs": [],
            "needs": [],
            "workcenters": self.env["mrp.workcenter"],
        }
        tops = {}
        for key, product, quantity, warehouse, company in requests:
            tops[key] = self._prepare_simulated_job(
                product, quantity, warehouse, company, state
            )
        if state["needs"]:
            company = requests[0][4]
            ready = self._get_component_ready_dates(state["needs"], now, company)
            for job in state["jobs"]:
                if job.key in ready:
                    job.earliest_start = max(
                        job.earliest_start, to_timestamp(ready[job.key])
                    )
        try:
            plan = self._run_schedule_engine(
                state["workcenters"],
                state["jobs"],
                now,
                self.env["resource.calendar.leaves"],
            )
        except PlanningError as error:
            raise UserError(
                self.env._(
                    "Cannot find free working time for this production in the "
                    "next %(days)s days.",
                    days=MAX_HORIZON_DAYS,
                )
            ) from error
        return {
            key: from_timestamp(plan.job_finish[job_key])
            for key, job_key in tops.items()
        }
