from odoo import fields, models
from odoo.exceptions import UserError


class SaleFulfillmentStatisticsWizard(models.TransientModel):
    _name = "sale.fulfillment.statistics.wizard"
    _description = "Print Order Statistics"

    company_id = fields.Many2one(
        comodel_name="res.company",
        required=True,
        default=lambda self: self.env.company,
        domain=lambda self: [("id", "in", self.env.user.company_ids.ids)],
    )
    date_from = fields.Date(
        string="From",
        required=True,
        default=lambda self: fields.Date.context_today(self).replace(day=1),
    )
    date_to = fields.Date(
        string="To",
        required=True,
        default=lambda self: fields.Date.context_today(self),
    )

    def action_print(self):
        """The Order Statistics PDF of the period, every KPI included."""
        self.ensure_one()
        if self.date_to < self.date_from:
            raise UserError(self.env._("The period must end after it begins."))
        return self.env.ref(
            "sale_fulfillment.action_report_order_statistics"
        ).report_action(
            self.env["sale.fulfillment.digest"],
            data={
                "company_id": self.company_id.id,
                "date_from": fields.Date.to_string(self.date_from),
                "date_to": fields.Date.to_string(self.date_to),
            },
        )
