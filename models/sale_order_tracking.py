"""Order tracking: service levels of the stages, exceptions and payment reminders."""

from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.osv import expression
from odoo.tools import SQL

from ..const import SLA_FIELDS

# Move states of goods that wait for stock (not for another operation).
SHORTAGE_MOVE_STATES = ("confirmed", "partially_available")


# Exception flags of an order, in the order the summary lists them.
EXCEPTION_FLAGS = (
    "has_stock_shortage",
    "has_payment_failed",
    "has_incomplete_address",
    "is_late",
    "is_duplicate",
)


class SaleOrder(models.Model):
    _inherit = "sale.order"

    stage_deadline = fields.Datetime(
        compute="_compute_stage_deadline",
        store=True,
        help="When the order should leave its current stage: the time it "
        "entered it plus the company's service level for the stage. Empty when "
        "the stage has no service level.",
    )
    stage_age_hours = fields.Float(
        string="Hours in Stage",
        compute="_compute_stage_age_hours",
        digits=(16, 1),
        help="How long the order has been in its current fulfillment stage.",
    )
    is_stage_overdue = fields.Boolean(
        string="Stage Overdue",
        compute="_compute_stage_age_hours",
        search="_search_is_stage_overdue",
        help="The order stayed in its stage longer than the service level.",
    )

    # Exceptions (异常): what needs a person's attention on the order.
    has_stock_shortage = fields.Boolean(
        string="Stock Shortage",
        compute="_compute_has_stock_shortage",
        store=True,
        help="Goods of the confirmed order wait for stock: their transfers "
        "cannot be reserved (fully) yet.",
        groups="base.group_user",
    )
    has_payment_failed = fields.Boolean(
        string="Payment Failed",
        compute="_compute_has_payment_failed",
        store=True,
        help="An online payment of the order failed and none succeeded.",
        groups="base.group_user",
    )
    has_incomplete_address = fields.Boolean(
        string="Incomplete Address",
        compute="_compute_has_incomplete_address",
        store=True,
        help="The delivery address lacks a street, a city, a country, or the "
        "ZIP code its country requires.",
        groups="base.group_user",
    )
    is_late = fields.Boolean(
        string="Late",
        compute="_compute_is_late",
        search="_search_is_late",
        help="Goods of the confirmed order are not delivered and its "
        "commitment date (or expected date) has passed, or its planned "
        "production ends too late.",
        groups="base.group_user",
    )
    is_duplicate = fields.Boolean(
        string="Duplicate",
        compute="_compute_is_duplicate",
        search="_search_is_duplicate",
        help="The same customer ordered the same products and quantities, "
        "under the same customer reference (or none), shortly before (the "
        "window of the Duplicate order review rule).",
        groups="base.group_user",
    )
    exception_summary = fields.Char(
        string="Exceptions",
        compute="_compute_exception_summary",
        help="The order's open exceptions.",
        groups="base.group_user",
    )

    # Payment reminders (催款).
    payment_reminder_count = fields.Integer(
        string="Payment Reminders Sent",
        copy=False,
        readonly=True,
        groups="base.group_user",
    )
    payment_reminder_sent_on = fields.Datetime(
        copy=False,
        readonly=True,
        groups="base.group_user",
    )

    @api.depends(
        "fulfillment_state",
        "fulfillment_state_date",
        *(f"company_id.{field}" for field in SLA_FIELDS.values()),
    )
    def _compute_stage_deadline(self):
        for order in self:
            hours = order.company_id._get_fulfillment_sla_hours(order.fulfillment_state)
            order.stage_deadline = (
                order.fulfillment_state_date
                and hours
                and order.fulfillment_state_date + timedelta(hours=hours)
            )

    @api.depends("fulfillment_state_date", "stage_deadline")
    def _compute_stage_age_hours(self):
        now = fields.Datetime.now()
        for order in self:
            since = order.fulfillment_state_date
            order.stage_age_hours = (
                (now - since).total_seconds() / 3600 if since else 0.0
            )
            order.is_stage_overdue = bool(
                order.stage_deadline and order.stage_deadline < now
            )

    def _search_is_stage_overdue(self, operator, value):
        return self._get_flag_search_domain(
            operator, value, [("stage_deadline", "<", fields.Datetime.now())]
        )

    @api.depends("state", "order_line.move_ids.state")
    def _compute_has_stock_shortage(self):
        for order in self:
            order.has_stock_shortage = order.state == "sale" and bool(
                order.order_line.move_ids.filtered(
                    lambda move: move._is_fulfillment_short()
                )
            )

    @api.depends("state", "transaction_ids.state")
    def _compute_has_payment_failed(self):
        for order in self:
            states = set(order.transaction_ids.mapped("state"))
            order.has_payment_failed = (
                order.state != "cancel"
                and "error" in states
                and not states & {"done", "authorized"}
            )

    @api.depends(
        "state",
        "partner_shipping_id.street",
        "partner_shipping_id.city",
        "partner_shipping_id.zip",
        "partner_shipping_id.country_id.zip_required",
    )
    def _compute_has_incomplete_address(self):
        rules = self.env["sale.review.rule"]
        for order in self:
            order.has_incomplete_address = (
                order.state != "cancel"
                and bool(order.partner_shipping_id)
                and bool(
                    rules._get_missing_address_parts(
                        order.partner_shipping_id, contact=False
                    )
                )
            )

    @api.depends(
        "state",
        "delivery_status",
        "commitment_date",
        "expected_date",
        "is_production_late",
        "order_line.display_type",
        "order_line.product_id.type",
    )
    def _compute_is_late(self):
        now = fields.Datetime.now()
        for order in self:
            deadline = order.commitment_date or order.expected_date
            order.is_late = order._has_undelivered_goods() and (
                bool(deadline and deadline < now) or order.is_production_late
            )

    def _search_is_late(self, operator, value):
        now = fields.Datetime.now()
        undelivered = [
            ("state", "=", "sale"),
            ("delivery_status", "!=", "full"),
            (
                "order_line",
                "any",
                [("display_type", "=", False), ("product_id.type", "=", "consu")],
            ),
        ]
        past_due = [
            "|",
            ("commitment_date", "<", now),
            "&",
            ("commitment_date", "=", False),
            ("id", "in", self._get_past_expected_date_ids(now)),
        ]
        late = expression.AND(
            [
                undelivered,
                expression.OR([past_due, [("is_production_late", "=", True)]]),
            ]
        )
        return self._get_flag_search_domain(operator, value, late)

    @api.depends(
        "state",
        "fulfillment_state",
        "partner_id",
        "create_date",
        "client_order_ref",
        "order_line.product_id",
        "order_line.product_uom_qty",
    )
    def _compute_is_duplicate(self):
        duplicates = self._get_duplicate_orders()
        for order in self:
            order.is_duplicate = order in duplicates

    def _search_is_duplicate(self, operator, value):
        candidates = self.sudo().search(
            [("fulfillment_state", "not in", ("done", "cancel"))]
        )
        return self._get_flag_search_domain(
            operator, value, [("id", "in", candidates._get_duplicate_orders().ids)]
        )

    @api.depends(*EXCEPTION_FLAGS)
    def _compute_exception_summary(self):
        labels = {
            flag: self._fields[flag]._description_string(self.env)
            for flag in EXCEPTION_FLAGS
        }
        for order in self:
            order.exception_summary = ", ".join(
                labels[flag] for flag in EXCEPTION_FLAGS if order[flag]
            )

    @api.model
    def _get_flag_search_domain(self, operator, value, domain):
        """Domain of a boolean flag searched with ``operator`` and ``value``,
        from the ``domain`` of the orders where the flag is set."""
        if operator not in ("=", "!="):
            raise UserError(self.env._("Operation not supported"))
        if (operator == "=") == bool(value):
            return domain
        # Not a "!" of the domain: a negated comparison leaves out empty dates.
        return [("id", "not in", self._search(domain))]

    @api.model
    def _get_past_expected_date_ids(self, now):
        """Ids of the confirmed orders without commitment date whose expected
        date has passed. Odoo does not store the expected date: the query
        computes it as Odoo does, from the order date and the lines' customer
        lead time (the earliest line, the latest when shipping all at once);
        the order is late once that day (UTC) is over, so that a lead time of
        zero days does not make it late the minute it is confirmed."""
        self.env["sale.order.line"].flush_model(
            ["order_id", "display_type", "is_delivery", "customer_lead"]
        )
        self.flush_model(["state", "commitment_date", "date_order", "picking_policy"])
        line_date = SQL(
            "so.date_order + COALESCE(sol.customer_lead, 0) * INTERVAL '1 day'"
        )
        self.env.cr.execute(
            SQL(
                """
                SELECT so.id
                  FROM sale_order so
                  JOIN sale_order_line sol ON sol.order_id = so.id
                 WHERE so.state = 'sale'
                   AND so.commitment_date IS NULL
                   AND so.date_order IS NOT NULL
                   AND sol.display_type IS NULL
                   AND sol.is_delivery IS NOT TRUE
                 GROUP BY so.id
                HAVING DATE_TRUNC('day', CASE WHEN so.picking_policy = 'one'
                                              THEN MAX(%(line_date)s)
                                              ELSE MIN(%(line_date)s) END)
                       + INTERVAL '1 day' <= %(now)s
                """,
                line_date=line_date,
                now=now,
            )
        )
        return [row[0] for row in self.env.cr.fetchall()]

    def _has_undelivered_goods(self):
        """Whether the confirmed order still has goods to deliver."""
        self.ensure_one()
        return (
            self.state == "sale"
            and self.delivery_status != "full"
            and any(
                not line.display_type and line.product_id.type == "consu"
                for line in self.order_line
            )
        )

    def _get_duplicate_orders(self):
        """The open orders of ``self`` that repeat an earlier order: the
        detection of the Duplicate order review rule (same customer,
        references, products and quantities), with the window of the
        company's rule (its archived rule when none is active; 24 hours when
        it has none)."""
        orders = self.filtered(
            lambda order: (
                isinstance(order.id, int)
                and order.fulfillment_state not in ("done", "cancel")
            )
        ).sudo()
        if not orders:
            return self.browse()
        rules = self.env["sale.review.rule"].sudo().with_context(active_test=False)
        windows = {}
        for company, active, hours in rules._read_group(
            [
                ("rule_type", "=", "duplicate_order"),
                ("company_id", "in", orders.company_id.ids),
            ],
            ["company_id", "active"],
            ["window_hours:max"],
            order="active",
        ):
            if active or company not in windows:
                windows[company] = hours
        found = []
        for company, company_orders in orders.grouped("company_id").items():
            rule = rules.new(
                {
                    "rule_type": "duplicate_order",
                    "window_hours": windows.get(company) or 24,
                    "company_id": company.id,
                }
            )
            found += [
                order.id for order in rule._evaluate_duplicate_order(company_orders)
            ]
        return self.browse(found)

    @api.model
    def _cron_send_payment_reminders(self):
        """Remind customers of their unpaid orders (催款) and cancel the orders
        left unpaid too long, as the company settings say.

        Orders awaiting payment (``fulfillment_state = 'to_pay'``; never
        those paid on delivery, see ``_is_payment_required_before_shipping``)
        get one reminder once they waited the reminder delay; past the cancel delay
        (when set) a quotation whose customer was reminded is cancelled,
        unless something was shipped, invoiced or paid. Running it twice sends
        nothing more.
        """
        now = fields.Datetime.now()
        orders = (
            self.sudo()
            .search(
                [
                    ("fulfillment_state", "=", "to_pay"),
                    ("company_id.sale_payment_reminder_enabled", "=", True),
                ]
            )
            .filtered(lambda order: order._is_payment_required_before_shipping())
        )
        to_remind = orders.filtered(
            lambda order: (
                not order.payment_reminder_count
                and order._is_payment_overdue(
                    order.company_id.sale_payment_reminder_delay_hours, now
                )
            )
        )
        # Only a quotation the customer was reminded of is cancelled: a
        # confirmed order is a contract, and nobody loses an order unwarned.
        to_cancel = (orders - to_remind).filtered(
            lambda order: (
                order.state in ("draft", "sent")
                and order.payment_reminder_sent_on
                and order._is_payment_overdue(
                    order.company_id.sale_payment_cancel_delay_hours, now
                )
            )
        )
        to_remind._send_payment_reminder()
        to_cancel._cancel_unpaid()
        return True

    def _get_payment_waiting_since(self):
        """When the order began waiting for payment."""
        self.ensure_one()
        return self.fulfillment_state_date or self.date_order

    def _is_payment_overdue(self, hours, now):
        """Whether the order has waited for payment ``hours`` (> 0) by ``now``."""
        self.ensure_one()
        since = self._get_payment_waiting_since()
        return bool(hours > 0 and since and since + timedelta(hours=hours) <= now)

    def _send_payment_reminder(self):
        """Email each order's customer a payment reminder with a link to pay
        on the portal; the email stays in the order's chatter."""
        template = self.env.ref(
            "sale_fulfillment.mail_template_sale_payment_reminder",
            raise_if_not_found=False,
        )
        if not template or not self:
            return
        self.message_post_with_source(
            template,
            email_layout_xmlid="mail.mail_notification_layout_with_responsible_signature",
            subtype_xmlid="mail.mt_comment",
        )
        now = fields.Datetime.now()
        for count, orders in self.grouped(
            lambda order: order.payment_reminder_count + 1
        ).items():
            orders.write(
                {"payment_reminder_count": count, "payment_reminder_sent_on": now}
            )

    def _cancel_unpaid(self):
        """Cancel the orders that may be cancelled for want of payment, with a
        note in their chatter saying why."""
        orders = self.filtered(lambda order: order._can_cancel_unpaid())
        if not orders:
            return orders
        orders._action_cancel()
        for order in orders:
            order.message_post(
                body=self.env._(
                    "Cancelled automatically: not paid %(hours)s hours after it "
                    "began waiting for payment.",
                    hours=order.company_id.sale_payment_cancel_delay_hours,
                )
            )
        return orders

    def _can_cancel_unpaid(self):
        """Whether an unpaid order may be cancelled automatically: nothing
        shipped, no posted invoice (a legal document somebody must credit) and
        no payment received."""
        self.ensure_one()
        return (
            not any(line.qty_delivered for line in self.order_line)
            and not any(
                move.state == "posted" for move in self.order_line.invoice_lines.move_id
            )
            and not any(
                tx.state in ("authorized", "done") for tx in self.transaction_ids
            )
        )
