from collections import Counter

from odoo import api, fields, models

from ..models.sale_fulfillment_message_mixin import MessageRenderer


class SaleAllocationSimulation(models.TransientModel):
    """A dry run of the allocation rules on quotations: what each order would
    get, and how many orders each warehouse and carrier would take. Nothing is
    written on the orders. Opened from the order lists (*Simulate
    Allocation*) on the selected quotations, or empty from the rule list to
    test the rules on orders picked by hand."""

    _name = "sale.allocation.simulation"
    _inherit = "sale.order.simulation.mixin"
    _description = "Allocation Simulation"

    order_ids = fields.Many2many(domain="[('state', 'in', ('draft', 'sent'))]")
    line_ids = fields.One2many(
        comodel_name="sale.allocation.simulation.line",
        inverse_name="simulation_id",
        compute="_compute_results",
        compute_sudo=False,
        store=True,
    )
    count_ids = fields.One2many(
        comodel_name="sale.allocation.simulation.count",
        inverse_name="simulation_id",
        string="Orders per Warehouse and Carrier",
        compute="_compute_results",
        compute_sudo=False,
        store=True,
    )
    order_count = fields.Integer(
        string="Orders Simulated",
        compute="_compute_results",
        compute_sudo=False,
        store=True,
    )
    allocated_count = fields.Integer(
        string="Orders a Rule Applies To",
        compute="_compute_results",
        compute_sudo=False,
        store=True,
    )
    allocation_enabled = fields.Boolean(
        compute="_compute_results",
        compute_sudo=False,
        store=True,
    )
    split_count = fields.Integer(
        string="Split by Warehouse",
        compute="_compute_results",
        compute_sudo=False,
        store=True,
    )

    @api.depends("order_ids")
    def _compute_results(self):
        self._check_simulation_access()
        renderer = MessageRenderer(self.env)
        for simulation in self:
            orders = simulation.order_ids._origin.filtered(
                lambda order: order.state in ("draft", "sent")
            )
            plan = (
                orders.with_context(sale_allocation_dry_run=True)._get_allocation_plan()
                if orders
                else {}
            )
            counts = Counter()
            lines = []
            for order, decision in plan.items():
                warehouses = self.env["stock.warehouse"].union(
                    *([decision["warehouse"]] if decision["warehouse"] else []),
                    *decision["line_warehouses"].values(),
                )
                counts.update(("warehouse", warehouse.id) for warehouse in warehouses)
                if decision["carrier"]:
                    counts[("carrier", decision["carrier"].id)] += 1
                lines.append(
                    fields.Command.create(
                        {
                            "order_id": order.id,
                            "warehouse_ids": [fields.Command.set(warehouses.ids)],
                            "carrier_id": decision["carrier"]
                            and decision["carrier"].id,
                            "carrier_price": decision["carrier_price"],
                            "team_id": decision["team"] and decision["team"].id,
                            "user_id": decision["user"] and decision["user"].id,
                            "warehouse_rule_id": decision["warehouse_rule"]
                            and decision["warehouse_rule"].id,
                            "carrier_rule_id": decision["carrier_rule"]
                            and decision["carrier_rule"].id,
                            "team_rule_id": decision["team_rule"]
                            and decision["team_rule"].id,
                            "note": renderer.render(decision["note"]),
                            "matched": bool(decision["clauses"]),
                        }
                    )
                )
            simulation.line_ids = [fields.Command.clear(), *lines]
            simulation.count_ids = [fields.Command.clear()] + [
                fields.Command.create(
                    {
                        "kind": kind,
                        "warehouse_id": record_id if kind == "warehouse" else False,
                        "carrier_id": record_id if kind == "carrier" else False,
                        "order_count": count,
                    }
                )
                for (kind, record_id), count in sorted(
                    counts.items(),
                    key=lambda item: (item[0][0] != "warehouse", -item[1]),
                )
            ]
            simulation.allocation_enabled = all(
                orders.company_id.mapped("sale_allocation_enabled")
            )
            simulation.order_count = len(plan)
            simulation.allocated_count = sum(
                1 for decision in plan.values() if decision["clauses"]
            )
            simulation.split_count = sum(
                1
                for decision in plan.values()
                if len(set(decision["line_warehouses"].values())) > 1
            )


class SaleAllocationSimulationLine(models.TransientModel):
    _name = "sale.allocation.simulation.line"
    _description = "Allocation Simulation: Order"
    _order = "matched desc, id"

    simulation_id = fields.Many2one(
        comodel_name="sale.allocation.simulation", required=True, ondelete="cascade"
    )
    order_id = fields.Many2one(comodel_name="sale.order", required=True)
    # Read with the reader's rights: an onchange may name any order.
    partner_id = fields.Many2one(related="order_id.partner_id", compute_sudo=False)
    shipping_state_id = fields.Many2one(
        related="order_id.partner_shipping_id.state_id",
        string="Destination Province",
        compute_sudo=False,
    )
    currency_id = fields.Many2one(related="order_id.currency_id", compute_sudo=False)
    matched = fields.Boolean(string="A Rule Applies")
    warehouse_ids = fields.Many2many(
        comodel_name="stock.warehouse", string="Would Ship From"
    )
    carrier_id = fields.Many2one(comodel_name="delivery.carrier")
    carrier_price = fields.Monetary(string="Shipping Price")
    team_id = fields.Many2one(comodel_name="crm.team", string="Sales Team")
    user_id = fields.Many2one(comodel_name="res.users", string="Salesperson")
    warehouse_rule_id = fields.Many2one(comodel_name="sale.allocation.rule")
    carrier_rule_id = fields.Many2one(comodel_name="sale.allocation.rule")
    team_rule_id = fields.Many2one(comodel_name="sale.allocation.rule")
    note = fields.Text(string="Why")


class SaleAllocationSimulationCount(models.TransientModel):
    _name = "sale.allocation.simulation.count"
    _description = "Allocation Simulation: Orders per Warehouse or Carrier"
    _order = "id"

    simulation_id = fields.Many2one(
        comodel_name="sale.allocation.simulation", required=True, ondelete="cascade"
    )
    kind = fields.Selection(
        selection=[("warehouse", "Warehouse"), ("carrier", "Carrier")],
        string="Decides",
    )
    warehouse_id = fields.Many2one(comodel_name="stock.warehouse")
    carrier_id = fields.Many2one(comodel_name="delivery.carrier")
    order_count = fields.Integer(string="Orders")
