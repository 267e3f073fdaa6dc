import logging
from collections import defaultdict
from datetime import datetime, time, timedelta

import pytz
from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, format_amount, format_date

_logger = logging.getLogger(__name__)

PERIODICITIES = [
    ("daily", "Daily"),
    ("weekly", "Weekly"),
    ("monthly", "Monthly"),
]

# The figures compared with the previous period of the same length.
COMPARED_KPIS = (
    "order_count",
    "revenue",
    "avg_order_value",
    "customers_ordering",
    "customers_paying",
    "new_customers",
    "returning_customers",
    "repeat_purchase_rate",
    "on_time_rate",
    "avg_lead_time_hours",
    "return_rate",
    "returned_amount",
    "held_orders",
    "late_orders",
    "avg_rating",
    "rating_response_rate",
    "cod_orders",
    "cod_revenue",
)

# Upper bounds (in the company's currency) of the order amount brackets.
AMOUNT_BRACKETS = (100, 500, 1000, 5000)

TOP_LIMIT = 5


class SaleFulfillmentDigest(models.Model):
    """An email of order KPIs sent on a schedule to users and partners."""

    _name = "sale.fulfillment.digest"
    _description = "Order Digest"
    _order = "name, id"

    name = fields.Char(required=True, translate=True)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        comodel_name="res.company",
        required=True,
        default=lambda self: self.env.company,
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    user_ids = fields.Many2many(
        comodel_name="res.users",
        relation="sale_fulfillment_digest_user_rel",
        column1="digest_id",
        column2="user_id",
        string="Users",
        domain="[('share', '=', False)]",
    )
    partner_ids = fields.Many2many(
        comodel_name="res.partner",
        relation="sale_fulfillment_digest_partner_rel",
        column1="digest_id",
        column2="partner_id",
        string="Other Recipients",
        help="Contacts outside the users, e.g. a shareholder or an accountant.",
    )
    periodicity = fields.Selection(
        selection=PERIODICITIES,
        required=True,
        default="weekly",
        help="Daily: yesterday's figures. Weekly: sent on Mondays with the week "
        "before. Monthly: sent on the 1st with the month before.",
    )
    next_run_date = fields.Date(
        string="Next Send Date",
        required=True,
        default=lambda self: self._get_next_run_date("weekly", fields.Date.today()),
        help="The scheduled action sends the digest on this day, then moves it "
        "to the next period.",
    )
    tz = fields.Selection(
        selection="_tz_get",
        string="Timezone",
        required=True,
        default=lambda self: self.env.user.tz or "UTC",
        help="Days of the digest begin and end at midnight in this timezone.",
    )
    attach_pdf = fields.Boolean(
        string="Attach Statistics PDF",
        default=True,
        help="Attach the Order Statistics report of the period to the email.",
    )
    kpi_orders = fields.Boolean(
        string="Orders and Revenue",
        default=True,
        help="Order count, revenue and average order value.",
    )
    kpi_customers = fields.Boolean(
        string="Customers",
        default=True,
        help="Ordering and paying customers, new and returning customers, "
        "repeat-purchase rate.",
    )
    kpi_fulfillment = fields.Boolean(
        string="Fulfillment",
        default=True,
        help="On-time rate, lead time, late orders and orders held for review.",
    )
    kpi_returns = fields.Boolean(
        string="Returns", default=True, help="Return rate and credited amount."
    )
    kpi_distribution = fields.Boolean(
        string="Amount Distribution",
        default=True,
        help="How many orders fall in each amount bracket.",
    )
    kpi_channels = fields.Boolean(
        string="Channels",
        default=True,
        help="Orders and revenue per channel (web shop, phone, email, "
        "marketplace…), with each channel's share of the revenue.",
    )
    kpi_satisfaction = fields.Boolean(
        string="Satisfaction",
        default=True,
        help="Average customer rating, rating requests sent and answered, and "
        "the response rate.",
    )
    kpi_cod = fields.Boolean(
        string="Cash on Delivery",
        default=True,
        help="Orders paid on delivery, and what the carriers still hold of "
        "those shipped, per carrier.",
    )
    kpi_regions = fields.Boolean(string="Top Regions", default=True)
    kpi_products = fields.Boolean(string="Top Products", default=True)
    last_sent_on = fields.Datetime(readonly=True, copy=False)
    recipient_count = fields.Integer(
        string="Recipients", compute="_compute_recipient_count"
    )

    @api.model
    def _tz_get(self):
        return [(tz, tz) for tz in pytz.all_timezones]

    @api.depends("user_ids.partner_id.email", "partner_ids.email")
    def _compute_recipient_count(self):
        for digest in self:
            digest.recipient_count = len(digest._get_recipients())

    @api.onchange("periodicity")
    def _onchange_periodicity(self):
        self.next_run_date = self._get_next_run_date(
            self.periodicity, fields.Date.context_today(self)
        )

    # Buttons

    def action_send_now(self):
        """Send each digest now with its latest complete period, whatever its
        next send date (which does not move). Sending marks the digests sent:
        only who may change them may send them."""
        self.check_access("write")
        mails = self.env["mail.mail"].sudo()
        for digest in self:
            mails |= digest._send(digest._get_today(), raise_empty=True)
        mails.send(raise_exception=False)
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": self.env._(
                    "Digest sent to %(count)s recipient(s).",
                    count=sum(len(mail.recipient_ids) for mail in mails),
                ),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    def action_print_statistics(self):
        """The Order Statistics PDF of each digest's latest complete period."""
        return self.env.ref(
            "sale_fulfillment.action_report_order_statistics"
        ).report_action(self)

    # KPIs

    def _compute_kpis(self, date_from, date_to):
        """Order KPIs of the company between ``date_from`` and ``date_to``.

        Dates are whole days (both included) in the digest's timezone;
        datetimes (UTC) are taken as they are, both included. The company is
        the digest's, or the current one on the model. Rates are percentages;
        amounts are untaxed, in the company's currency.

        Returns a dict: ``order_count``, ``revenue``, ``avg_order_value``,
        ``customers_ordering``, ``customers_paying``, ``new_customers``,
        ``returning_customers``, ``repeat_purchase_rate``, ``shipped_orders``,
        ``on_time_rate``, ``avg_lead_time_hours``, ``returned_orders``,
        ``return_rate``, ``returned_amount``, ``amount_paid``, ``held_orders``,
        ``late_orders``, ``avg_rating``, ``rating_response_rate``,
        ``ratings_requested``, ``ratings_received``, ``cod_orders``,
        ``cod_revenue``, ``cod_outstanding_orders``,
        ``cod_outstanding_amount``; ``amount_distribution``,
        ``by_channel``, ``cod_by_carrier``, ``top_regions``, ``top_products``
        (lists of dicts);
        ``previous`` (the same figures for
        the period of the same length just before) and ``change`` (percent
        change of each compared figure, None when the previous one is zero);
        ``date_from``, ``date_to``, ``company_id``, ``currency_id``.

        Every figure is about the orders dated in the period. The ratings
        too: ``ratings_requested`` counts those of the period's orders whose
        customer was asked to rate them (whenever asked), ``ratings_received``
        those the customer rated, ``rating_response_rate`` the rated share of
        the asked ones and ``avg_rating`` (1 to 5; 0 when none) the average
        over the rated orders, each order weighing once with the average of
        its ratings. ``by_channel`` gives, per channel (the order's UTM
        medium; "No Channel" when empty), ``channel_id``, ``name``,
        ``count``, ``revenue`` and ``share`` (percent of the revenue), by
        revenue.

        Cash on delivery: ``cod_orders`` and ``cod_revenue`` (untaxed) are
        the period's orders paid on delivery. What the carriers hold is
        counted now, over the orders dated up to the period's end: orders
        paid on delivery whose goods have left and whose money is not
        received (``cod_outstanding_orders``), the amount still to receive,
        taxes included (``cod_outstanding_amount``), and the same per carrier
        (``cod_by_carrier``: ``carrier_id``, ``name``, ``count``, ``amount``;
        "No Carrier" when the order has none), the largest amount first.

        A constant number of queries, however many orders.
        """
        company = self.company_id[:1] or self.env.company
        start, end = self._get_period_bounds(date_from, date_to)
        # PostgreSQL's JIT compiles the view's subqueries for seconds before
        # a query that then runs in a fraction of that: off for these only.
        [(jit, _off)] = self.env.execute_query(
            SQL("SELECT current_setting('jit'), set_config('jit', 'off', true)")
        )
        try:
            kpis = self._compute_period_kpis(
                company, start, end, self._get_previous_bounds(date_from, date_to)
            )
        finally:
            self.env.execute_query(SQL("SELECT set_config('jit', %s, true)", jit))
        kpis.update(
            date_from=date_from,
            date_to=date_to,
            company_id=company.id,
            currency_id=company.currency_id.id,
        )
        return kpis

    def _get_previous_bounds(self, date_from, date_to):
        """[start, end) of the period compared with: the same number of whole
        months before a period of whole months, else the same length."""
        start, end = self._get_period_bounds(date_from, date_to)
        date_from, date_to = (
            self._parse_period_bound(value) for value in (date_from, date_to)
        )
        if not isinstance(date_from, datetime) and not isinstance(date_to, datetime):
            following = date_to + timedelta(days=1)
            if date_from.day == 1 and following.day == 1:
                months = relativedelta(following, date_from)
                return self._get_period_bounds(
                    date_from - months, date_from - timedelta(days=1)
                )
        return start - (end - start), start

    @api.model
    def _compute_period_kpis(self, company, start, end, previous_bounds):
        kpis = self._get_period_kpis(company, start, end)
        previous = self._get_period_kpis(company, *previous_bounds)
        kpis["previous"] = previous
        kpis["change"] = {
            key: (
                (kpis[key] - previous[key]) / previous[key] * 100.0
                if previous[key]
                else None
            )
            for key in COMPARED_KPIS
        }
        domain = self._get_kpi_domain(company, start, end)
        kpis["amount_distribution"] = self._get_amount_distribution(company, domain)
        kpis["by_channel"] = self._get_channels(company, domain, kpis["revenue"])
        kpis.update(self._get_cod_outstanding(company, end))
        kpis["top_regions"] = self._get_top_regions(domain)
        kpis["top_products"] = self._get_top_products(company, start, end)
        return kpis

    @api.model
    def _get_kpi_domain(self, company, start, end):
        """Confirmed orders of ``company`` dated in [start, end)."""
        return [
            ("company_id", "=", company.id),
            ("state", "=", "sale"),
            ("date", ">=", start),
            ("date", "<", end),
        ]

    @api.model
    def _get_period_kpis(self, company, start, end):
        """The compared figures (and a few counts) of one period."""
        analysis = self.env["sale.order.analysis"]
        domain = self._get_kpi_domain(company, start, end)
        [
            (
                order_count,
                revenue,
                amount_paid,
                customers,
                paying,
                new,
                shipped,
                on_time,
                lead_time,
                returned,
                returned_amount,
                late,
                avg_rating,
                response_rate,
                ratings_requested,
                ratings_received,
                cod_orders,
                cod_revenue,
            )
        ] = analysis._read_group(
            domain,
            aggregates=[
                "__count",
                "amount_untaxed:sum",
                "amount_paid:sum",
                "partner_id:count_distinct",
                "paying_partner_id:count_distinct",
                "new_partner_id:count_distinct",
                "shipped_count:sum",
                "on_time_count:sum",
                "lead_time_hours:avg",
                "returned_count:sum",
                "returned_amount:sum",
                "late_count:sum",
                "rating_value:avg",
                "rating_response_percent:avg",
                "rating_requested_count:sum",
                "rated_count:sum",
                "cod_count:sum",
                "cod_amount_untaxed:sum",
            ],
        )
        repeat = len(
            analysis._read_group(
                domain, groupby=["partner_id"], having=[("__count", ">", 1)]
            )
        )
        held = analysis.search_count(
            [
                ("company_id", "=", company.id),
                ("state", "in", ("draft", "sent")),
                ("review_state", "=", "to_review"),
                ("date", ">=", start),
                ("date", "<", end),
            ]
        )
        currency = company.currency_id
        revenue = currency.round(revenue or 0.0)

        def percent(part, whole):
            return round(part / whole * 100.0, 2) if whole else 0.0

        return {
            "order_count": order_count,
            "revenue": revenue,
            "avg_order_value": currency.round(revenue / order_count)
            if order_count
            else 0.0,
            "amount_paid": currency.round(amount_paid or 0.0),
            "customers_ordering": customers,
            "customers_paying": paying,
            "new_customers": new,
            "returning_customers": customers - new,
            "repeat_purchase_rate": percent(repeat, customers),
            "shipped_orders": shipped or 0,
            "on_time_rate": percent(on_time or 0, shipped or 0),
            "avg_lead_time_hours": round(lead_time or 0.0, 2),
            "returned_orders": returned or 0,
            "return_rate": percent(returned or 0, order_count),
            "returned_amount": currency.round(returned_amount or 0.0),
            "held_orders": held,
            "late_orders": late or 0,
            "avg_rating": round(avg_rating or 0.0, 2),
            "rating_response_rate": round(response_rate or 0.0, 2),
            "ratings_requested": ratings_requested or 0,
            "ratings_received": ratings_received or 0,
            "cod_orders": cod_orders or 0,
            "cod_revenue": currency.round(cod_revenue or 0.0),
        }

    @api.model
    def _get_amount_brackets(self):
        """Upper bounds of the amount distribution's brackets, ascending.

        Extension point: a company selling cars wants other brackets."""
        return AMOUNT_BRACKETS

    @api.model
    def _get_amount_distribution(self, company, domain):
        """[{label, amount_min, amount_max, count, amount}] for every bracket,
        empty ones included."""
        analysis = self.env["sale.order.analysis"]
        brackets = list(self._get_amount_brackets())
        query = analysis._search(domain)
        amount = analysis._field_to_sql(query.table, "amount_untaxed", query)
        query.groupby = SQL("1")
        rows = self.env.execute_query(
            query.select(
                SQL("WIDTH_BUCKET(%s, %s::numeric[])", amount, brackets),
                SQL("COUNT(*)"),
                SQL("SUM(%s)", amount),
            )
        )
        found = {bucket: (count, total) for bucket, count, total in rows}
        bounds = [0.0, *brackets, None]
        currency = company.currency_id
        result = []
        for index in range(len(bounds) - 1):
            low, high = bounds[index], bounds[index + 1]
            count, total = found.get(index, (0, 0.0))
            if high is None:
                label = self.env._(
                    "%(low)s and more", low=format_amount(self.env, low, currency)
                )
            else:
                label = self.env._(
                    "%(low)s to %(high)s",
                    low=format_amount(self.env, low, currency),
                    high=format_amount(self.env, high, currency),
                )
            result.append(
                {
                    "label": label,
                    "amount_min": low,
                    "amount_max": high,
                    "count": count,
                    "amount": currency.round(float(total or 0.0)),
                }
            )
        return result

    @api.model
    def _get_channels(self, company, domain, revenue):
        """[{channel_id, name, count, revenue, share}] per channel (the
        orders' UTM medium), the most revenue first; ``share`` is the percent
        of ``revenue``, the period's."""
        rows = self.env["sale.order.analysis"]._read_group(
            domain,
            groupby=["medium_id"],
            aggregates=["__count", "amount_untaxed:sum"],
            order="amount_untaxed:sum desc, __count desc",
        )
        currency = company.currency_id
        return [
            {
                "channel_id": medium.id,
                "name": medium.display_name or self.env._("No Channel"),
                "count": count,
                "revenue": currency.round(amount or 0.0),
                "share": round((amount or 0.0) / revenue * 100.0, 2)
                if revenue
                else 0.0,
            }
            for medium, count, amount in rows
        ]

    @api.model
    def _get_cod_outstanding(self, company, end):
        """What the carriers hold now of the orders of ``company`` dated
        before ``end``, paid on delivery, shipped and not settled:
        ``cod_outstanding_orders``, ``cod_outstanding_amount`` (taxes
        included) and ``cod_by_carrier`` ([{carrier_id, name, count,
        amount}], the largest amount first). One query."""
        rows = self.env["sale.order.analysis"]._read_group(
            [
                ("company_id", "=", company.id),
                ("is_cod_outstanding", "=", True),
                ("date", "<", end),
            ],
            groupby=["carrier_id"],
            aggregates=["__count", "cod_outstanding_amount:sum"],
            order="cod_outstanding_amount:sum desc, __count desc",
        )
        currency = company.currency_id
        by_carrier = [
            {
                "carrier_id": carrier.id,
                "name": carrier.display_name or self.env._("No Carrier"),
                "count": count,
                "amount": currency.round(amount or 0.0),
            }
            for carrier, count, amount in rows
        ]
        return {
            "cod_outstanding_orders": sum(row["count"] for row in by_carrier),
            "cod_outstanding_amount": currency.round(
                sum(row["amount"] for row in by_carrier)
            ),
            "cod_by_carrier": by_carrier,
        }

    @api.model
    def _get_top_regions(self, domain):
        """The regions (country, state) with the most revenue."""
        rows = self.env["sale.order.analysis"]._read_group(
            domain,
            groupby=["country_id", "country_state_id"],
            aggregates=["__count", "amount_untaxed:sum"],
            order="amount_untaxed:sum desc, __count desc",
            limit=TOP_LIMIT,
        )
        return [
            {
                "country_id": country.id,
                "country": country.name or self.env._("Unknown"),
                "state_id": state.id,
                "state": state.name or "",
                "count": count,
                "revenue": amount or 0.0,
            }
            for country, state, count, amount in rows
        ]

    @api.model
    def _get_top_products(self, company, start, end):
        """The products with the most revenue, from Odoo's Sales Analysis."""
        rows = self.env["sale.report"]._read_group(
            [
                ("company_id", "=", company.id),
                ("state", "=", "sale"),
                ("date", ">=", start),
                ("date", "<", end),
                ("product_id", "!=", False),
            ],
            groupby=["product_id"],
            aggregates=["product_uom_qty:sum", "price_subtotal:sum"],
            order="price_subtotal:sum desc",
            limit=TOP_LIMIT,
        )
        return [
            {
                "product_id": product.id,
                "name": product.display_name,
                "quantity": quantity or 0.0,
                "revenue": revenue or 0.0,
            }
            for product, quantity, revenue in rows
        ]

    # Periods

    def _get_today(self):
        """Today in the digest's timezone."""
        self.ensure_one()
        return fields.Date.context_today(self.with_context(tz=self.tz))

    def _get_tz(self):
        return pytz.timezone(
            (len(self) == 1 and self.tz) or self.env.context.get("tz") or "UTC"
        )

    def _get_period_bounds(self, date_from, date_to):
        """[start, end) in naive UTC datetimes."""
        # "2026-03-01" is a day, "2026-03-01 08:00:00" a moment.
        date_from, date_to = (
            self._parse_period_bound(value) for value in (date_from, date_to)
        )
        if not isinstance(date_from, datetime):
            date_from = self._day_start(date_from)
        if not isinstance(date_to, datetime):
            date_to = self._day_start(date_to + timedelta(days=1))
        else:
            # Inclusive: Odoo stores datetimes to the second.
            date_to += timedelta(seconds=1)
        if date_to <= date_from:
            raise UserError(self.env._("The period must end after it begins."))
        return date_from, date_to

    @api.model
    def _parse_period_bound(self, value):
        if not isinstance(value, str):
            return value
        if len(value) <= 10:
            return fields.Date.to_date(value)
        return fields.Datetime.to_datetime(value)

    def _day_start(self, day):
        zone = self._get_tz()
        local = zone.localize(datetime.combine(day, time.min))
        return local.astimezone(pytz.utc).replace(tzinfo=None)

    @api.model
    def _get_next_run_date(self, periodicity, after):
        """The day after ``after`` on which a digest of this periodicity is
        sent: the next day, the next Monday or the next 1st."""
        if periodicity == "daily":
            return after + timedelta(days=1)
        if periodicity == "weekly":
            return after + timedelta(days=7 - after.weekday())
        return (after + relativedelta(months=1)).replace(day=1)

    def _get_period(self, run_date):
        """(first day, last day) of the latest complete period on ``run_date``:
        yesterday, the last week from Monday to Sunday, or the last calendar
        month."""
        self.ensure_one()
        if self.periodicity == "daily":
            last = run_date - timedelta(days=1)
            return last, last
        if self.periodicity == "weekly":
            monday = run_date - timedelta(days=run_date.weekday() + 7)
            return monday, monday + timedelta(days=6)
        first = (run_date - relativedelta(months=1)).replace(day=1)
        return first, run_date.replace(day=1) - timedelta(days=1)

    # Sending

    def _get_recipients(self):
        """Partners the digest is emailed to: its users' and the others."""
        self.ensure_one()
        return (self.user_ids.partner_id | self.partner_ids).filtered("email")

    def _get_kpi_sections(self):
        """[(section key, title)] of the KPI groups the digest includes.

        Extension point: add a ``kpi_*`` field, a section here and its block in
        the ``sale_fulfillment.order_statistics_kpis`` template."""
        self.ensure_one()
        sections = [
            ("orders", self.env._("Orders and Revenue"), self.kpi_orders),
            ("customers", self.env._("Customers"), self.kpi_customers),
            ("channels", self.env._("Channels"), self.kpi_channels),
            ("fulfillment", self.env._("Fulfillment"), self.kpi_fulfillment),
            ("returns", self.env._("Returns"), self.kpi_returns),
            ("satisfaction", self.env._("Satisfaction"), self.kpi_satisfaction),
            ("cod", self.env._("Cash on Delivery"), self.kpi_cod),
            (
                "distribution",
                self.env._("Amount Distribution"),
                self.kpi_distribution,
            ),
            ("regions", self.env._("Top Regions"), self.kpi_regions),
            ("products", self.env._("Top Products"), self.kpi_products),
        ]
        return [(key, title) for key, title, included in sections if included]

    def _get_render_values(self, date_from, date_to, kpis=None):
        """What the email body and the statistics report show."""
        self.ensure_one()
        kpis = kpis or self._compute_kpis(date_from, date_to)
        currency = self.company_id.currency_id
        sections = self._get_kpi_sections()
        return {
            "digest": self,
            "company": self.company_id,
            "kpis": kpis,
            "sections": [key for key, _title in sections],
            "titles": dict(sections),
            "period": self._format_period(date_from, date_to),
            "money": lambda amount: format_amount(self.env, amount, currency),
            "change": self._format_change,
            "bars": {
                key: self._get_bar_widths(kpis[key], measure)
                for key, measure in (
                    ("amount_distribution", "count"),
                    ("by_channel", "revenue"),
                    ("cod_by_carrier", "amount"),
                    ("top_regions", "revenue"),
                    ("top_products", "revenue"),
                )
            },
        }

    @api.model
    def _get_bar_widths(self, rows, measure):
        """Widths (percent of the largest) of the bars of ``rows``."""
        largest = max([row[measure] for row in rows] or [0]) or 1
        return [max(1, round(row[measure] * 100.0 / largest)) for row in rows]

    def _format_period(self, date_from, date_to):
        if date_from == date_to:
            return format_date(self.env, date_from)
        return self.env._(
            "%(date_from)s to %(date_to)s",
            date_from=format_date(self.env, date_from),
            date_to=format_date(self.env, date_to),
        )

    def _format_change(self, kpis, key):
        """ "+12.5 %" against the previous period, or "" when it had nothing."""
        change = kpis["change"].get(key)
        if change is None:
            return ""
        # Formatted before the call: the term extractor reads only literals.
        sign = "+" if change >= 0 else ""
        figure = f"{change:.1f}"
        return self.env._(
            "%(sign)s%(change)s %% vs. previous period", sign=sign, change=figure
        )

    def _render_body(self, values):
        return self.env["ir.qweb"]._render("sale_fulfillment.digest_email_body", values)

    def _render_statistics_pdf(self, date_from, date_to, kpis=None):
        """The Order Statistics PDF of the period; ``kpis`` already computed
        (for the email body) are reused rather than computed again."""
        self.ensure_one()
        report = self.env.ref("sale_fulfillment.action_report_order_statistics")
        data = {
            "date_from": fields.Date.to_string(date_from),
            "date_to": fields.Date.to_string(date_to),
        }
        if kpis:
            data["kpis"] = kpis
        content, _format = self.env["ir.actions.report"]._render_qweb_pdf(
            report, res_ids=self.ids, data=data
        )
        return content

    def _prepare_mail_vals(self, partners, date_from, date_to):
        """The mail.mail of the digest for ``partners``, who read one language
        (the context's)."""
        self.ensure_one()
        values = self._get_render_values(date_from, date_to)
        subject = self.env._(
            "%(digest)s: %(company)s, %(period)s",
            digest=self.name,
            company=self.company_id.name,
            period=values["period"],
        )
        vals = {
            "subject": subject,
            "body_html": self._render_body(values),
            "email_from": self.company_id.email_formatted
            or self.env.user.email_formatted,
            "recipient_ids": [(6, 0, partners.ids)],
            "auto_delete": True,
            "model": self._name,
            "res_id": self.id,
        }
        if self.attach_pdf:
            filename = self.env._(
                "Order Statistics %(period)s.pdf", period=values["period"]
            )
            vals["attachment_ids"] = [
                (
                    0,
                    0,
                    {
                        "name": filename,
                        "raw": self._render_statistics_pdf(
                            date_from, date_to, kpis=values["kpis"]
                        ),
                        "mimetype": "application/pdf",
                        "res_model": self._name,
                        "res_id": self.id,
                    },
                )
            ]
        return vals

    def _send(self, run_date, raise_empty=False):
        """Queue the digest's emails for the period before ``run_date``, one
        per recipients' language. Returns the mails."""
        self.ensure_one()
        partners = self._get_recipients()
        if not partners:
            if raise_empty:
                raise UserError(
                    self.env._(
                        "%(digest)s has no recipient with an email address.",
                        digest=self.display_name,
                    )
                )
            return self.env["mail.mail"]
        by_lang = defaultdict(lambda: self.env["res.partner"])
        default_lang = self.company_id.partner_id.lang or "en_US"
        for partner in partners:
            by_lang[partner.lang or default_lang] |= partner
        date_from, date_to = self._get_period(run_date)
        mails = self.env["mail.mail"].sudo()
        for lang, lang_partners in by_lang.items():
            digest = self.with_context(lang=lang).with_company(self.company_id)
            mails |= mails.create(
                digest._prepare_mail_vals(lang_partners, date_from, date_to)
            )
        self.sudo().last_sent_on = fields.Datetime.now()
        return mails

    @api.model
    def _cron_send_due_digests(self):
        """Send the digests due today (or overdue) and move them on."""
        # A day later than the latest zone on earth: the cron's own day may be
        # ahead of a digest's; each digest is then checked in its own zone.
        horizon = fields.Date.context_today(self) + timedelta(days=1)
        digests = self.search([("next_run_date", "<=", horizon)])
        for digest in digests:
            today = digest._get_today()
            if digest.next_run_date > today:
                continue
            try:
                with self.env.cr.savepoint():
                    digest._send(today)
                    digest.next_run_date = self._get_next_run_date(
                        digest.periodicity, today
                    )
            except Exception:
                _logger.exception("Order digest %s could not be sent", digest.id)
