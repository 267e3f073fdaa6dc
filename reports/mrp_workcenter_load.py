from bisect import bisect_right
from collections import defaultdict
from datetime import datetime, time, timedelta, timezone

import pytz

from odoo import api, fields, models

# What the plan shows around today, in days.
LOAD_DAYS_BEFORE = 7
LOAD_DAYS_AFTER = 120


class MrpWorkcenterLoad(models.TransientModel):
    """Planned hours against capacity hours, per work center and day.

    Rebuilt for the reader each time the plan is opened, from the work
    centers' calendars (time off included) and the work orders' bookings, so
    that it always matches Odoo's own planning.
    """

    _name = "mrp.workcenter.load"
    _description = "Work Center Load"
    _order = "date, workcenter_id"

    workcenter_id = fields.Many2one(
        comodel_name="mrp.workcenter",
        string="Work Center",
        required=True,
        readonly=True,
        ondelete="cascade",
    )
    company_id = fields.Many2one(related="workcenter_id.company_id", store=True)
    date = fields.Date(required=True, readonly=True)
    capacity_hours = fields.Float(string="Capacity (Hours)", readonly=True)
    planned_hours = fields.Float(string="Planned (Hours)", readonly=True)
    free_hours = fields.Float(string="Free (Hours)", readonly=True)
    workorder_count = fields.Integer(string="Work Orders", readonly=True)

    @api.model
    def _prepare_load_vals_list(self, workcenters, date_from, date_to):
        """One row per work center and working day between the two dates."""
        start = datetime.combine(date_from, time.min)
        stop = datetime.combine(date_to + timedelta(days=1), time.min)
        rows = defaultdict(lambda: [0.0, 0.0, set()])
        workorders = self.env["mrp.workorder"].search_fetch(
            [
                ("workcenter_id", "in", workcenters.ids),
                ("state", "not in", ("done", "cancel")),
                ("date_start", "<", stop),
                ("date_finished", ">", start),
            ],
            ["workcenter_id", "date_start", "date_finished"],
        )
        by_workcenter = defaultdict(list)
        for workorder in workorders:
            by_workcenter[workorder.workcenter_id.id].append(workorder)
        for calendar in workcenters.resource_calendar_id:
            members = workcenters.filtered(
                lambda workcenter, calendar=calendar: (
                    workcenter.resource_calendar_id == calendar
                )
            )
            zone = pytz.timezone(calendar.tz or "UTC")
            # Each work center's hours in its own time zone, as the scheduler
            # books them (the calendar's zone only bounds the days).
            intervals = calendar._work_intervals_batch(
                zone.localize(start),
                zone.localize(stop),
                resources=members.resource_id,
            )
            for workcenter in members:
                units = workcenter.parallel_units or 1
                slots = [
                    (
                        begin.astimezone(timezone.utc).replace(tzinfo=None),
                        end.astimezone(timezone.utc).replace(tzinfo=None),
                        begin.date(),
                    )
                    for begin, end, _records in intervals[workcenter.resource_id.id]
                ]
                for begin, end, day in slots:
                    rows[workcenter.id, day][0] += (
                        (end - begin).total_seconds() / 3600 * units
                    )
                # Each booking meets the working intervals it overlaps (bisect).
                slot_ends = [end for _begin, end, _day in slots]
                for workorder in by_workcenter[workcenter.id]:
                    index = bisect_right(slot_ends, workorder.date_start)
                    while (
                        index < len(slots) and slots[index][0] < workorder.date_finished
                    ):
                        begin, end, day = slots[index]
                        overlap = min(end, workorder.date_finished) - max(
                            begin, workorder.date_start
                        )
                        if overlap.total_seconds() > 0:
                            rows[workcenter.id, day][1] += (
                                overlap.total_seconds() / 3600
                            )
                            rows[workcenter.id, day][2].add(workorder.id)
                        index += 1
        return [
            {
                "workcenter_id": workcenter_id,
                "date": day,
                "capacity_hours": capacity,
                "planned_hours": planned,
                "free_hours": capacity - planned,
                "workorder_count": len(workorder_ids),
            }
            for (workcenter_id, day), (capacity, planned, workorder_ids) in sorted(
                rows.items()
            )
        ]

    @api.model
    def action_open_workcenter_load(self):
        """Rebuild the reader's rows and open the plan (pivot by week)."""
        today = fields.Date.context_today(self)
        workcenters = self.env["mrp.workcenter"].search(
            [("resource_calendar_id", "!=", False)]
        )
        self.search([("create_uid", "=", self.env.uid)]).unlink()
        self.create(
            self._prepare_load_vals_list(
                workcenters,
                today - timedelta(days=LOAD_DAYS_BEFORE),
                today + timedelta(days=LOAD_DAYS_AFTER),
            )
        )
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "sale_fulfillment.mrp_workcenter_load_action"
        )
        action["domain"] = [("create_uid", "=", self.env.uid)]
        return action
