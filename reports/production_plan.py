from collections import defaultdict

import pytz

from odoo import api, models


class ReportProductionPlan(models.AbstractModel):
    """Daily production plan: per work center and day, the planned slots."""

    _name = "report.sale_fulfillment.report_production_plan"
    _description = "Daily Production Plan"

    @api.model
    def _get_plan_days(self, workorders):
        """[(day, [(work center, [work orders by start])])], in the reader's zone.

        A work order running over several days appears on each of them.
        """
        zone = pytz.timezone(self.env.user.tz or "UTC")
        days = defaultdict(lambda: defaultdict(list))
        planned = workorders.filtered("date_start").sorted(
            lambda workorder: (workorder.date_start, workorder.id)
        )
        for workorder in planned:
            first = pytz.utc.localize(workorder.date_start).astimezone(zone).date()
            last = (
                pytz.utc.localize(workorder.date_finished or workorder.date_start)
                .astimezone(zone)
                .date()
            )
            day = first
            while day <= last:
                days[day][workorder.workcenter_id].append(workorder)
                day = day.fromordinal(day.toordinal() + 1)
        return [
            (
                day,
                sorted(
                    centers.items(),
                    key=lambda item: (item[0].sequence, item[0].name or ""),
                ),
            )
            for day, centers in sorted(days.items())
        ]

    @api.model
    def _get_report_values(self, docids, data=None):
        workorders = self.env["mrp.workorder"].browse(docids)
        orders = workorders.production_id._get_fulfillment_sale_orders()
        return {
            "sale_orders": {
                workorder.id: orders.get(workorder.production_id.id)
                for workorder in workorders
            },
            "doc_ids": docids,
            "doc_model": "mrp.workorder",
            "docs": workorders,
            "plan_days": self._get_plan_days(workorders),
            "tz": self.env.user.tz or "UTC",
        }
