from collections import Counter

from odoo import api, fields, models

from ..const import SEVERITIES


class SaleReviewSimulation(models.TransientModel):
    _name = "sale.review.simulation"
    _inherit = "sale.order.simulation.mixin"
    _description = "Review Simulation"

    order_ids = fields.Many2many(required=True)
    line_ids = fields.One2many(
        comodel_name="sale.review.simulation.line",
        inverse_name="simulation_id",
        compute="_compute_results",
        compute_sudo=False,
        store=True,
    )
    rule_line_ids = fields.One2many(
        comodel_name="sale.review.simulation.rule",
        inverse_name="simulation_id",
        compute="_compute_results",
        compute_sudo=False,
        store=True,
    )
    order_count = fields.Integer(
        compute="_compute_results", compute_sudo=False, store=True
    )
    held_count = fields.Integer(
        string="Would Be Held",
        compute="_compute_results",
        compute_sudo=False,
        store=True,
    )

    @api.depends("order_ids")
    def _compute_results(self):
        self._check_simulation_access()
        for simulation in self:
            orders = simulation.order_ids._origin
            issues = orders._review_evaluate()
            per_rule = Counter()
            lines = []
            for order in orders:
                order_issues = issues.get(order, [])
                per_rule.update(
                    (vals["rule_id"], vals["severity"]) for vals in order_issues
                )
                lines.append(
                    fields.Command.create(
                        {
                            "order_id": order.id,
                            "held": any(
                                vals["severity"] == "block" for vals in order_issues
                            ),
                            "messages": "\n".join(
                                vals["message"] for vals in order_issues
                            ),
                        }
                    )
                )
            simulation.line_ids = [fields.Command.clear(), *lines]
            simulation.rule_line_ids = [fields.Command.clear()] + [
                fields.Command.create(
                    {"rule_id": rule_id, "severity": severity, "order_count": count}
                )
                for (rule_id, severity), count in sorted(per_rule.items())
            ]
            simulation.order_count = len(orders)
            simulation.held_count = sum(1 for command in lines if command[2]["held"])


class SaleReviewSimulationLine(models.TransientModel):
    _name = "sale.review.simulation.line"
    _description = "Review Simulation: Order"
    _order = "held desc, id"

    simulation_id = fields.Many2one(
        comodel_name="sale.review.simulation", required=True, ondelete="cascade"
    )
    order_id = fields.Many2one(comodel_name="sale.order", required=True)
    # Read with the reader's rights: an onchange may name any order.
    partner_id = fields.Many2one(related="order_id.partner_id", compute_sudo=False)
    amount_total = fields.Monetary(related="order_id.amount_total", compute_sudo=False)
    currency_id = fields.Many2one(related="order_id.currency_id", compute_sudo=False)
    held = fields.Boolean(string="Would Be Held")
    messages = fields.Text(string="Issues")


class SaleReviewSimulationRule(models.TransientModel):
    _name = "sale.review.simulation.rule"
    _description = "Review Simulation: Rule"
    _order = "order_count desc, id"

    simulation_id = fields.Many2one(
        comodel_name="sale.review.simulation", required=True, ondelete="cascade"
    )
    rule_id = fields.Many2one(comodel_name="sale.review.rule", required=True)
    severity = fields.Selection(selection=SEVERITIES)
    order_count = fields.Integer(string="Orders")
