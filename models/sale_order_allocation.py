from collections import Counter, defaultdict

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import LazyTranslate, float_compare

from .sale_fulfillment_message_mixin import (
    MessageRenderer,
    amount_param,
    clauses_param,
    define_messages,
    message,
    number_param,
    record_param,
    words_param,
)

_lt = LazyTranslate(__name__)


MESSAGES = define_messages(
    "sale_fulfillment.allocation",
    {
        "warehouse_whole": _lt(
            "%(warehouse)s: first with stock for all %(count)s lines (rule %(rule)s)"
        ),
        "warehouse_split": _lt(
            "Split by line, each line from the first warehouse with its stock "
            "(rule %(rule)s): %(parts)s"
        ),
        "warehouse_whole_one": _lt(
            "%(warehouse)s: first with stock for the order's line (rule %(rule)s)"
        ),
        "warehouse_whole_none": _lt(
            "%(warehouse)s: first preferred, the order takes nothing from stock "
            "(rule %(rule)s)"
        ),
        "warehouse_part": _lt("%(warehouse)s, %(count)s lines"),
        "warehouse_part_one": _lt("%(warehouse)s, 1 line"),
        "warehouse_wait": _lt(
            "%(warehouse)s: no warehouse has the stock of the whole order, the "
            "first preferred ships everything when it arrives (rule %(rule)s)"
        ),
        "carrier": _lt(
            "%(carrier)s: %(price)s, cheapest of %(count)s for %(destination)s, "
            "%(weight)s kg (rule %(rule)s)"
        ),
        "carrier_none": _lt(
            "No carrier of rule %(rule)s delivers to %(destination)s: the carrier "
            "is left as it was"
        ),
        "carrier_deliveries": _lt(
            "One carrier per delivery (rule %(rule)s): %(parts)s"
        ),
        "carrier_delivery": _lt(
            "%(picking)s from %(warehouse)s by %(carrier)s, %(price)s, %(weight)s kg"
        ),
        "carrier_delivery_none": _lt(
            "%(picking)s from %(warehouse)s keeps %(carrier)s: no candidate delivers it"
        ),
        "team": _lt("%(team)s, %(user)s: next in turn (rule %(rule)s)"),
        "team_no_user": _lt("%(team)s (rule %(rule)s)"),
        "no_rule": _lt("No allocation rule applies to this order"),
    },
)


class SaleOrder(models.Model):
    _inherit = "sale.order"

    allocation_note_data = fields.Json(readonly=True, copy=False)
    allocation_note = fields.Text(
        compute="_compute_allocation_note",
        help="Why the order got its warehouse, carrier and handler.",
    )
    allocated_on = fields.Datetime(readonly=True, copy=False, index=True)
    # Stored for the allocation analysis (orders per warehouse, carrier and
    # province): "state" alone would read as the order's status.
    shipping_state_id = fields.Many2one(
        related="partner_shipping_id.state_id",
        string="Destination Province",
        store=True,
        index="btree_not_null",
    )

    @api.depends("allocation_note_data")
    @api.depends_context("lang")
    def _compute_allocation_note(self):
        renderer = MessageRenderer(self.env)
        for order in self:
            order.allocation_note = (
                renderer.render(order.allocation_note_data)
                if order.allocation_note_data
                else False
            )

    def action_allocate(self):
        """Choose again the warehouse, carrier and handler of the orders by the
        allocation rules. Quotations are decided again; confirmed orders whose
        deliveries have not started get their open deliveries cancelled and are
        procured again by Odoo from the new warehouses."""
        self._check_allocation_allowed()
        confirmed = self.filtered(lambda order: order.state == "sale")
        confirmed._check_reallocation()
        open_pickings = confirmed._get_allocation_open_pickings()
        # A batch nobody has picked from yet (Odoo batches the deliveries of
        # new warehouses by itself) lets its deliveries go.
        open_pickings.sudo().filtered("batch_id").batch_id = False
        open_pickings.action_cancel()
        plan = self._action_allocate()
        if confirmed:
            confirmed.order_line._action_launch_stock_rule()
            self._apply_allocation_delivery_carriers(
                {order: plan[order] for order in confirmed}
            )
        unmatched = self.filtered(lambda order: not plan[order]["clauses"])
        if not unmatched:
            return True
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "warning",
                "title": self.env._("Nothing to allocate"),
                "message": self.env._(
                    "No allocation rule applies to %(orders)s: left as they were.",
                    orders=", ".join(unmatched.mapped("name")),
                ),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    def action_open_allocation_simulation(self):
        """Dry run of the allocation rules on these quotations, in a wizard."""
        quotations = self.filtered(lambda order: order.state in ("draft", "sent"))
        if not quotations:
            raise UserError(
                self.env._(
                    "Select quotations: the simulation shows what confirming them "
                    "would allocate."
                )
            )
        return self.env["sale.allocation.simulation"]._get_action(quotations)

    def _action_allocate(self):
        """Decide the allocation of the orders and write it."""
        plan = self._get_allocation_plan()
        self._apply_allocation_plan(plan)
        return plan

    def _allocate_on_confirm(self):
        """Hook of ``action_confirm()``: allocate the orders about to be confirmed
        whose company has allocation on, before Odoo procures them, and return
        the plan. Its team and salesperson are written once the orders are
        confirmed (``_apply_allocation_handlers()``): the confirming user may
        not write orders of the salesperson they go to."""
        orders = self.filtered(
            lambda order: (
                order.company_id.sale_allocation_enabled
                and not order._confirmation_error_message()
            )
        )
        if not orders:
            return {}
        plan = orders._get_allocation_plan()
        orders._apply_allocation_plan(plan, handlers=False)
        return plan

    def _allocate_after_confirm(self, plan):
        """Hook of ``action_confirm()``, once Odoo has procured the orders of
        ``plan`` (from ``_allocate_on_confirm()``): write their team and
        salesperson, and choose a carrier per delivery for the orders that
        ship from several warehouses."""
        self._apply_allocation_handlers(plan)
        self._apply_allocation_delivery_carriers(plan)

    def _check_allocation_allowed(self):
        for order in self:
            if not order.company_id.sale_allocation_enabled:
                raise UserError(
                    self.env._(
                        "Order allocation is off for %(company)s: switch it on in "
                        "Settings › Sales › Order Allocation.",
                        company=order.company_id.name,
                    )
                )
            if order.state not in ("draft", "sent", "sale"):
                raise UserError(
                    self.env._(
                        "Cannot allocate %(name)s: only quotations and confirmed "
                        "orders are allocated.",
                        name=order.name,
                    )
                )

    def _get_allocation_open_pickings(self):
        return self.picking_ids.filtered(
            lambda picking: picking.state not in ("done", "cancel")
        )

    def _check_reallocation(self):
        """Refuse to re-allocate orders whose deliveries have started (what
        "started" means is the order changes' ``_get_delivery_started_pickings``:
        done, picked, packed, or in a wave or batch being picked) and orders
        whose goods are being made (procured again, they would be made
        twice)."""
        started = self._get_delivery_started_pickings()
        for order in self:
            # Salespeople need not read manufacturing: the check does.
            productions = order.sudo().mrp_production_ids.filtered(
                lambda production: production.state != "cancel"
            )
            if productions:
                raise UserError(
                    self.env._(
                        "Cannot re-allocate %(name)s: the manufacturing order "
                        "%(production)s already makes its goods. Cancel it first "
                        "if the order must ship from another warehouse.",
                        name=order.name,
                        production=productions[0].name,
                    )
                )
            for picking in order.picking_ids:
                if picking in started:
                    raise UserError(
                        self.env._(
                            "Cannot re-allocate %(name)s: %(reason)s.",
                            name=order.name,
                            reason=started[picking],
                        )
                    )

    # Plan

    def _get_allocation_rules(self):
        """The active allocation rules of the orders' companies, by sequence."""
        return (
            self.env["sale.allocation.rule"]
            .sudo()
            .search([("company_id", "in", self.company_id.ids)])
        )

    def _get_allocation_stock_lines(self):
        """The lines that draw on a warehouse's stock: storable goods that are not
        made to order. The others (services, made-to-order) follow the order's
        warehouse."""
        lines = self.order_line.filtered(
            lambda line: (
                not line.display_type
                and not line.is_delivery
                and line.product_id.is_storable
                and line.product_uom_qty > 0
            )
        )
        # Odoo's is_mto computes each line's stock widget first (with sale_mrp,
        # two bill-of-materials searches a line): ask it only of the lines
        # with a route at all (made to order, dropship... any add-on's).
        maybe_mto = lines.filtered(
            lambda line: (
                line.route_id
                or line.product_id.route_ids
                or line.product_id.categ_id.total_route_ids
            )
        )
        return lines - maybe_mto.filtered("is_mto")

    @api.model
    def _get_allocation_free_stock(self, warehouses, products):
        """Free stock ``{warehouse_id: {product_id: qty}}`` (Odoo's free
        quantity: on hand minus reserved, in internal locations), read in one
        query whatever the number of warehouses."""
        free = {warehouse.id: defaultdict(float) for warehouse in warehouses}
        if not warehouses or not products:
            return free
        if not self.env.context.get("sale_allocation_dry_run"):
            self._lock_allocation_stock(warehouses, products)
        groups = (
            self.env["stock.quant"]
            .sudo()
            ._read_group(
                [
                    ("product_id", "in", products.ids),
                    ("location_id.usage", "=", "internal"),
                    ("location_id.warehouse_id", "in", warehouses.ids),
                ],
                ["location_id", "product_id"],
                ["quantity:sum", "reserved_quantity:sum"],
            )
        )
        for location, product, quantity, reserved in groups:
            free[location.warehouse_id.id][product.id] += quantity - reserved
        return free

    @api.model
    def _lock_allocation_stock(self, warehouses, products):
        """Lock the stock the allocation is about to count, until the end of
        the transaction. Two users confirming orders for the last units of a
        warehouse at once: the second waits for the first; once the first has
        reserved the units, the second's view of the stock is out of date and
        PostgreSQL refuses it (a serialization failure), so Odoo runs the
        second request again, which sees the units taken."""
        self.env["stock.quant"].flush_model()
        self.env.cr.execute(
            """
            SELECT quant.id
              FROM stock_quant quant
              JOIN stock_location location ON location.id = quant.location_id
             WHERE quant.product_id IN %s
               AND location.usage = 'internal'
               AND location.warehouse_id IN %s
          ORDER BY quant.id
               FOR NO KEY UPDATE OF quant
            """,
            [tuple(products.ids), tuple(warehouses.ids)],
        )

    def _get_allocation_line_warehouses(self):
        """``{line: warehouse}``: the warehouse each stock line of the orders
        would ship from if they were allocated now, for the orders whose
        company has allocation on and that a warehouse rule applies to (the
        order review checks their stock there). Nothing is written or
        locked."""
        orders = self.filtered(lambda order: order.company_id.sale_allocation_enabled)
        if not orders:
            return {}
        plan = orders.with_context(sale_allocation_dry_run=True)._get_allocation_plan(
            rule_types=("warehouse",)
        )
        result = {}
        for order, decision in plan.items():
            if decision["warehouse"]:
                for line in order.order_line:
                    result[line] = decision["line_warehouses"].get(
                        line, decision["warehouse"]
                    )
        return result

    def _get_allocation_plan(self, rule_types=("team", "warehouse", "carrier")):
        """Decide, without writing anything, the allocation of the orders:
        ``{order: decision}``, a decision being a dict with the keys
        ``warehouse`` (the order's warehouse or None), ``line_warehouses``
        (``{line: warehouse}`` when split by line) and ``warehouse_rule``,
        ``carrier``, ``carrier_price`` and ``carrier_rule``, ``team``, ``user``
        and ``team_rule``, ``clauses`` (the parts of the note; none when no rule
        applies) and ``note`` (the stored note). Orders of the batch draw on
        the same stock. With ``sale_allocation_dry_run`` in the context (a
        simulation), the stock counted is not locked; ``rule_types`` limits
        the decisions to those kinds of rules."""
        orders = self.sorted("id")
        rules = orders._get_allocation_rules()
        by_type = defaultdict(lambda: self.env["sale.allocation.rule"])
        for rule in rules:
            by_type[rule.rule_type] |= rule
        plan = {
            order: {
                "warehouse": None,
                "line_warehouses": {},
                "carrier": None,
                "carrier_price": 0.0,
                "team": None,
                "user": None,
                "team_rule": None,
                "warehouse_rule": None,
                "carrier_rule": None,
                "clauses": [],
            }
            for order in orders
        }
        for rule_type in rule_types:
            matched = orders._get_allocation_rule_matches(by_type[rule_type])
            getattr(orders, f"_get_allocation_{rule_type}_decisions")(matched, plan)
        for decision in plan.values():
            decision["note"] = (
                clauses_param(decision["clauses"])
                if decision["clauses"]
                else message(MESSAGES["no_rule"])
            )
        return plan

    def _get_allocation_rule_matches(self, rules):
        """``{rule: orders}``: each order of ``self`` under the first of ``rules``
        (by sequence) that applies to it."""
        matches = {}
        remaining = self
        for rule in rules:
            if not remaining:
                break
            matching = rule._filter_orders(remaining)
            if matching:
                matches[rule] = matching
                remaining -= matching
        return matches

    def _get_allocation_team_decisions(self, matches, plan):
        """Team and salesperson, in turn among the rule's salespeople, for the
        orders without a salesperson."""
        for rule, orders in matches.items():
            orders = orders.filtered(lambda order: not order.user_id)
            users = rule._get_next_users(len(orders))
            for order, user in zip(orders, users, strict=True):
                decision = plan[order]
                decision.update(team=rule.team_id, user=user, team_rule=rule)
                if user:
                    decision["clauses"].append(
                        message(
                            MESSAGES["team"],
                            team=record_param(rule.team_id),
                            user=user.name,
                            rule=record_param(rule),
                        )
                    )
                else:
                    decision["clauses"].append(
                        message(
                            MESSAGES["team_no_user"],
                            team=record_param(rule.team_id),
                            rule=record_param(rule),
                        )
                    )

    def _get_allocation_warehouse_decisions(self, matches, plan):
        """Warehouse of each order (and of each line when split), drawing on
        the free stock of the warehouses as the orders are decided."""
        if not matches:
            return
        warehouses = self.env["stock.warehouse"].union(
            *(rule._get_warehouses() for rule in matches)
        )
        stock_lines = self._get_allocation_stock_lines()
        free = self._get_allocation_free_stock(warehouses, stock_lines.product_id)
        lines_by_order = defaultdict(list)
        for line in stock_lines:
            lines_by_order[line.order_id].append(line)
        for rule, orders in matches.items():
            preferred = rule._get_warehouses()
            for order in orders:
                needs = [
                    (
                        line,
                        line.product_id.id,
                        line.product_uom._compute_quantity(
                            line.product_uom_qty, line.product_id.uom_id, round=False
                        ),
                        line.product_id.uom_id.rounding,
                    )
                    for line in lines_by_order[order]
                ]
                decision = self._get_allocation_warehouse_decision(
                    rule, preferred, needs, free
                )
                plan[order]["clauses"].append(decision.pop("clause"))
                plan[order].update(decision, warehouse_rule=rule)

    @api.model
    def _get_allocation_warehouse_decision(self, rule, preferred, needs, free):
        """The warehouse decision of one order: a dict with ``warehouse``,
        ``line_warehouses`` and ``clause`` (its part of the note). ``needs``
        lists the order's stock lines as (line, product id, quantity in the
        product's unit, rounding); what the order ships is taken from
        ``free``."""
        totals = defaultdict(float)
        for _line, product_id, qty, _rounding in needs:
            totals[product_id] += qty

        def covers(warehouse, product_id, qty, rounding):
            return (
                float_compare(
                    free[warehouse.id][product_id], qty, precision_rounding=rounding
                )
                >= 0
            )

        def take(warehouse, product_id, qty):
            stock = free[warehouse.id]
            stock[product_id] = max(stock[product_id] - qty, 0.0)

        roundings = {product_id: rounding for _l, product_id, _q, rounding in needs}
        for warehouse in preferred:
            if all(
                covers(warehouse, product_id, qty, roundings[product_id])
                for product_id, qty in totals.items()
            ):
                for product_id, qty in totals.items():
                    take(warehouse, product_id, qty)
                return {
                    "warehouse": warehouse,
                    "line_warehouses": {},
                    "clause": message(
                        MESSAGES[
                            {0: "warehouse_whole_none", 1: "warehouse_whole_one"}.get(
                                len(needs), "warehouse_whole"
                            )
                        ],
                        warehouse=warehouse.name,
                        count=number_param(len(needs), 0),
                        rule=record_param(rule),
                    ),
                }
        first = preferred[:1]
        if rule.split_policy == "by_line" and needs:
            line_warehouses = {}
            for line, product_id, qty, rounding in needs:
                warehouse = next(
                    (w for w in preferred if covers(w, product_id, qty, rounding)),
                    first,
                )
                take(warehouse, product_id, qty)
                line_warehouses[line] = warehouse
            used = [w for w in preferred if w in line_warehouses.values()]
            if len(used) > 1:
                counts = Counter(line_warehouses.values())
                parts = [
                    message(
                        MESSAGES[
                            "warehouse_part_one"
                            if counts[warehouse] == 1
                            else "warehouse_part"
                        ],
                        warehouse=warehouse.name,
                        count=number_param(counts[warehouse], 0),
                    )
                    for warehouse in used
                ]
                return {
                    "warehouse": used[0],
                    "line_warehouses": line_warehouses,
                    "clause": message(
                        MESSAGES["warehouse_split"],
                        rule=record_param(rule),
                        parts=words_param(parts),
                    ),
                }
        for product_id, qty in totals.items():
            take(first, product_id, qty)
        return {
            "warehouse": first,
            "line_warehouses": {},
            "clause": message(
                MESSAGES["warehouse_wait"],
                warehouse=first.name,
                rule=record_param(rule),
            ),
        }

    def _get_allocation_carrier_decisions(self, matches, plan):
        """The cheapest carrier of the rule available for each order, priced by
        Odoo's ``rate_shipment()``."""
        for rule, orders in matches.items():
            for order in orders:
                plan[order]["carrier_rule"] = rule
                candidates, best, best_price = order._get_allocation_cheapest_carrier(
                    rule.carrier_ids
                )
                clauses = plan[order]["clauses"]
                if best is None:
                    clauses.append(
                        message(
                            MESSAGES["carrier_none"],
                            rule=record_param(rule),
                            destination=order._get_allocation_destination(),
                        )
                    )
                    continue
                plan[order].update(carrier=best, carrier_price=best_price)
                clauses.append(
                    message(
                        MESSAGES["carrier"],
                        carrier=record_param(best),
                        price=amount_param(best_price, order.currency_id),
                        count=number_param(len(candidates), 0),
                        destination=order._get_allocation_destination(),
                        weight=number_param(
                            order.shipping_weight or order._get_estimated_weight(), 2
                        ),
                        rule=record_param(rule),
                    )
                )

    def _get_allocation_destination(self):
        """The delivery address, as the note names it: its state, else its
        country (in the reader's language)."""
        partner = self.partner_shipping_id
        if partner.state_id:
            return partner.state_id.name
        if partner.country_id:
            return record_param(partner.country_id)
        return partner.name

    def _get_allocation_cheapest_carrier(self, carriers, weight=0.0, volume=0.0):
        """``(candidates, carrier, price)``: the carriers of ``carriers`` Odoo
        finds available for the order, and the cheapest of them by Odoo's
        ``rate_shipment()`` with its price (None and 0 when none is). The
        weight and volume are the order's, or ``weight`` and ``volume`` when
        given (one delivery of the order)."""
        self.ensure_one()
        if weight:
            carriers = carriers.with_context(order_weight=weight, order_volume=volume)
        candidates = carriers.available_carriers(self.partner_shipping_id, self)
        best, best_price = None, 0.0
        for carrier in candidates:
            rate = carrier.rate_shipment(self)
            if rate.get("success") and (best is None or rate["price"] < best_price):
                best, best_price = carrier, rate["price"]
        return candidates, best, best_price

    # Apply

    def _prepare_allocation_vals(self, decision, handlers=True):
        """The values written on an order for its ``decision`` (without the
        team and salesperson when ``handlers`` is false)."""
        self.ensure_one()
        vals = {
            "allocated_on": fields.Datetime.now(),
            "allocation_note_data": decision["note"],
        }
        if decision["warehouse"]:
            vals["warehouse_id"] = decision["warehouse"].id
        if handlers:
            vals.update(self._prepare_allocation_handler_vals(decision))
        return vals

    def _prepare_allocation_handler_vals(self, decision):
        """The team and salesperson written on an order for its ``decision``."""
        if not decision["team"]:
            return {}
        return {
            "team_id": decision["team"].id,
            "user_id": decision["user"].id if decision["user"] else False,
        }

    def _apply_allocation_plan(self, plan, handlers=True):
        """Write the decisions of ``plan`` (from ``_get_allocation_plan()``):
        the orders' warehouse, team and salesperson (unless ``handlers`` is
        false), the lines' warehouses when split, the carrier and its delivery
        line (Odoo's ``set_delivery_line``)."""
        lines_by_warehouse = defaultdict(lambda: self.env["sale.order.line"])
        for order, decision in plan.items():
            if not decision["clauses"]:
                continue
            order.write(order._prepare_allocation_vals(decision, handlers=handlers))
            if decision["warehouse"]:
                lines = order.order_line
                for line, warehouse in decision["line_warehouses"].items():
                    lines_by_warehouse[warehouse] |= line
                    lines -= line
                lines_by_warehouse[self.env["stock.warehouse"]] |= lines.filtered(
                    "allocated_warehouse_id"
                )
        for warehouse, lines in lines_by_warehouse.items():
            if lines:
                lines.write({"allocated_warehouse_id": warehouse.id})
        for order, decision in plan.items():
            if decision["carrier"]:
                order.set_delivery_line(decision["carrier"], decision["carrier_price"])
        if handlers:
            self._apply_allocation_handlers(plan, write_orders=False)

    @api.model
    def _apply_allocation_delivery_carriers(self, plan):
        """For the orders of ``plan`` that ship from several warehouses, choose
        the carrier of each open delivery among the candidates of the order's
        carrier rule: the cheapest available for what that delivery weighs.
        Odoo gave every delivery the order's carrier; the note tells which
        carrier takes which delivery."""
        for order, decision in plan.items():
            rule = decision["carrier_rule"]
            if not rule or len(set(decision["line_warehouses"].values())) < 2:
                continue
            deliveries = order._get_allocation_open_pickings().filtered(
                lambda picking: picking.picking_type_code == "outgoing"
            )
            if len(deliveries.picking_type_id.warehouse_id) < 2:
                continue
            rank = {
                warehouse: index
                for index, warehouse in enumerate(
                    decision["warehouse_rule"]._get_warehouses()
                )
            }
            parts = []
            for delivery in deliveries.sorted(
                lambda picking, rank=rank: (
                    rank.get(picking.picking_type_id.warehouse_id, len(rank)),
                    picking.id,
                )
            ):
                weight = delivery.shipping_weight or delivery.weight
                _candidates, carrier, price = order._get_allocation_cheapest_carrier(
                    rule.carrier_ids, weight=weight, volume=delivery.shipping_volume
                )
                warehouse = delivery.picking_type_id.warehouse_id.name
                if carrier is None:
                    parts.append(
                        message(
                            MESSAGES["carrier_delivery_none"],
                            picking=delivery.name,
                            warehouse=warehouse,
                            carrier=record_param(delivery.carrier_id)
                            if delivery.carrier_id
                            else "-",
                        )
                    )
                    continue
                delivery.carrier_id = carrier
                parts.append(
                    message(
                        MESSAGES["carrier_delivery"],
                        picking=delivery.name,
                        warehouse=warehouse,
                        carrier=record_param(carrier),
                        price=amount_param(price, order.currency_id),
                        weight=number_param(weight, 2),
                    )
                )
            decision["clauses"].append(
                message(
                    MESSAGES["carrier_deliveries"],
                    rule=record_param(rule),
                    parts=words_param(parts),
                )
            )
            decision["note"] = clauses_param(decision["clauses"])
            order.allocation_note_data = decision["note"]

    @api.model
    def _apply_allocation_handlers(self, plan, write_orders=True):
        """Write the team and salesperson of ``plan`` on its orders and remember,
        on each team rule, the salesperson whose turn it was."""
        last_users = {}
        orders_by_vals = defaultdict(lambda: self.env["sale.order"])
        for order, decision in plan.items():
            vals = order._prepare_allocation_handler_vals(decision)
            if vals and write_orders:
                orders_by_vals[tuple(sorted(vals.items()))] |= order
            if decision["team_rule"] and decision["user"]:
                last_users[decision["team_rule"]] = decision["user"]
        # One write per team and salesperson: Odoo recomputes their orders
        # together.
        for vals, orders in orders_by_vals.items():
            orders.write(dict(vals))
        for rule, user in last_users.items():
            rule.sudo().last_user_id = user
