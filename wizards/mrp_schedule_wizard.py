from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError


class MrpScheduleWizard(models.TransientModel):
    _name = "mrp.schedule.wizard"
    _description = "Schedule Production"

    company_id = fields.Many2one(
        comodel_name="res.company",
        required=True,
        default=lambda self: self.env.company,
    )
    horizon_days = fields.Integer(
        string="Horizon (Days)",
        default=30,
        required=True,
        help="Manufacturing orders planned to start within this many days.",
    )
    scope = fields.Selection(
        selection=[
            ("mto", "Make-to-order only"),
            ("all", "All manufacturing orders"),
        ],
        default="mto",
        required=True,
        help="Make-to-order only: orders (and their sub-assemblies) made for a "
        "sales order. The others stay where they are, as fixed load.",
    )
    replan = fields.Boolean(
        string="Replan Planned Orders",
        help="Also move orders that already have a plan. Work orders in progress "
        "never move.",
    )
    production_ids = fields.Many2many(
        comodel_name="mrp.production",
        string="Manufacturing Orders",
        compute="_compute_production_ids",
    )
    production_count = fields.Integer(compute="_compute_production_ids")

    @api.constrains("horizon_days")
    def _check_horizon_days(self):
        if any(wizard.horizon_days <= 0 for wizard in self):
            raise ValidationError(self.env._("The horizon must be at least one day."))

    @api.depends("company_id", "horizon_days", "scope", "replan")
    def _compute_production_ids(self):
        for wizard in self:
            productions = wizard._get_productions()
            wizard.production_ids = productions
            wizard.production_count = len(productions)

    def _get_productions(self):
        """The manufacturing orders this wizard schedules."""
        self.ensure_one()
        production = self.env["mrp.production"].with_company(self.company_id)
        productions = production.search(
            production._get_schedule_domain(
                horizon_days=max(self.horizon_days, 1),
                replan=self.replan,
                company=self.company_id,
            )
        )
        if self.scope == "mto":
            orders = productions._get_fulfillment_sale_orders()
            productions = productions.filtered(
                lambda production: production.id in orders
            )
        return productions

    def action_schedule(self):
        """Schedule the orders, then open the production plan."""
        self.ensure_one()
        productions = self._get_productions()
        if not productions:
            raise UserError(
                self.env._(
                    "No manufacturing order to schedule: none is confirmed within "
                    "%(days)s days with these options.",
                    days=self.horizon_days,
                )
            )
        productions.with_company(self.company_id).action_schedule()
        return self.env["mrp.workcenter.load"].action_open_workcenter_load()
