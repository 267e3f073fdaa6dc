import re

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools.safe_eval import safe_eval

from ..const import ALLOCATION_RULE_TYPES, ALLOCATION_SPLIT_POLICIES


class SaleAllocationRule(models.Model):
    """A rule of order allocation: which warehouse ships an order, which
    carrier takes it, which team and salesperson handle it. The first matching
    rule of each type (by sequence) decides."""

    _name = "sale.allocation.rule"
    _description = "Allocation Rule"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        comodel_name="res.company",
        required=True,
        default=lambda self: self.env.company,
        index=True,
    )
    rule_type = fields.Selection(
        selection=ALLOCATION_RULE_TYPES,
        string="Decides",
        required=True,
        default="warehouse",
    )
    filter_domain = fields.Char(
        string="Applies To",
        default="[]",
        help="The orders the rule applies to, besides their destination. Empty: "
        "every order.",
    )
    country_ids = fields.Many2many(
        comodel_name="res.country",
        string="Countries",
        help="Delivery addresses in these countries. Empty: any country.",
    )
    state_ids = fields.Many2many(
        comodel_name="res.country.state",
        string="States",
        domain="[('country_id', 'in', country_ids)]",
        help="Delivery addresses in these states or provinces. Empty: any state.",
    )
    zip_prefixes = fields.Char(
        string="ZIP Prefixes",
        help="Delivery addresses whose ZIP code starts with one of these "
        "prefixes, separated by commas or spaces (e.g. 310, 311). Empty: any ZIP.",
    )
    warehouse_ids = fields.One2many(
        comodel_name="sale.allocation.rule.warehouse",
        inverse_name="rule_id",
        string="Warehouses",
        copy=True,
        help="In order of preference.",
    )
    split_policy = fields.Selection(
        selection=ALLOCATION_SPLIT_POLICIES,
        string="Split by Warehouse",
        required=True,
        default="never",
        help="When no warehouse has the stock of the whole order.",
    )
    carrier_ids = fields.Many2many(
        comodel_name="delivery.carrier",
        string="Carriers",
        check_company=True,
        help="Candidates: the cheapest one available for the order's destination "
        "and weight takes the order.",
    )
    team_id = fields.Many2one(
        comodel_name="crm.team",
        string="Sales Team",
        check_company=True,
    )
    user_ids = fields.Many2many(
        comodel_name="res.users",
        string="Salespeople",
        domain="[('share', '=', False)]",
        help="Orders go to them in turn. Empty: the team's leader.",
    )
    sale_allocation_enabled = fields.Boolean(
        related="company_id.sale_allocation_enabled",
    )
    last_user_id = fields.Many2one(
        comodel_name="res.users",
        string="Last Assigned",
        readonly=True,
        copy=False,
        help="The salesperson of the last order this rule assigned: the next "
        "order goes to the one after.",
    )

    @api.constrains("rule_type", "warehouse_ids", "carrier_ids", "team_id")
    def _check_rule_type(self):
        for rule in self:
            if rule.rule_type == "warehouse" and not rule.warehouse_ids:
                raise ValidationError(
                    self.env._(
                        "The allocation rule %(name)s chooses a warehouse: list at "
                        "least one warehouse.",
                        name=rule.name,
                    )
                )
            if rule.rule_type == "carrier" and not rule.carrier_ids:
                raise ValidationError(
                    self.env._(
                        "The allocation rule %(name)s chooses a carrier: list at "
                        "least one carrier.",
                        name=rule.name,
                    )
                )
            if rule.rule_type == "team" and not rule.team_id:
                raise ValidationError(
                    self.env._(
                        "The allocation rule %(name)s chooses a sales team: set "
                        "the team.",
                        name=rule.name,
                    )
                )

    @api.constrains("warehouse_ids", "company_id")
    def _check_warehouse_company(self):
        for rule in self:
            other = rule.warehouse_ids.warehouse_id.filtered(
                lambda warehouse, rule=rule: warehouse.company_id != rule.company_id
            )
            if other:
                raise ValidationError(
                    self.env._(
                        "The allocation rule %(name)s lists %(warehouse)s, a "
                        "warehouse of another company.",
                        name=rule.name,
                        warehouse=other[0].display_name,
                    )
                )

    @api.model
    def action_open_allocation_test(self):
        """Test the rules: the allocation simulation, empty, for the user to
        pick quotations and read what the rules would decide for them."""
        return self.env["sale.allocation.simulation"]._get_action()

    def _get_zip_prefixes(self):
        """The ZIP prefixes of the rule, as a tuple of strings."""
        self.ensure_one()
        return tuple(
            prefix
            for prefix in re.split(r"[\s,;，、]+", self.zip_prefixes or "")
            if prefix
        )

    def _get_domain(self):
        """The rule's order condition, evaluated."""
        self.ensure_one()
        return safe_eval(self.filter_domain or "[]") or []

    def _filter_orders(self, orders):
        """The orders of ``orders`` this rule applies to: their destination and
        the rule's condition, evaluated in memory on the whole batch."""
        self.ensure_one()
        prefixes = self._get_zip_prefixes()
        countries, states = self.country_ids, self.state_ids
        matching = orders.filtered(
            lambda order: (
                order.company_id == self.company_id
                and (not countries or order.partner_shipping_id.country_id in countries)
                and (not states or order.partner_shipping_id.state_id in states)
                and (
                    not prefixes
                    or (order.partner_shipping_id.zip or "")
                    .replace(" ", "")
                    .startswith(prefixes)
                )
            )
        )
        domain = self._get_domain()
        if domain and matching:
            matching = matching.filtered_domain(domain)
        return matching

    def _get_warehouses(self):
        """The rule's warehouses in order of preference."""
        self.ensure_one()
        return self.warehouse_ids.sorted(lambda line: (line.sequence, line.id)).mapped(
            "warehouse_id"
        )

    def _get_next_users(self, count):
        """The ``count`` next salespeople of the rule, in turn after the last
        one assigned."""
        self.ensure_one()
        users = self.user_ids.sorted("id") or self.team_id.user_id
        if not users:
            return [self.env["res.users"]] * count
        start = 0
        if self.last_user_id in users:
            start = list(users).index(self.last_user_id) + 1
        return [users[(start + index) % len(users)] for index in range(count)]


class SaleAllocationRuleWarehouse(models.Model):
    _name = "sale.allocation.rule.warehouse"
    _description = "Warehouse of an Allocation Rule"
    _order = "sequence, id"

    rule_id = fields.Many2one(
        comodel_name="sale.allocation.rule",
        required=True,
        ondelete="cascade",
        index=True,
    )
    sequence = fields.Integer(default=10)
    warehouse_id = fields.Many2one(
        comodel_name="stock.warehouse",
        required=True,
        ondelete="cascade",
    )
    _sql_constraints = [
        (
            "rule_warehouse_unique",
            "unique(rule_id, warehouse_id)",
            "A warehouse appears once in the preference list of a rule.",
        ),
    ]
