from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..const import (
    DEFAULT_REVIEW_RULE_NAMES,
    EXCHANGE_POLICIES,
    REFUND_TIMINGS,
    SLA_FIELDS,
)

RATING_TRIGGERS = [
    ("delivered", "Delivery Confirmed"),
    ("shipped", "Last Shipment Left"),
]


class ResCompany(models.Model):
    _inherit = "res.company"

    # Capabilities that change what Odoo does are off until an administrator
    # switches them on (ARCHITECTURE.md, principle 6); what only adds is there
    # at once.
    sale_review_enabled = fields.Boolean(
        string="Order Review",
        help="Check the review rules when orders are confirmed and hold the "
        "orders that trip one until a reviewer approves them. Off: orders are "
        "confirmed as in Odoo and no rule is checked. Switching it on activates "
        "the default rules.",
    )
    sale_allocation_enabled = fields.Boolean(
        string="Order Allocation",
        help="Choose the warehouse, the carrier and the handler of orders by the "
        "allocation rules when they are confirmed. Off: orders keep Odoo's "
        "default warehouse, carrier and salesperson.",
    )
    sale_numbering_enabled = fields.Boolean(
        string="Numbering Schemes",
        help="Number new orders with the scheme of their channel or sales team. "
        "Off: every order gets Odoo's own number, whatever schemes exist.",
    )
    stock_pack_check_enabled = fields.Boolean(
        string="Pack-Station Checks",
        help="Deliveries whose operation type requires verification by scanning "
        "or weighing can only be validated at the pack station. Off: those "
        "settings of the operation types have no effect.",
    )
    stock_auto_split_enabled = fields.Boolean(
        string="Ship Ready Parts Separately",
        help="When a delivery whose operation type has Ship Ready Part "
        "Separately becomes partially available, what cannot be reserved moves "
        "to a new delivery. Off: that setting of the operation types has no "
        "effect.",
    )
    mrp_auto_schedule_enabled = fields.Boolean(
        string="Daily Production Scheduling",
        help="Every night, schedule the confirmed manufacturing orders that are "
        "not planned yet, with finite capacity and material availability, "
        "writing their planned dates. Off: planning is left to Odoo and to "
        "whoever clicks Schedule Production.",
    )
    sale_portal_order_changes_enabled = fields.Boolean(
        string="Order Changes on the Portal",
        help="Customers may change the delivery address of their orders or "
        "cancel them on the portal until the delivery has started; once it has, "
        "they request the cancellation and an after-sales request is opened. "
        "Off: the portal shows orders as in Odoo.",
    )

    sale_review_allow_self_approval = fields.Boolean(
        string="Salespeople May Review Their Own Orders",
        help="If unset, a held order must be reviewed by someone other than its "
        "salesperson.",
    )
    rma_return_location_id = fields.Many2one(
        comodel_name="stock.location",
        string="Returns Location",
        domain="[('usage', '=', 'internal'), ('company_id', 'in', [id, False])]",
        help="Where after-sales returns are received. Empty: where Odoo's return "
        "operation type receives them.",
    )
    rma_refund_timing = fields.Selection(
        selection=REFUND_TIMINGS,
        string="Credit Note of a Return",
        default="on_receipt",
        required=True,
    )
    rma_exchange_policy = fields.Selection(
        selection=EXCHANGE_POLICIES,
        string="Ship Exchange Replacements",
        default="after_return",
        required=True,
    )
    rma_manager_approval_amount = fields.Monetary(
        string="Refunds Needing a Manager Above",
        currency_field="currency_id",
        help="After-sales requests must be confirmed by an after-sales manager "
        "once the requests of their order refund more than this together "
        "(untaxed; confirmed, running and done requests count). Zero: no limit.",
    )
    rma_portal_user_id = fields.Many2one(
        comodel_name="res.users",
        string="Portal Requests Handled by",
        domain=lambda self: [
            ("share", "=", False),
            (
                "groups_id",
                "in",
                self.env.ref("sale_fulfillment.group_aftersales_user").ids,
            ),
        ],
        help="Who handles the after-sales requests customers file on the portal: "
        "they follow each request and get a To-Do activity. Empty: the order's "
        "salesperson, else the leader of its sales team, else an after-sales "
        "manager of the company.",
    )
    pack_weight_tolerance_percent = fields.Float(
        string="Weight Tolerance (%)",
        default=5.0,
        help="How far, in percent of the expected weight, a parcel's measured "
        "weight may be off at the pack station.",
    )
    pack_weight_tolerance_grams = fields.Float(
        string="Minimum Weight Tolerance (g)",
        default=50.0,
        help="The tolerance is never smaller than this many grams, so that light "
        "parcels are not refused for the scale's own precision.",
    )

    # Payment reminders (催款).
    sale_payment_reminder_enabled = fields.Boolean(
        string="Payment Reminders",
        help="Email customers whose orders wait for payment, and cancel the "
        "orders left unpaid too long.",
    )
    sale_payment_reminder_delay_hours = fields.Integer(
        string="Remind After (hours)",
        default=24,
        help="Hours an order waits for payment before its customer gets a "
        "reminder (one per order).",
    )
    sale_payment_cancel_delay_hours = fields.Integer(
        string="Cancel After (hours)",
        default=0,
        help="Hours a quotation waits for payment before it is cancelled, once "
        "its customer was reminded; zero never cancels. Confirmed orders and "
        "orders with something shipped, invoiced or paid are never cancelled "
        "automatically.",
    )

    # Customer milestone emails.
    sale_notify_shipped = fields.Boolean(
        string="Email Customers When Shipped",
        help="Email the customer when a delivery of their order leaves, with "
        "the carrier and tracking number. Not sent when the Inventory setting "
        "Email Confirmation already emails each delivery.",
    )
    sale_notify_delivered = fields.Boolean(
        string="Email Customers When Delivered",
        help="Email the customer when a delivery of their order is marked delivered.",
    )

    # Automatic receipt (自动确认收货).
    sale_auto_receipt_enabled = fields.Boolean(
        string="Automatic Receipt",
        help="Mark a shipped delivery to a customer as delivered a number of "
        "days after it left, when neither the carrier nor a person confirmed "
        "it earlier; the delivered email and the satisfaction survey follow "
        "as if it had been confirmed.",
    )
    sale_auto_receipt_days = fields.Integer(
        string="Delivered After (days)",
        default=15,
        help="Days after a delivery left the warehouse when it counts as "
        "received; it is dated that day.",
    )
    sale_auto_receipt_enabled_on = fields.Datetime(
        string="Automatic Receipt Since",
        readonly=True,
        copy=False,
        help="When the automatic receipt was last switched on: deliveries "
        "whose day of receipt came before are left as they are.",
    )

    # Channels (订单来源).
    sale_default_medium_id = fields.Many2one(
        comodel_name="utm.medium",
        string="Default Channel",
        ondelete="set null",
        help="The channel of new orders created without one whose sales team "
        "has no default channel.",
    )

    # Service level (服务时限) per fulfillment stage, in hours; zero: no limit.
    sale_sla_to_review_hours = fields.Integer(string="To Review (hours)")
    sale_sla_to_pay_hours = fields.Integer(string="Awaiting Payment (hours)")
    sale_sla_in_production_hours = fields.Integer(string="In Production (hours)")
    sale_sla_to_ship_hours = fields.Integer(string="To Ship (hours)")
    sale_sla_partially_shipped_hours = fields.Integer(
        string="Partially Shipped (hours)"
    )
    sale_sla_shipped_hours = fields.Integer(string="Shipped (hours)")
    sale_sla_aftersales_hours = fields.Integer(string="In After-Sales (hours)")

    # Satisfaction surveys (满意度调查).
    sale_rating_enabled = fields.Boolean(
        string="Satisfaction Surveys",
        help="Email customers a rating request once their order is delivered "
        "and once their after-sales request is done.",
    )
    sale_rating_delay_hours = fields.Integer(
        string="Ask After (hours)",
        default=24,
        help="Hours after the delivery (or the end of an after-sales request) "
        "before the customer is asked to rate it.",
    )
    sale_rating_trigger = fields.Selection(
        selection=RATING_TRIGGERS,
        string="Ask Orders When",
        default="delivered",
        required=True,
        help="Delivery Confirmed: once every delivery of the order is marked "
        "delivered. Last Shipment Left: once its last delivery left the "
        "warehouse, for companies that never confirm deliveries.",
    )
    sale_rating_enabled_on = fields.Datetime(
        string="Satisfaction Surveys Since",
        readonly=True,
        copy=False,
        help="When the surveys were last switched on: orders delivered and "
        "requests done before are never asked.",
    )

    @api.constrains(
        "sale_payment_reminder_delay_hours", "sale_payment_cancel_delay_hours"
    )
    def _check_sale_payment_delays(self):
        for company in self:
            cancel = company.sale_payment_cancel_delay_hours
            if company.sale_payment_reminder_delay_hours < 0 or cancel < 0:
                raise ValidationError(
                    self.env._("Payment reminder delays cannot be negative.")
                )
            if cancel and cancel <= company.sale_payment_reminder_delay_hours:
                raise ValidationError(
                    self.env._(
                        "%(company)s: unpaid orders can only be cancelled after "
                        "their reminder; set the cancel delay above the reminder "
                        "delay, or to zero.",
                        company=company.name,
                    )
                )

    @api.constrains("sale_auto_receipt_days")
    def _check_sale_auto_receipt_days(self):
        for company in self:
            if company.sale_auto_receipt_days <= 0:
                raise ValidationError(
                    self.env._(
                        "%(company)s: deliveries count as received a number of "
                        "days after they left; set more than zero days.",
                        company=company.name,
                    )
                )

    @api.constrains("sale_rating_delay_hours")
    def _check_sale_rating_delay_hours(self):
        for company in self:
            if company.sale_rating_delay_hours < 0:
                raise ValidationError(
                    self.env._(
                        "%(company)s: the satisfaction survey delay cannot be "
                        "negative.",
                        company=company.name,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        now = fields.Datetime.now()
        for vals in vals_list:
            if vals.get("sale_rating_enabled"):
                vals["sale_rating_enabled_on"] = now
            if vals.get("sale_auto_receipt_enabled"):
                vals["sale_auto_receipt_enabled_on"] = now
        companies = super().create(vals_list)
        companies.filtered("sale_review_enabled")._activate_default_review_rules()
        return companies

    def write(self, vals):
        switched_on = review_on = receipt_on = self.browse()
        if vals.get("sale_rating_enabled"):
            switched_on = self.filtered(lambda company: not company.sale_rating_enabled)
        if vals.get("sale_review_enabled"):
            review_on = self.filtered(lambda company: not company.sale_review_enabled)
        if vals.get("sale_auto_receipt_enabled"):
            receipt_on = self.filtered(
                lambda company: not company.sale_auto_receipt_enabled
            )
        res = super().write(vals)
        if switched_on:
            # Switching the surveys on does not ask past customers.
            switched_on.sale_rating_enabled_on = fields.Datetime.now()
        if receipt_on:
            # Nor does the automatic receipt tell them of old deliveries.
            receipt_on.sale_auto_receipt_enabled_on = fields.Datetime.now()
        review_on._activate_default_review_rules()
        return res

    def _activate_default_review_rules(self):
        """Give the companies that switch the order review on, and have no
        active review rule, their default rules: the shipped defaults of the
        company (archived at install) are activated; a company without any
        rule gets a new default set. A company that only has archived rules
        of its own keeps them as they are."""
        if not self:
            return
        Rule = self.env["sale.review.rule"].sudo().with_context(active_test=False)
        rules = Rule.search([("company_id", "in", self.ids)]).grouped("company_id")
        shipped = Rule.browse(
            self.env["ir.model.data"]
            .sudo()
            .search([("module", "=", "sale_fulfillment"), ("model", "=", Rule._name)])
            .mapped("res_id")
        )
        to_activate = Rule
        vals_list = []
        for company in self:
            company_rules = rules.get(company, Rule)
            if company_rules.filtered("active"):
                continue
            if company_rules & shipped:
                to_activate |= company_rules & shipped
            elif not company_rules:
                vals_list += company._prepare_default_review_rule_vals_list()
        to_activate.action_unarchive()
        new_rules = Rule.create(vals_list)
        new_rules._translate_default_names()

    def _prepare_default_review_rule_vals_list(self):
        """Values of the default review rules of this company, created when it
        switches the order review on without any rule: incomplete address,
        duplicate order, credit limit and stock shortage hold the order, a
        customer remark is recorded as a warning. Names are English; their
        translations follow (``sale.review.rule._translate_default_names``)."""
        self.ensure_one()
        english = self.with_context(lang="en_US").env
        return [
            {
                "name": english._(DEFAULT_REVIEW_RULE_NAMES[rule_type]),
                "sequence": sequence,
                "rule_type": rule_type,
                "severity": severity,
                "window_hours": 24,
                "company_id": self.id,
            }
            for sequence, rule_type, severity in (
                (10, "incomplete_address", "block"),
                (20, "duplicate_order", "block"),
                (30, "credit_limit", "block"),
                (40, "stock_shortage", "block"),
                (50, "customer_note", "warning"),
            )
        ]

    def _get_fulfillment_sla_hours(self, stage):
        """Service level of the fulfillment ``stage`` in hours, 0 for none."""
        self.ensure_one()
        field = SLA_FIELDS.get(stage)
        return self[field] if field else 0
