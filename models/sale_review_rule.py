from collections import defaultdict
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import LazyTranslate, float_compare
from odoo.tools.safe_eval import safe_eval

from ..const import DEFAULT_REVIEW_RULE_NAMES, SEVERITIES
from .record_order import id_key
from .sale_fulfillment_message_mixin import (
    amount_param,
    clauses_param,
    date_param,
    datetime_param,
    define_messages,
    message,
    number_param,
    text_message,
    translations_param,
    words_param,
)

_lt = LazyTranslate(__name__)

RULE_TYPES = [
    ("credit_limit", "Credit limit exceeded"),
    ("amount_above", "Order total above"),
    ("discount_above", "Discount above"),
    ("margin_below", "Margin below"),
    ("price_below_floor", "Price below minimum sale price"),
    ("stock_shortage", "Stock shortage"),
    ("late_delivery", "Promised date cannot be met"),
    ("incomplete_address", "Incomplete delivery address"),
    ("duplicate_order", "Duplicate order"),
    ("blacklisted_partner", "Blacklisted customer"),
    ("customer_note", "Customer remark to read"),
    ("unpaid_prepayment", "Prepayment not received"),
    ("domain", "Custom condition"),
]

# What the rules say about an order, in the reader's language (stored as codes).
MESSAGES = define_messages(
    "sale_review",
    {
        "credit_limit": _lt(
            "Credit limit %(limit)s exceeded: due %(due)s + open orders "
            "%(open)s + this order %(amount)s"
        ),
        "amount_above": _lt("Order total %(amount)s is above %(threshold)s"),
        "discount_above": _lt("Discount above %(threshold)s%%: %(lines)s"),
        "discount_line": _lt("%(product)s (%(discount)s%%)"),
        "margin_below": _lt(
            "Margin %(margin)s%% is below %(threshold)s%% "
            "(revenue %(revenue)s, cost %(cost)s)"
        ),
        "price_below_floor": _lt("Price below the minimum sale price: %(lines)s"),
        "price_line": _lt("%(product)s at %(price)s (minimum %(floor)s)"),
        "stock_shortage": _lt("Stock shortage: %(lines)s"),
        "shortage_line": _lt(
            "%(product)s: %(qty)s needed, %(available)s forecast on %(day)s"
        ),
        "late_delivery": _lt(
            "Promised for %(promised)s, but the earliest delivery is %(earliest)s"
        ),
        "late_production": _lt(
            "Production is planned to finish on %(finish)s: too late to "
            "deliver on the promised %(promised)s"
        ),
        "incomplete_address": _lt("Delivery address %(address)s lacks: %(missing)s"),
        "street": _lt("street"),
        "city": _lt("city"),
        "country": _lt("country"),
        "zip": _lt("ZIP"),
        "phone": _lt("phone"),
        "email": _lt("email"),
        "duplicate_order": _lt(
            "Same products and quantities as %(orders)s, placed within %(hours)s hours"
        ),
        "blacklisted_partner": _lt("Customer %(partner)s is blacklisted: %(reason)s"),
        "no_reason": _lt("no reason"),
        "customer_note": _lt("Customer remark: %(note)s"),
        "unpaid_prepayment": _lt(
            "Prepayment of %(required)s required, %(paid)s received"
        ),
        "custom_default": _lt("Matches the condition of %(rule)s"),
    },
)


class SaleReviewRule(models.Model):
    _name = "sale.review.rule"
    _description = "Order Review Rule"
    _order = "sequence, id"
    _check_company_auto = True

    def _default_reviewer_group_id(self):
        return self.env.ref("sale_fulfillment.group_order_reviewer")

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
        selection=RULE_TYPES,
        string="Check",
        required=True,
        default="amount_above",
    )
    severity = fields.Selection(
        selection=SEVERITIES,
        required=True,
        default="block",
        help="Hold the order: it waits for a reviewer before it is confirmed.\n"
        "Record a warning: the order is confirmed and the issue is kept on it.",
    )
    threshold = fields.Float(
        help="Amount (order total), percentage (discount, margin) the check "
        "compares with.",
    )
    window_hours = fields.Integer(
        string="Window (hours)",
        default=24,
        help="Duplicate orders: how far back to look for the same order.",
    )
    sale_review_enabled = fields.Boolean(
        related="company_id.sale_review_enabled",
        string="Order Review On",
    )
    filter_domain = fields.Char(
        string="Applies to",
        default="[]",
        help="The rule only checks the orders that match this condition.",
    )
    check_domain = fields.Char(
        string="Condition",
        default="[]",
        help="Custom condition: orders that match it trip the rule.",
    )
    message = fields.Char(
        translate=True,
        help="Custom condition: the message shown on the orders it trips.",
    )
    reviewer_group_id = fields.Many2one(
        comodel_name="res.groups",
        string="Cleared by",
        required=True,
        default=lambda self: self._default_reviewer_group_id(),
        help="Members of this group may clear the issues this rule raises, e.g. "
        "finance for credit issues.",
    )
    issue_count = fields.Integer(compute="_compute_issue_count")

    def _compute_issue_count(self):
        counts = dict(
            self.env["sale.review.issue"]._read_group(
                [("rule_id", "in", self.ids)], ["rule_id"], ["__count"]
            )
        )
        for rule in self:
            rule.issue_count = counts.get(rule, 0)

    @api.constrains("filter_domain", "check_domain")
    def _check_domains(self):
        for rule in self:
            for domain in (rule.filter_domain, rule.check_domain):
                try:
                    self.env["sale.order"].search_count(
                        self._parse_domain(domain), limit=1
                    )
                except Exception as error:
                    raise ValidationError(
                        self.env._(
                            "Rule %(rule)s has an invalid condition: %(error)s",
                            rule=rule.name,
                            error=error,
                        )
                    ) from error

    @api.constrains("rule_type", "threshold", "window_hours")
    def _check_parameters(self):
        for rule in self:
            if rule.rule_type == "duplicate_order" and rule.window_hours <= 0:
                raise ValidationError(
                    self.env._(
                        "Rule %(rule)s: the window must be at least one hour.",
                        rule=rule.name,
                    )
                )
            if rule.rule_type in ("discount_above", "margin_below") and not (
                0 <= rule.threshold <= 100
            ):
                raise ValidationError(
                    self.env._(
                        "Rule %(rule)s: the threshold is a percentage from 0 to 100.",
                        rule=rule.name,
                    )
                )

    def _translate_default_names(self):
        """Translate the names of these new default rules (English, as
        ``_prepare_default_review_rule_vals_list`` gives them) into every
        active language."""
        langs = [
            code
            for code, _name in self.env["res.lang"].get_installed()
            if code != "en_US"
        ]
        for rule in self:
            label = DEFAULT_REVIEW_RULE_NAMES.get(rule.rule_type)
            if not langs or not label:
                continue
            english = self.with_context(lang="en_US").env._(label)
            if rule.with_context(lang="en_US").name != english:
                continue
            rule.update_field_translations(
                "name",
                {lang: self.with_context(lang=lang).env._(label) for lang in langs},
            )

    def action_view_issues(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "sale_fulfillment.sale_review_issue_action"
        )
        action["domain"] = [("rule_id", "=", self.id)]
        return action

    @api.model
    def _parse_domain(self, domain):
        return safe_eval(domain or "[]", {"uid": self.env.uid})

    def _get_applicable_orders(self, orders):
        """Return the orders of ``orders`` this rule checks: same company and
        matching its filter."""
        self.ensure_one()
        orders = orders.filtered(lambda order: order.company_id == self.company_id)
        domain = self._parse_domain(self.filter_domain)
        return orders.filtered_domain(domain) if domain and orders else orders

    def _evaluate(self, orders):
        """Return ``{order: message}`` for the orders this rule trips.

        Dispatches to ``_evaluate_<rule_type>``, which receives the applicable
        orders as a recordset and must read them in batch. A message is built
        with ``message()`` from a code of ``MESSAGES`` (so that each reader
        reads it in their language), or is plain text.
        """
        self.ensure_one()
        orders = self._get_applicable_orders(orders)
        if not orders:
            return {}
        return getattr(self, f"_evaluate_{self.rule_type}")(orders)

    # Evaluators: one per rule type, each batched over ``orders``.

    def _amount_in_company_currency(self, order, amount):
        return amount / (order.currency_rate or 1.0)

    def _format_company_amount(self, value):
        """``value`` in the company's currency, as a message parameter: each
        reader reads it in their own number format."""
        return amount_param(value, self.company_id.currency_id)

    def _evaluate_credit_limit(self, orders):
        result = {}
        partners = orders.partner_id.commercial_partner_id.with_company(self.company_id)
        # Odoo computes these partner figures for the whole recordset at once.
        figures = {
            partner.id: (
                partner.credit_limit,
                partner.credit,
                partner.credit_to_invoice,
            )
            for partner in partners
        }
        for order in orders:
            limit, due, open_orders = figures[order.partner_id.commercial_partner_id.id]
            if not limit:
                continue
            amount = self._amount_in_company_currency(order, order.amount_total)
            currency = self.company_id.currency_id
            if currency.compare_amounts(due + open_orders + amount, limit) > 0:
                result[order] = message(
                    MESSAGES["credit_limit"],
                    limit=self._format_company_amount(limit),
                    due=self._format_company_amount(due),
                    open=self._format_company_amount(open_orders),
                    amount=self._format_company_amount(amount),
                )
        return result

    def _evaluate_amount_above(self, orders):
        result = {}
        currency = self.company_id.currency_id
        for order in orders:
            amount = self._amount_in_company_currency(order, order.amount_total)
            if currency.compare_amounts(amount, self.threshold) > 0:
                result[order] = message(
                    MESSAGES["amount_above"],
                    amount=self._format_company_amount(amount),
                    threshold=self._format_company_amount(self.threshold),
                )
        return result

    def _evaluate_discount_above(self, orders):
        result = {}
        for order in orders:
            lines = order.order_line.filtered(
                lambda line: (
                    not line.display_type
                    and float_compare(line.discount, self.threshold, 2) > 0
                )
            )
            if lines:
                details = words_param(
                    message(
                        MESSAGES["discount_line"],
                        product=line.product_id.display_name,
                        discount=number_param(line.discount),
                    )
                    for line in lines
                )
                result[order] = message(
                    MESSAGES["discount_above"],
                    threshold=number_param(self.threshold),
                    lines=details,
                )
        return result

    def _evaluate_margin_below(self, orders):
        result = {}
        for order in orders:
            lines = order.order_line.filtered(
                lambda line: not line.display_type and line.product_id
            )
            revenue = sum(
                self._amount_in_company_currency(order, line.price_subtotal)
                for line in lines
            )
            if float_compare(revenue, 0, 2) <= 0:
                continue
            cost = sum(
                line.product_id.with_company(self.company_id).standard_price
                * line.product_uom._compute_quantity(
                    line.product_uom_qty, line.product_id.uom_id
                )
                for line in lines
            )
            margin = (revenue - cost) / revenue * 100
            if float_compare(margin, self.threshold, 2) < 0:
                result[order] = message(
                    MESSAGES["margin_below"],
                    margin=number_param(margin, digits=1),
                    threshold=number_param(self.threshold),
                    revenue=self._format_company_amount(revenue),
                    cost=self._format_company_amount(cost),
                )
        return result

    def _evaluate_price_below_floor(self, orders):
        result = {}
        for order in orders:
            below = []
            for line in order.order_line:
                floor = line.product_id.min_sale_price
                if line.display_type or not floor or not line.product_uom_qty:
                    continue
                # Compare per unit of the product's own unit, as the floor is.
                quantity = line.product_uom._compute_quantity(
                    line.product_uom_qty, line.product_id.uom_id
                )
                net = self._amount_in_company_currency(
                    order, line.price_subtotal / quantity
                )
                if float_compare(net, floor, 2) < 0:
                    below.append(
                        message(
                            MESSAGES["price_line"],
                            product=line.product_id.display_name,
                            price=self._format_company_amount(net),
                            floor=self._format_company_amount(floor),
                        )
                    )
            if below:
                result[order] = message(
                    MESSAGES["price_below_floor"], lines=clauses_param(below)
                )
        return result

    def _get_shortage_lines(self, orders):
        """Return the storable, not made-to-order lines of ``orders``."""
        mto_route = self.env.ref("stock.route_warehouse0_mto", raise_if_not_found=False)
        return orders.order_line.filtered(
            lambda line: (
                line.product_id.is_storable
                and not line.display_type
                and mto_route
                not in (
                    line.route_id
                    | line.product_id.route_ids
                    | line.product_id.categ_id.total_route_ids
                )
            )
        )

    def _get_forecast(self, warehouse, products, last_day):
        """Return ``forecast(product, day)``: on hand in ``warehouse`` now, plus
        incoming minus outgoing planned moves up to that day. A fixed number of
        queries whatever the number of products and days."""
        products = products.with_context(warehouse_id=warehouse.id)
        on_hand = {product.id: product.qty_available for product in products}
        _quants, moves_in, moves_out = products._get_domain_locations()
        planned = [
            ("product_id", "in", products.ids),
            (
                "state",
                "in",
                ("waiting", "confirmed", "assigned", "partially_available"),
            ),
            ("date", "<", fields.Datetime.to_datetime(last_day + timedelta(days=1))),
        ]
        changes = defaultdict(list)
        for domain, sign in ((moves_in, 1), (moves_out, -1)):
            for product, day, qty in self.env["stock.move"]._read_group(
                domain + planned, ["product_id", "date:day"], ["product_qty:sum"]
            ):
                changes[product.id].append((fields.Date.to_date(day), sign * qty))

        def forecast(product, day):
            return on_hand[product.id] + sum(
                qty for move_day, qty in changes[product.id] if move_day <= day
            )

        return forecast

    def _evaluate_stock_shortage(self, orders):
        # Each line is checked in the warehouse it will ship from: the
        # order's, or the one allocation would choose when the company has
        # order allocation on.
        lines = self._get_shortage_lines(orders)
        allocated = orders._get_allocation_line_warehouses()
        needs = defaultdict(lambda: defaultdict(lambda: defaultdict(float)))
        for line in lines:
            warehouse = allocated.get(line, line.order_id.warehouse_id)
            needs[warehouse][line.order_id][line.product_id] += (
                line.product_uom._compute_quantity(
                    line.product_uom_qty, line.product_id.uom_id
                )
            )

        def delivery_day(order):
            when = order.commitment_date or order.expected_date
            return (when or fields.Datetime.now()).date()

        shortages = defaultdict(list)
        for warehouse, wh_needs in needs.items():
            wh_orders = sorted(
                wh_needs, key=lambda order: (delivery_day(order), id_key(order))
            )
            products = self.env["product.product"].union(
                *(product for order in wh_orders for product in wh_needs[order])
            )
            forecast = self._get_forecast(
                warehouse, products, max(map(delivery_day, wh_orders))
            )
            # Orders of one batch draw on the same stock, earliest delivery first.
            taken = defaultdict(float)
            for order in wh_orders:
                day = delivery_day(order)
                order_shortages = []
                for product, qty in wh_needs[order].items():
                    available = forecast(product, day) - taken[product]
                    if float_compare(qty, available, 3) > 0:
                        order_shortages.append(
                            message(
                                MESSAGES["shortage_line"],
                                product=product.display_name,
                                qty=number_param(qty),
                                available=number_param(available),
                                day=date_param(day),
                            )
                        )
                if order_shortages:
                    shortages[order] += order_shortages
                else:
                    for product, qty in wh_needs[order].items():
                        taken[product] += qty
        return {
            order: message(MESSAGES["stock_shortage"], lines=clauses_param(clauses))
            for order, clauses in shortages.items()
        }

    def _evaluate_late_delivery(self, orders):
        promised = orders.filtered("commitment_date")
        # Make-to-order goods of quotations: simulated on top of the production
        # plan; confirmed orders: their planned production finish.
        promises = promised.filtered(
            lambda order: order.state in ("draft", "sent")
        )._get_promise_dates()
        result = {}
        for order in promised:
            finish = order.production_finish_date
            dates = (
                order.expected_date,
                promises.get(order.id),
                finish and order._get_delivery_date_after_production(finish),
            )
            earliest = max((date for date in dates if date), default=False)
            if earliest and order.commitment_date < earliest:
                result[order] = message(
                    MESSAGES["late_delivery"],
                    promised=datetime_param(order.commitment_date),
                    earliest=datetime_param(earliest),
                )
        return result

    @api.model
    def _get_missing_address_parts(self, address, contact=True):
        """What the delivery ``address`` lacks, as messages of one word each:
        street, city, country, the ZIP its country requires and, with
        ``contact``, a phone and an email (of the address or its company). Also
        used by the order's Incomplete Address exception, without ``contact``."""
        missing = []
        if not address.street:
            missing.append("street")
        if not address.city:
            missing.append("city")
        if not address.country_id:
            missing.append("country")
        elif address.country_id.zip_required and not address.zip:
            missing.append("zip")
        if contact:
            partners = address | address.commercial_partner_id
            if not any(partner.phone or partner.mobile for partner in partners):
                missing.append("phone")
            if not any(partner.email for partner in partners):
                missing.append("email")
        return [message(MESSAGES[part]) for part in missing]

    def _evaluate_incomplete_address(self, orders):
        result = {}
        for order in orders:
            address = order.partner_shipping_id
            missing = self._get_missing_address_parts(address)
            if missing:
                result[order] = message(
                    MESSAGES["incomplete_address"],
                    address=address.display_name,
                    missing=words_param(missing),
                )
        return result

    @api.model
    def _get_order_signature(self, order):
        """What makes two orders of one customer the same: their references
        (``_get_order_references``), products and quantities. Orders whose
        references differ are never the same order: repeat customers order
        the same goods again under a new purchase order number."""
        quantities = defaultdict(float)
        for line in order.order_line.filtered(lambda line: not line.display_type):
            quantities[line.product_id.id] += line.product_uom_qty
        if not quantities:
            return ()
        return (
            self._get_order_references(order),
            tuple(sorted(quantities.items())),
        )

    @api.model
    def _get_order_references(self, order):
        """The references of ``order`` a duplicate must share, as a tuple
        (``False`` for an empty one): the values of
        ``_get_duplicate_reference_fields``, compared without surrounding
        spaces and case."""
        return tuple(
            (order[field] or "").strip().casefold() or False
            for field in self._get_duplicate_reference_fields()
        )

    @api.model
    def _get_duplicate_reference_fields(self):
        """Hook: the ``sale.order`` fields holding the references that name an
        order for its customer or its channel: the customer reference
        (``client_order_ref``) and the platform order number
        (``channel_order_ref``). Override to add a connector's own."""
        return ["client_order_ref", "channel_order_ref"]

    def _evaluate_duplicate_order(self, orders):
        window = timedelta(hours=self.window_hours)
        now = fields.Datetime.now()
        candidates = self.env["sale.order"].search(
            [
                (
                    "partner_id.commercial_partner_id",
                    "in",
                    orders.partner_id.commercial_partner_id.ids,
                ),
                ("company_id", "=", self.company_id.id),
                ("state", "!=", "cancel"),
                (
                    "create_date",
                    ">=",
                    min(order.create_date or now for order in orders) - window,
                ),
            ]
        )
        by_key = defaultdict(list)
        for other in candidates:
            key = (
                other.partner_id.commercial_partner_id,
                self._get_order_signature(other),
            )
            by_key[key].append(other)
        result = {}
        for order in orders:
            key = (
                order.partner_id.commercial_partner_id,
                self._get_order_signature(order),
            )
            created = order.create_date or now
            earlier = [
                other
                for other in by_key.get(key, [])
                if other != order
                and (other.create_date, id_key(other)) < (created, id_key(order))
                and created - other.create_date <= window
            ]
            if key[1] and earlier:
                result[order] = message(
                    MESSAGES["duplicate_order"],
                    orders=words_param(other.name for other in earlier),
                    hours=number_param(self.window_hours),
                )
        return result

    def _evaluate_blacklisted_partner(self, orders):
        result = {}
        for order in orders:
            partner = order.partner_id.commercial_partner_id
            if partner.sale_blacklisted:
                result[order] = message(
                    MESSAGES["blacklisted_partner"],
                    partner=partner.display_name,
                    reason=partner.sale_blacklist_reason
                    or message(MESSAGES["no_reason"]),
                )
        return result

    def _evaluate_customer_note(self, orders):
        return {
            order: message(
                MESSAGES["customer_note"], note=order.customer_note.strip()[:200]
            )
            for order in orders
            if order.customer_note and order.customer_note.strip()
        }

    def _evaluate_unpaid_prepayment(self, orders):
        result = {}
        for order in orders:
            # Cash on delivery: the carrier collects, nothing is paid before.
            if not order._is_payment_required_before_shipping():
                continue
            if order.require_payment and not order._is_confirmation_amount_reached():
                result[order] = message(
                    MESSAGES["unpaid_prepayment"],
                    required=amount_param(
                        order._get_prepayment_required_amount(), order.currency_id
                    ),
                    paid=amount_param(order.amount_paid, order.currency_id),
                )
        return result

    def _evaluate_domain(self, orders):
        matching = orders.filtered_domain(self._parse_domain(self.check_domain))
        # The administrator's texts, in every language they gave them.
        found = (
            text_message(translations_param(self, "message"))
            if self.message
            else message(
                MESSAGES["custom_default"], rule=translations_param(self, "name")
            )
        )
        return dict.fromkeys(matching, found)

    def _prepare_issue_vals(self, order, msg):
        """Values of the ``sale.review.issue`` this rule raises on ``order``;
        ``msg`` is what ``_evaluate`` found (a message or plain text)."""
        self.ensure_one()
        return {
            "order_id": order.id,
            "rule_id": self.id,
            "severity": self.severity,
            "reviewer_group_id": self.reviewer_group_id.id,
            **self.env["sale.review.issue"]._prepare_message_vals(msg),
        }
