import re
import secrets
from collections import Counter, defaultdict
from datetime import datetime

from dateutil.relativedelta import relativedelta

from odoo import SUPERUSER_ID, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL
from odoo.tools.sql import escape_psql

NUMBERING_TYPES = [
    ("sequence", "Plain Sequence"),
    ("dated", "Dated Sequence"),
    ("timestamp", "Timestamp and Random Digits"),
]

DATE_PERIODS = [("day", "Day"), ("month", "Month"), ("year", "Year")]

# The date part of a dated number: the period it falls in.
PERIOD_FORMATS = {"day": "%Y%m%d", "month": "%Y%m", "year": "%Y"}

TIMESTAMP_FORMAT = "%Y%m%d%H%M%S"

# Letters and digits of any script, and - _ / . : what order names, file names
# of printed documents and searches take without quoting.
SAFE_CHARACTERS = re.compile(r"[\w\-/.]*")

# Advisory lock class of the creation of a scheme's period counters.
DATE_RANGE_LOCK = 71_560_917

PADDING_RANGE = (1, 10)
RANDOM_DIGITS_RANGE = (3, 12)


class SaleOrderNumbering(models.Model):
    _name = "sale.order.numbering"
    _description = "Order Numbering Scheme"
    _order = "sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True)
    active = fields.Boolean(default=True)
    sequence = fields.Integer(
        default=10,
        help="When two schemes fit an order equally well, the first one numbers it.",
    )
    company_id = fields.Many2one(
        comodel_name="res.company",
        required=True,
        default=lambda self: self.env.company,
        index=True,
    )
    sale_numbering_enabled = fields.Boolean(
        related="company_id.sale_numbering_enabled",
        string="Numbering Schemes On",
    )
    medium_id = fields.Many2one(
        comodel_name="utm.medium",
        string="Channel",
        ondelete="restrict",
        help="Number the orders of this channel only. Empty: orders of every channel.",
    )
    team_id = fields.Many2one(
        comodel_name="crm.team",
        string="Sales Team",
        ondelete="restrict",
        check_company=True,
        help="Number the orders of this sales team only. Empty: orders of every team.",
    )
    numbering_type = fields.Selection(
        selection=NUMBERING_TYPES,
        string="Numbering",
        required=True,
        default="sequence",
        help="Plain Sequence: prefix and a counter (SO00042).\n"
        "Dated Sequence: prefix, the date and a counter that restarts every "
        "day, month or year (TEL-20250301-0007).\n"
        "Timestamp and Random Digits: prefix, the order's date and time to the "
        "second and random digits (MP202503011530224711).",
    )
    prefix = fields.Char(
        help="Letters, digits and - _ / . only.",
    )
    separator = fields.Char(
        help="Put between the date and the counter or the random digits, e.g. a "
        "dash. Letters, digits and - _ / . only.",
    )
    padding = fields.Integer(
        string="Counter Digits",
        default=5,
        required=True,
        help="The counter is padded with zeros to this many digits.",
    )
    date_period = fields.Selection(
        selection=DATE_PERIODS,
        string="Counter Restarts Every",
        default="day",
        required=True,
        help="Day: the date part is YYYYMMDD; month: YYYYMM; year: YYYY. The "
        "counter starts again at 1 in each period.",
    )
    random_digits = fields.Integer(
        default=4,
        required=True,
        help="How many random digits follow the timestamp.",
    )
    sequence_id = fields.Many2one(
        comodel_name="ir.sequence",
        string="Counter",
        readonly=True,
        copy=False,
        ondelete="set null",
        help="The sequence this scheme draws its counters from. PostgreSQL "
        "hands each number out once, even when the transaction that drew it "
        "is rolled back.",
    )
    next_number_preview = fields.Char(
        string="Next Number",
        compute="_compute_next_number_preview",
        help="What the next order numbered by this scheme would look like now.",
    )
    order_count = fields.Integer(
        string="Orders", compute="_compute_order_count", compute_sudo=True
    )

    @api.depends_context("tz")
    @api.depends(
        "numbering_type",
        "prefix",
        "separator",
        "padding",
        "date_period",
        "random_digits",
        "sequence_id",
    )
    def _compute_next_number_preview(self):
        now = fields.Datetime.context_timestamp(self, fields.Datetime.now())
        counters = self._get_next_counters(now)
        for scheme in self:
            scheme.next_number_preview = scheme._format_number(
                now,
                counter=counters.get(scheme.id, 1),
                suffix=secrets.randbelow(10 ** scheme._get_random_digits()),
            )

    def _compute_order_count(self):
        counts = dict(
            self.env["sale.order"]._read_group(
                [("numbering_id", "in", self.ids)], ["numbering_id"], ["__count"]
            )
        )
        for scheme in self:
            scheme.order_count = counts.get(scheme, 0)

    @api.constrains("padding", "random_digits")
    def _check_digits(self):
        low, high = PADDING_RANGE
        random_low, random_high = RANDOM_DIGITS_RANGE
        for scheme in self:
            if not low <= scheme.padding <= high:
                raise ValidationError(
                    self.env._(
                        "Numbering scheme %(scheme)s: the counter has from %(low)s "
                        "to %(high)s digits.",
                        scheme=scheme.name,
                        low=low,
                        high=high,
                    )
                )
            if not random_low <= scheme.random_digits <= random_high:
                raise ValidationError(
                    self.env._(
                        "Numbering scheme %(scheme)s: there are from %(low)s to "
                        "%(high)s random digits.",
                        scheme=scheme.name,
                        low=random_low,
                        high=random_high,
                    )
                )

    @api.constrains("prefix", "separator")
    def _check_characters(self):
        for scheme in self:
            for text in (scheme.prefix, scheme.separator):
                if text and not SAFE_CHARACTERS.fullmatch(text):
                    raise ValidationError(
                        self.env._(
                            "Numbering scheme %(scheme)s: “%(text)s” cannot be "
                            "part of an order number. Use letters, digits and "
                            "- _ / . only (no spaces).",
                            scheme=scheme.name,
                            text=text,
                        )
                    )

    @api.constrains("company_id", "medium_id", "team_id", "active")
    def _check_unique_scope(self):
        schemes = self.filtered("active")
        if not schemes:
            return
        rivals = self.search(
            [
                ("company_id", "in", schemes.company_id.ids),
                ("medium_id", "in", [*schemes.medium_id.ids, False]),
                ("team_id", "in", [*schemes.team_id.ids, False]),
            ]
        )
        for scheme in schemes:
            other = rivals.filtered(
                lambda rival, scheme=scheme: (
                    rival != scheme and rival._get_scope() == scheme._get_scope()
                )
            )[:1]
            if other:
                raise ValidationError(
                    self.env._(
                        "Numbering scheme %(scheme)s: %(other)s already numbers the "
                        "orders of the same company, channel and sales team. "
                        "Archive one of them, or give them different channels or "
                        "teams.",
                        scheme=scheme.name,
                        other=other.name,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        schemes = super().create(vals_list)
        schemes._ensure_sequences()
        return schemes

    def write(self, vals):
        if "company_id" in vals and any(
            scheme.order_count and scheme.company_id.id != vals["company_id"]
            for scheme in self
        ):
            raise UserError(
                self.env._(
                    "A numbering scheme that has numbered orders stays in its "
                    "company: create a new scheme for the other company."
                )
            )
        result = super().write(vals)
        if vals.keys() & {"name", "company_id", "numbering_type", "padding"}:
            for scheme in self.filtered("sequence_id"):
                scheme.sequence_id.sudo().write(scheme._prepare_sequence_vals())
        return result

    def copy_data(self, default=None):
        # An active copy would number the same orders as its original: the copy
        # starts archived, to be given its own channel or team first.
        default = dict(default or {})
        vals_list = super().copy_data(default=default)
        for scheme, vals in zip(self, vals_list, strict=True):
            if "name" not in default:
                vals["name"] = self.env._("%(scheme)s (copy)", scheme=scheme.name)
            if "active" not in default:
                vals["active"] = False
        return vals_list

    @api.ondelete(at_uninstall=False)
    def _unlink_except_used(self):
        used = self.filtered("order_count")
        if used:
            raise UserError(
                self.env._(
                    "Numbering scheme %(scheme)s has numbered orders: archive it "
                    "instead, so that its numbers are never given again.",
                    scheme=used[0].name,
                )
            )

    def unlink(self):
        sequences = self.sequence_id.sudo()
        result = super().unlink()
        # Date ranges first: the sequence's own unlink drops only its main
        # PostgreSQL sequence.
        sequences.date_range_ids.unlink()
        sequences.unlink()
        return result

    def action_view_orders(self):
        """Open the orders this scheme numbered."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("sale.action_orders")
        action.update(
            {
                "name": self.env._("Orders Numbered by %(scheme)s", scheme=self.name),
                "domain": [("numbering_id", "=", self.id)],
                "context": {"create": False},
            }
        )
        return action

    # Business methods

    def _get_scope(self):
        """(company, channel, team) of the orders this scheme numbers."""
        self.ensure_one()
        return (self.company_id, self.medium_id, self.team_id)

    @api.model
    def _get_numbering(self, company, medium, team):
        """The active scheme that numbers a new order of ``company`` from channel
        ``medium`` and sales team ``team`` (either may be empty), or an empty
        recordset when the order keeps Odoo's own numbering."""
        key = (company, medium, team)
        return self._get_numberings([key])[key]

    @api.model
    def _get_numberings(self, keys):
        """``{(company, medium, team): scheme}`` for ``keys``, with one search.

        The most specific active scheme of the company wins: channel and team,
        then channel only, then team only, then company-wide; ties go to the
        lower ``sequence``. The scheme is an empty recordset where none fits.
        """
        candidates = self.search_fetch(
            [("company_id", "in", list({company.id for company, _m, _t in keys}))],
            ["company_id", "medium_id", "team_id", "sequence"],
        )
        result = {}
        for company, medium, team in keys:
            fitting = candidates.filtered(
                lambda scheme, company=company, medium=medium, team=team: (
                    scheme.company_id == company
                    and (not scheme.medium_id or scheme.medium_id == medium)
                    and (not scheme.team_id or scheme.team_id == team)
                )
            )
            result[(company, medium, team)] = fitting.sorted(
                lambda scheme: (
                    not scheme.medium_id,
                    not scheme.team_id,
                    scheme.sequence,
                    scheme.id,
                )
            )[:1]
        return result

    def _next_numbers(self, dates):
        """Draw the numbers of ``len(dates)`` new orders of this scheme.

        ``dates`` holds each order's date in the user's timezone; the numbers
        come back in the same order. A whole batch costs a constant number of
        queries. A number that already names an order of the company is skipped
        and another one drawn. Counters come from PostgreSQL sequences, which
        never hand out a number twice, even when the transaction that drew it
        is rolled back.
        """
        self.ensure_one()
        if not dates:
            return []
        if self.numbering_type == "timestamp":
            return self._next_random_numbers(dates)
        return self._next_counted_numbers(dates)

    def _next_counted_numbers(self, dates):
        periods = [self._get_period(day) for day in dates]
        sequence_names = self._get_counter_sequence_names(set(periods))
        numbers = defaultdict(list)
        missing = Counter(periods)
        while missing:
            drawn = self._draw_counters(
                {sequence_names[period]: count for period, count in missing.items()}
            )
            candidates = {
                period: [
                    self._format_number(period, counter=counter)
                    for counter in drawn[sequence_names[period]]
                ]
                for period in missing
            }
            taken = self._get_taken_names(
                [name for names in candidates.values() for name in names]
            )
            missing = Counter()
            for period, names in candidates.items():
                free = [name for name in names if name not in taken]
                numbers[period] += free
                if len(free) < len(names):
                    missing[period] = len(names) - len(free)
        queues = {period: iter(names) for period, names in numbers.items()}
        return [next(queues[period]) for period in periods]

    def _next_random_numbers(self, dates):
        digits = self._get_random_digits()
        heads = [self._format_number(moment, suffix="") for moment in dates]
        head_set = set(heads)
        # One LIKE per second, ORed: unlike LIKE ANY, the name's trigram index
        # serves them.
        self.env.cr.execute(
            SQL(
                "SELECT name FROM sale_order WHERE company_id = %s AND (%s)",
                self.company_id.id,
                SQL(" OR ").join(
                    SQL("name LIKE %s", f"{escape_psql(head)}%") for head in head_set
                ),
            )
        )
        used = defaultdict(set)
        for (name,) in self.env.cr.fetchall():
            for head in head_set:
                suffix = name[len(head) :]
                if name.startswith(head) and len(suffix) == digits and suffix.isdigit():
                    used[head].add(int(suffix))
        needed = Counter(heads)
        random = secrets.SystemRandom()
        drawn = {}
        for head, count in needed.items():
            if count > 10**digits - len(used[head]):
                raise UserError(
                    self.env._(
                        "Numbering scheme %(scheme)s cannot number %(count)s more "
                        "orders of %(time)s: its %(digits)s random digits are used "
                        "up for that second. Give it more random digits.",
                        scheme=self.name,
                        count=count,
                        time=head,
                        digits=digits,
                    )
                )
            picked = []
            while len(picked) < count:
                value = random.randrange(10**digits)
                if value not in used[head]:
                    used[head].add(value)
                    picked.append(f"{head}{value:0{digits}d}")
            drawn[head] = iter(picked)
        return [next(drawn[head]) for head in heads]

    def _get_period(self, moment):
        """First day of the counter's period holding ``moment``; None when the
        counter never restarts."""
        self.ensure_one()
        if self.numbering_type != "dated":
            return None
        day = moment.date() if isinstance(moment, datetime) else moment
        if self.date_period == "year":
            return day.replace(month=1, day=1)
        if self.date_period == "month":
            return day.replace(day=1)
        return day

    def _get_period_end(self, start):
        self.ensure_one()
        if self.date_period == "year":
            return start + relativedelta(years=1, days=-1)
        if self.date_period == "month":
            return start + relativedelta(months=1, days=-1)
        return start

    def _get_random_digits(self):
        self.ensure_one()
        low, high = RANDOM_DIGITS_RANGE
        return min(max(self.random_digits, low), high)

    def _format_number(self, moment, counter=None, suffix=None):
        """The number of an order dated ``moment`` (a datetime, or a period's
        first day) with ``counter``, or with the random ``suffix`` (an int, or
        a str taken as is)."""
        self.ensure_one()
        prefix = self.prefix or ""
        if self.numbering_type == "sequence":
            return f"{prefix}{counter:0{max(self.padding, 1)}d}"
        separator = self.separator or ""
        if self.numbering_type == "dated":
            period = moment.strftime(PERIOD_FORMATS[self.date_period])
            return f"{prefix}{period}{separator}{counter:0{max(self.padding, 1)}d}"
        if isinstance(suffix, int):
            suffix = f"{suffix:0{self._get_random_digits()}d}"
        return f"{prefix}{moment.strftime(TIMESTAMP_FORMAT)}{separator}{suffix}"

    def _get_taken_names(self, names):
        """The ones of ``names`` that already name an order of the company."""
        self.ensure_one()
        self.env.cr.execute(
            SQL(
                "SELECT name FROM sale_order WHERE company_id = %s AND name = ANY(%s)",
                self.company_id.id,
                names,
            )
        )
        return {name for (name,) in self.env.cr.fetchall()}

    def _draw_counters(self, counts):
        """``{sequence name: [counters]}``: ``counts[name]`` values of each
        PostgreSQL sequence, ascending, in one query."""
        parts = [
            SQL(
                "SELECT %s AS sequence_name, nextval(%s) AS counter "
                "FROM generate_series(1, %s)",
                name,
                name,
                count,
            )
            for name, count in counts.items()
        ]
        self.env.cr.execute(SQL(" UNION ALL ").join(parts))
        drawn = defaultdict(list)
        for name, counter in self.env.cr.fetchall():
            drawn[name].append(counter)
        return {name: sorted(counters) for name, counters in drawn.items()}

    def _get_counter_sequence_names(self, periods):
        """``{period: PostgreSQL sequence}`` for ``periods``; creates the
        counters of the periods that have none yet."""
        self.ensure_one()
        self._ensure_sequences()
        sequence_id = self.sequence_id.id
        if self.numbering_type != "dated":
            return {None: f"ir_sequence_{sequence_id:03d}"}
        spans = {start: self._get_period_end(start) for start in periods}
        ranges = self._get_date_range_ids(self.env(su=True), sequence_id, spans)
        if spans.keys() - ranges.keys():
            ranges = self._create_date_ranges(spans)
        return {
            period: f"ir_sequence_{sequence_id:03d}_{range_id:03d}"
            for period, range_id in ranges.items()
        }

    def _create_date_ranges(self, spans):
        """Create the counters of the periods ``spans`` ({first day: last day})
        that have none yet; return ``{first day: ir.sequence.date_range id}``.

        They are created in a transaction of their own, committed at once.
        The first orders of a new day saved at the same time by two users
        then share one counter: the second creation waits for the first (a
        lock held for that short transaction only, never for the users'), then
        finds its counter. And a counter is never rolled back with the order
        that asked for it, so a number drawn from it is never drawn again.
        """
        self.ensure_one()
        sequence_id = self.sequence_id.id
        registry = self.env.registry
        if not registry.in_test_mode():
            with registry.cursor() as cr:
                # Each statement sees what the previous creator committed.
                cr.execute("SET TRANSACTION ISOLATION LEVEL READ COMMITTED")
                cr.execute("SET LOCAL lock_timeout = '10s'")
                cr.execute(
                    SQL(
                        "SELECT pg_advisory_xact_lock(%s, %s)",
                        DATE_RANGE_LOCK,
                        sequence_id,
                    )
                )
                cr.execute(SQL("SELECT 1 FROM ir_sequence WHERE id = %s", sequence_id))
                if cr.rowcount:
                    env = api.Environment(cr, SUPERUSER_ID, {})
                    return self._get_date_range_ids(
                        env, sequence_id, spans, create=True
                    )
        # The sequence is this transaction's own (a new scheme, or Odoo's test
        # mode): no other transaction can number with it.
        return self._get_date_range_ids(
            self.env(su=True), sequence_id, spans, create=True
        )

    @api.model
    def _get_date_range_ids(self, env, sequence_id, spans, create=False):
        """``{first day: ir.sequence.date_range id}`` of the counters of the
        periods ``spans`` ({first day: last day}) in ``env``'s transaction,
        created where missing if ``create``. A range counts only if it covers
        exactly its period: an earlier setting (months before days, say) left
        ranges of other sizes."""
        DateRange = env["ir.sequence.date_range"]
        existing = DateRange.search_fetch(
            [("sequence_id", "=", sequence_id), ("date_from", "in", list(spans))],
            ["date_from", "date_to"],
        )
        result = {
            date_range.date_from: date_range.id
            for date_range in existing
            if date_range.date_to == spans[date_range.date_from]
        }
        missing = sorted(spans.keys() - result.keys())
        if create and missing:
            created = DateRange.create(
                [
                    {
                        "sequence_id": sequence_id,
                        "date_from": start,
                        "date_to": spans[start],
                    }
                    for start in missing
                ]
            )
            result.update(zip(missing, created.ids, strict=True))
        return result

    def _get_next_counters(self, moment):
        """``{scheme id: next counter}`` for the counted schemes of ``self`` at
        ``moment``, without drawing any: two queries for all."""
        counted = self.filtered(
            lambda scheme: (
                scheme.id
                and scheme.numbering_type != "timestamp"
                and scheme.sequence_id
            )
        )
        dated = counted.filtered(lambda scheme: scheme.numbering_type == "dated")
        ranges = {}
        if dated:
            for date_range in (
                self.env["ir.sequence.date_range"]
                .sudo()
                .search_fetch(
                    [
                        ("sequence_id", "in", dated.sequence_id.ids),
                        (
                            "date_from",
                            "in",
                            list({scheme._get_period(moment) for scheme in dated}),
                        ),
                    ],
                    ["sequence_id", "date_from", "date_to"],
                )
            ):
                ranges[date_range.sequence_id.id, date_range.date_from] = date_range
        sources = {}
        for scheme in counted:
            sequence_id = scheme.sequence_id.id
            if scheme.numbering_type == "sequence":
                sources[scheme.id] = f"ir_sequence_{sequence_id:03d}"
                continue
            period = scheme._get_period(moment)
            date_range = ranges.get((sequence_id, period))
            if date_range and date_range.date_to == scheme._get_period_end(period):
                sources[scheme.id] = (
                    f"ir_sequence_{sequence_id:03d}_{date_range.id:03d}"
                )
        if not sources:
            return {}
        self.env.cr.execute(
            SQL(" UNION ALL ").join(
                SQL(
                    "SELECT %s, last_value, is_called FROM %s",
                    scheme_id,
                    SQL.identifier(name),
                )
                for scheme_id, name in sources.items()
            )
        )
        return {
            scheme_id: last_value + 1 if is_called else last_value
            for scheme_id, last_value, is_called in self.env.cr.fetchall()
        }

    def _ensure_sequences(self):
        """Give every scheme of ``self`` its own counter sequence."""
        missing = self.filtered(lambda scheme: not scheme.sequence_id)
        if not missing:
            return
        sequences = (
            self.env["ir.sequence"]
            .sudo()
            .create([scheme._prepare_sequence_vals() for scheme in missing])
        )
        for scheme, sequence in zip(missing, sequences, strict=True):
            scheme.sequence_id = sequence

    def _prepare_sequence_vals(self):
        """Values of the ``ir.sequence`` holding this scheme's counters. It has
        no code, so that nothing else draws from it; prefix, date and random
        digits are the scheme's own work."""
        self.ensure_one()
        return {
            "name": self.env._("Order Numbering: %(scheme)s", scheme=self.name),
            "code": False,
            "implementation": "standard",
            "company_id": self.company_id.id,
            "padding": self.padding,
            "use_date_range": self.numbering_type == "dated",
        }
