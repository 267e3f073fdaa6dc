from odoo import fields, models

from .mrp_production import from_timestamp


class MrpWorkorder(models.Model):
    _inherit = "mrp.workorder"

    fulfillment_sale_id = fields.Many2one(
        related="production_id.fulfillment_sale_id",
        string="Sales Order",
        groups="sales_team.group_sale_salesman",
    )

    def _prepare_schedule_leave_vals(self, slot):
        """Values of the calendar leave booking this work order at ``slot``.

        The same leave Odoo's own planning creates, so that ``button_unplan``,
        the Gantt-less calendar and the work center load all read it.
        """
        self.ensure_one()
        workcenter = self.env["mrp.workcenter"].browse(slot.workcenter)
        return {
            "name": self.display_name,
            "calendar_id": workcenter.resource_calendar_id.id,
            "date_from": from_timestamp(slot.start),
            "date_to": from_timestamp(slot.end),
            "resource_id": workcenter.resource_id.id,
            "time_type": "other",
        }
