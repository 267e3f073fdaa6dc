from collections import defaultdict
from datetime import timedelta

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

from .locking import lock_for_update
from .sale_rma import OPEN_STATES as RMA_OPEN_STATES

FULFILLMENT_STATES = [
    ("quotation", "Quotation"),
    ("to_review", "To Review"),
    ("rejected", "Rejected"),
    ("to_pay", "Awaiting Payment"),
    ("in_production", "In Production"),
    ("to_ship", "To Ship"),
    ("partially_shipped", "Partially Shipped"),
    ("shipped", "Shipped"),
    ("aftersales", "After-Sales"),
    ("done", "Done"),
    ("cancel", "Cancelled"),
]

# The stages an order passes while work is open: always shown as kanban columns.
PIPELINE_STATES = (
    "to_review",
    "to_pay",
    "in_production",
    "to_ship",
    "partially_shipped",
    "shipped",
    "aftersales",
)

# Review fields only the review itself writes: a client cannot forge a decision.
REVIEW_FIELDS = {
    "review_state",
    "reviewed_by_id",
    "reviewed_on",
    "review_reject_reason",
    "review_requested_by_id",
    "review_held_on",
}

# Changing these on a held or rejected order voids its review.
REVIEWED_ORDER_FIELDS = {
    "partner_id",
    "partner_shipping_id",
    "partner_invoice_id",
    "pricelist_id",
    "currency_id",
    "payment_term_id",
    "commitment_date",
    "customer_note",
    "require_payment",
    "prepayment_percent",
    "order_line",
    "company_id",
    "warehouse_id",
}

# Key of the cursor cache holding the ids of orders a reviewer has just approved.
# The cursor cache lives on the server only, unlike the context.
APPROVED_CACHE_KEY = "sale_fulfillment_review_approved_ids"

# Invoice payment states that leave nothing to collect on the invoice.
SETTLED_PAYMENT_STATES = ("paid", "in_payment", "reversed")


class SaleOrder(models.Model):
    _inherit = "sale.order"

    customer_note = fields.Text(
        string="Customer Remark",
        help="What the customer wrote with the order. A review rule can hold "
        "orders with a remark until someone has read it.",
    )
    review_state = fields.Selection(
        selection=[
            ("none", "Not Reviewed"),
            ("to_review", "To Review"),
            ("approved", "Approved"),
            ("rejected", "Rejected"),
        ],
        string="Review",
        default="none",
        required=True,
        copy=False,
        index=True,
        tracking=True,
    )
    review_issue_ids = fields.One2many(
        comodel_name="sale.review.issue",
        inverse_name="order_id",
        string="Review Issues",
        copy=False,
    )
    reviewed_by_id = fields.Many2one(
        comodel_name="res.users", string="Reviewed by", copy=False, readonly=True
    )
    reviewed_on = fields.Datetime(copy=False, readonly=True)
    review_requested_by_id = fields.Many2one(
        comodel_name="res.users",
        string="Held on Confirmation by",
        copy=False,
        readonly=True,
        help="Who confirmed the order when it was held; they may not approve it.",
    )
    review_reject_reason = fields.Text(
        string="Rejection Reason", copy=False, readonly=True
    )
    review_held_on = fields.Datetime(
        string="Held for Review on",
        copy=False,
        readonly=True,
        help="When the order was last held for review: with the review date, how "
        "long it waited.",
    )
    review_summary = fields.Char(
        string="Review Issues Summary", compute="_compute_review_summary"
    )
    review_banner = fields.Html(
        string="Open Review Issues", compute="_compute_review_summary"
    )
    review_can_clear = fields.Boolean(compute="_compute_review_can_clear")
    fulfillment_state = fields.Selection(
        selection=FULFILLMENT_STATES,
        string="Fulfillment",
        compute="_compute_fulfillment_state",
        store=True,
        index=True,
        group_expand="_expand_fulfillment_states",
        tracking=True,
        help="Where the order stands in its fulfillment, derived from what Odoo "
        "knows about it: confirmation, payment, manufacturing, deliveries and "
        "invoices.\n"
        "- Quotation: not confirmed yet.\n"
        "- Awaiting Payment: a sent quotation waits for the customer's online "
        "payment, or a confirmed order with nothing to ship is not paid yet.\n"
        "- In Production: nothing shipped yet and make-to-order production is "
        "still running.\n"
        "- To Ship: ready to be shipped, nothing shipped yet.\n"
        "- Partially Shipped: some shipments have left, others are open.\n"
        "- Shipped: every shipment has left; invoicing or payment is open.\n"
        "- After-Sales: an after-sales request of the order is open.\n"
        "- Done: shipped, invoiced and paid.\n"
        "- Cancelled: the order was cancelled.",
    )

    production_finish_date = fields.Datetime(
        string="Production Finish",
        compute="_compute_production_finish_date",
        store=True,
        help="Planned end of the order's make-to-order production: the latest "
        "planned (or actual) finish of its manufacturing orders.",
    )
    is_production_late = fields.Boolean(
        string="Production Late",
        compute="_compute_production_finish_date",
        store=True,
        help="The planned production finish plus the company's security lead "
        "time is later than the commitment date.",
    )
    promised_date = fields.Datetime(
        string="Earliest Delivery",
        copy=False,
        readonly=True,
        help="The earliest delivery date the current production plan allows, "
        "from When Can We Deliver?: make-to-order lines are simulated on top of "
        "the plan (capacity, working time, materials); nothing is planned.",
    )
    rma_ids = fields.One2many(
        comodel_name="sale.rma",
        inverse_name="order_id",
        string="After-Sales Requests",
        copy=False,
    )
    rma_count = fields.Integer(
        string="After-Sales Request Count", compute="_compute_rma_count"
    )
    shipment_ids = fields.Many2many(
        comodel_name="stock.picking",
        string="Shipments",
        compute="_compute_shipment_ids",
        help="Every transfer carrying goods of this order, including deliveries "
        "merged with those of other orders.",
    )

    @api.depends("review_issue_ids.message", "review_issue_ids.is_open")
    def _compute_review_summary(self):
        for order in self:
            issues = order.review_issue_ids.filtered("is_open")
            order.review_summary = " / ".join(issues.mapped("message"))
            order.review_banner = Markup("<ul class='mb-0'>%s</ul>") % Markup("").join(
                Markup("<li>%s <em>(%s)</em></li>")
                % (
                    issue.message,
                    self.env._(
                        "cleared by %(group)s", group=issue.reviewer_group_id.full_name
                    ),
                )
                for issue in issues
            )

    @api.depends_context("uid")
    @api.depends("review_state", "review_issue_ids.is_open")
    def _compute_review_can_clear(self):
        groups = self.env.user.groups_id
        for order in self:
            order.review_can_clear = order.review_state == "to_review" and any(
                issue.is_open and issue.reviewer_group_id in groups
                for issue in order.review_issue_ids
            )

    @api.depends(
        "state",
        "review_state",
        "require_payment",
        "prepayment_percent",
        "amount_total",
        "transaction_ids.state",
        "transaction_ids.amount",
        "delivery_status",
        "invoice_status",
        "order_line.product_type",
        "order_line.invoice_lines.move_id.state",
        "order_line.invoice_lines.move_id.payment_state",
        "order_line.production_ids.state",
        "procurement_group_id.stock_move_ids.created_production_id.state",
        "rma_ids.state",
    )
    def _compute_fulfillment_state(self):
        # Relations are prefetched for the whole batch the first time one order
        # reads them; the production orders are not (each order unites its own
        # recordsets), so read them for the batch once: no query per order.
        self._get_fulfillment_productions().fetch(["state"])
        for order in self:
            order.fulfillment_state = order._get_fulfillment_state()

    @api.depends(
        "commitment_date",
        "company_id.security_lead",
        "order_line.production_ids.state",
        "order_line.production_ids.date_finished",
        "procurement_group_id.stock_move_ids.created_production_id.state",
        "procurement_group_id.stock_move_ids.created_production_id.date_finished",
    )
    def _compute_production_finish_date(self):
        self._get_fulfillment_productions().fetch(["state", "date_finished"])
        for order in self:
            productions = order._get_fulfillment_productions().filtered(
                lambda production: production.state != "cancel"
            )
            finish = max(productions.mapped("date_finished"), default=False)
            order.production_finish_date = finish
            order.is_production_late = bool(
                finish
                and order.commitment_date
                and any(production.state != "done" for production in productions)
                and order._get_delivery_date_after_production(finish)
                > order.commitment_date
            )

    @api.depends("rma_ids")
    def _compute_rma_count(self):
        for order in self:
            order.rma_count = len(order.rma_ids)

    @api.depends("picking_ids", "order_line.move_ids.picking_id")
    def _compute_shipment_ids(self):
        for order in self:
            order.shipment_ids = order._get_shipments()

    @api.depends("picking_ids", "order_line.move_ids.picking_id")
    def _compute_picking_ids(self):
        super()._compute_picking_ids()
        for order in self:
            order.delivery_count = len(order._get_shipments())

    @api.depends(
        "picking_ids",
        "picking_ids.state",
        "order_line.move_ids.picking_id.state",
    )
    def _compute_delivery_status(self):
        merged = self._get_orders_in_shared_shipments()
        super(SaleOrder, self - merged)._compute_delivery_status()
        for order in merged:
            order.delivery_status = order._get_delivery_status_of(
                order._get_shipments()
            )

    @api.depends("picking_ids.date_done", "order_line.move_ids.picking_id.date_done")
    def _compute_effective_date(self):
        merged = self._get_orders_in_shared_shipments()
        super(SaleOrder, self - merged)._compute_effective_date()
        for order in merged:
            dates = order._get_shipments().filtered(
                lambda picking: (
                    picking.state == "done"
                    and picking.location_dest_id.usage == "customer"
                )
            )
            order.effective_date = min(dates.mapped("date_done"), default=False)

    def write(self, vals):
        if REVIEW_FIELDS & vals.keys() and not self.env.su:
            raise AccessError(
                self.env._("Only the order review sets the review of an order.")
            )
        if REVIEWED_ORDER_FIELDS & vals.keys():
            self._review_void()
        return super().write(vals)

    def action_confirm(self):
        """Confirm the orders that pass the review rules; hold the others.

        Held orders stay quotations in review (``review_state = 'to_review'``); the
        batch is not interrupted. Orders a reviewer has just approved are confirmed
        without a new review.
        """
        approved_ids = self.env.cr.cache.get(APPROVED_CACHE_KEY, set())
        to_review = self.filtered(
            lambda order: (
                order.state in ("draft", "sent") and order.id not in approved_ids
            )
        )
        held = to_review._review_hold()
        to_confirm = self - held
        if not to_confirm:
            return True
        return super(SaleOrder, to_confirm).action_confirm()

    def action_draft(self):
        self._review_void()
        return super().action_draft()

    def action_view_delivery(self):
        return self._get_action_view_picking(self._get_shipments())

    def _action_cancel(self):
        # Odoo cancels an order's transfers. A delivery merged with other orders'
        # goods must keep those: this order's goods leave it first.
        for picking, orders in self._get_shared_open_shipments().items():
            own = picking.move_ids.filtered(
                lambda move, orders=orders: (
                    move.sale_line_id.order_id in orders
                    and move.state not in ("done", "cancel")
                )
            )
            if own:
                picking._split_shipment(
                    {move.id: move.product_uom_qty for move in own}
                ).action_cancel()
        return super()._action_cancel()

    def action_open_rma_wizard(self):
        """Open the after-sales wizard on this confirmed order."""
        self.ensure_one()
        if self.state != "sale":
            raise UserError(
                self.env._(
                    "%(order)s is not a confirmed order: after-sales requests are "
                    "for confirmed orders only.",
                    order=self.name,
                )
            )
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("New After-Sales Request"),
            "res_model": "sale.rma.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_order_id": self.id},
        }

    def action_view_rma(self):
        """Open the order's after-sales requests."""
        self.ensure_one()
        action = self.env["ir.actions.actions"]._for_xml_id(
            "sale_fulfillment.sale_rma_action"
        )
        action["domain"] = [("order_id", "=", self.id)]
        action["context"] = {"default_order_id": self.id, "create": False}
        if len(self.rma_ids) == 1:
            action["views"] = [(False, "form")]
            action["res_id"] = self.rma_ids.id
        return action

    def action_compute_promise_date(self):
        """Fill ``promised_date``: when could these orders be delivered?

        Make-to-order lines are simulated on top of the current production plan
        (bill of materials, capacity, working time, components); the other lines
        count with Odoo's own expected date. Nothing but ``promised_date`` is
        written: no manufacturing order, work order or booking.
        """
        promises = self._get_promise_dates()
        for order in self:
            order.promised_date = promises.get(order.id) or order.expected_date
        return True

    def action_review_approve(self):
        """Clear the open issues the current user may clear; confirm the orders
        left without any. Only members of an issue's reviewer group clear it."""
        orders = self._review_lock()
        user = self.env.user
        cleared = self.env["sale.review.issue"]
        for order in orders:
            order._review_check_reviewer()
            cleared |= order.review_issue_ids.filtered(
                lambda issue: (
                    issue.is_open and issue.reviewer_group_id in user.groups_id
                )
            )
        now = fields.Datetime.now()
        cleared.sudo().write({"cleared_by_id": user.id, "cleared_on": now})
        approved = orders.filtered(
            lambda order: not order.review_issue_ids.filtered("is_open")
        )
        approved.sudo().write(
            {"review_state": "approved", "reviewed_by_id": user.id, "reviewed_on": now}
        )
        for order in orders:
            order.message_post(
                body=self.env._(
                    "Review issues cleared by %(user)s: %(issues)s",
                    user=user.name,
                    issues="; ".join(
                        (cleared & order.review_issue_ids).mapped("message")
                    ),
                )
            )
        approved._review_confirm_approved()
        return True

    def action_review_reject(self, reason):
        """Reject held orders with ``reason``; their salespeople get an activity."""
        if not reason or not reason.strip():
            raise UserError(self.env._("Give a reason for the rejection."))
        orders = self._review_lock()
        for order in orders:
            order._review_check_reviewer()
        orders.sudo().write(
            {
                "review_state": "rejected",
                "reviewed_by_id": self.env.user.id,
                "reviewed_on": fields.Datetime.now(),
                "review_reject_reason": reason,
            }
        )
        for order in orders:
            order.message_post(
                body=self.env._(
                    "Order rejected by %(user)s: %(reason)s",
                    user=self.env.user.name,
                    reason=reason,
                )
            )
            order.activity_schedule(
                "mail.mail_activity_data_todo",
                summary=self.env._("Order rejected in review"),
                note=reason,
                user_id=order.user_id.id or self.env.uid,
            )
        return True

    def action_open_review_reject_wizard(self):
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Reject Orders"),
            "res_model": "sale.review.reject.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_order_ids": self.ids},
        }

    def action_open_review_simulation(self):
        """Dry run of the review rules on these orders, in a wizard."""
        quotations = self.filtered(lambda order: order.state in ("draft", "sent"))
        if not quotations:
            raise UserError(
                self.env._("Select quotations: confirmed orders are not reviewed.")
            )
        simulation = self.env["sale.review.simulation"].create(
            {"order_ids": [fields.Command.set(quotations.ids)]}
        )
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Review Simulation"),
            "res_model": "sale.review.simulation",
            "res_id": simulation.id,
            "view_mode": "form",
            "target": "new",
        }

    def _review_evaluate(self):
        """Dry run: return ``{order: [issue values]}`` for the active rules of the
        orders' companies. Writes nothing. Each rule reads all orders at once."""
        rules = (
            self.env["sale.review.rule"]
            .sudo()
            .search([("company_id", "in", self.company_id.ids)])
        )
        result = defaultdict(list)
        orders = self.sudo()
        for rule in rules:
            for order, message in rule._evaluate(orders).items():
                result[self.browse(order.id)].append(
                    rule._prepare_issue_vals(order, message)
                )
        return dict(result)

    def _review_hold(self):
        """Evaluate the rules from scratch, store the issues and hold the orders
        with a blocking one. Returns the held orders."""
        issues = self._review_evaluate()
        self.sudo().review_issue_ids.unlink()
        self.env["sale.review.issue"].sudo().create(
            [vals for order_issues in issues.values() for vals in order_issues]
        )
        held = self.filtered(
            lambda order: any(
                vals["severity"] == "block" for vals in issues.get(order, [])
            )
        )
        review_vals = {
            "reviewed_by_id": False,
            "reviewed_on": False,
            "review_reject_reason": False,
        }
        held.sudo().write(
            {
                "review_state": "to_review",
                "review_requested_by_id": self.env.user.id,
                "review_held_on": fields.Datetime.now(),
                **review_vals,
            }
        )
        (self - held).sudo().write(
            {
                "review_state": "approved",
                "review_requested_by_id": False,
                "review_held_on": False,
                **review_vals,
            }
        )
        for order in held:
            order.message_post(
                body=self.env._(
                    "Held for review: %(issues)s",
                    issues="; ".join(
                        vals["message"]
                        for vals in issues[order]
                        if vals["severity"] == "block"
                    ),
                )
            )
        return held

    def _review_confirm_approved(self):
        """Confirm orders a reviewer approved, without a new review. Orders the
        customer paid online get Odoo's confirmation email, as when payment
        confirms them directly."""
        approved_ids = self.env.cr.cache.setdefault(APPROVED_CACHE_KEY, set())
        approved_ids.update(self.ids)
        try:
            paid = self.filtered(
                lambda order: any(
                    tx.state in ("authorized", "done") for tx in order.transaction_ids
                )
            )
            (self - paid).action_confirm()
            paid.with_context(send_email=True).action_confirm()
        finally:
            approved_ids.difference_update(self.ids)

    def _review_void(self):
        """Forget the review of held or rejected orders whose content changes:
        confirming them again reviews them anew."""
        reviewed = self.filtered(
            lambda order: order.review_state in ("to_review", "rejected")
        )
        if not reviewed:
            return
        reviewed.sudo().review_issue_ids.unlink()
        reviewed.sudo().write(
            {
                "review_state": "none",
                "reviewed_by_id": False,
                "reviewed_on": False,
                "review_reject_reason": False,
                "review_requested_by_id": False,
                "review_held_on": False,
            }
        )

    def _review_lock(self):
        """Lock the orders for this transaction, or tell the user that somebody
        else is reviewing them now. Returns them re-read after the lock."""
        return lock_for_update(
            self,
            self.env._(
                "Somebody else is reviewing %(orders)s right now. Reload the "
                "page to see their decision.",
                orders=", ".join(self.mapped("name")),
            ),
        )

    def _review_check_reviewer(self):
        """Refuse a review action the current user may not take on this order."""
        self.ensure_one()
        user = self.env.user
        if self.review_state != "to_review" or self.state not in ("draft", "sent"):
            raise UserError(
                self.env._(
                    "%(order)s is not waiting for review (it is %(state)s).",
                    order=self.name,
                    state=dict(
                        self._fields["review_state"]._description_selection(self.env)
                    )[self.review_state],
                )
            )
        if not any(
            issue.is_open and issue.reviewer_group_id in user.groups_id
            for issue in self.review_issue_ids
        ):
            raise UserError(
                self.env._(
                    "You may not review %(order)s: its issues are cleared by "
                    "%(groups)s.",
                    order=self.name,
                    groups=", ".join(
                        self.review_issue_ids.filtered(
                            "is_open"
                        ).reviewer_group_id.mapped("full_name")
                    ),
                )
            )
        if (
            user in (self.user_id | self.review_requested_by_id)
            and not self.company_id.sale_review_allow_self_approval
        ):
            raise UserError(
                self.env._(
                    "You sold or confirmed %(order)s yourself: another reviewer "
                    "must review it.",
                    order=self.name,
                )
            )

    def _expand_fulfillment_states(self, states, domain):
        """Grouped by fulfillment, show the open stages even when empty, and the
        others (quotation, done, cancelled…) when they hold orders."""
        return [
            key
            for key, _label in FULFILLMENT_STATES
            if key in PIPELINE_STATES or key in states
        ]

    def _get_fulfillment_state(self):
        """Return the ``fulfillment_state`` of one order.

        Extension point: modules that add a stage (review, after-sales) override it,
        return their stage when it applies and ``super()`` otherwise. It must only
        read fields that the compute depends on, so that it stays query-free in a
        batch.
        """
        self.ensure_one()
        if self.state == "cancel":
            return "cancel"
        if self.state == "sale" and any(
            rma.state in RMA_OPEN_STATES for rma in self.rma_ids
        ):
            return "aftersales"
        if self.state != "sale":
            if self.review_state in ("to_review", "rejected"):
                return self.review_state
            return "to_pay" if self._is_awaiting_online_payment() else "quotation"
        if self.delivery_status == "full":
            return "done" if self._is_fulfillment_settled() else "shipped"
        # "started" only means an earlier step (a pick) is done: nothing has left.
        if self.delivery_status == "partial":
            return "partially_shipped"
        if not any(line.product_type == "consu" for line in self.order_line):
            # Nothing to ship (services only): what is left is getting paid.
            return "done" if self._is_fulfillment_settled() else "to_pay"
        productions = self._get_fulfillment_productions()
        if any(mo.state not in ("done", "cancel") for mo in productions):
            return "in_production"
        return "to_ship"

    def _get_shipments(self):
        """Transfers of the order's procurement group and every transfer that
        carries goods of its lines (a delivery merged with other orders')."""
        return (self.picking_ids | self.order_line.move_ids.picking_id).sorted("id")

    def _get_orders_in_shared_shipments(self):
        """The orders of ``self`` whose goods travel in a transfer of another
        order's procurement group."""
        return self.filtered(
            lambda order: order.order_line.move_ids.picking_id - order.picking_ids
        )

    def _get_shared_open_shipments(self):
        """``{open transfer: orders of self}`` for the open transfers that carry
        goods of these orders together with other goods (of other orders, or of
        no order)."""
        result = {}
        for picking in self._get_shipments():
            if picking.state in ("done", "cancel"):
                continue
            moves = picking.move_ids.filtered(
                lambda move: move.state not in ("done", "cancel")
            )
            own = moves.filtered(lambda move: move.sale_line_id.order_id in self)
            if own and own != moves:
                result[picking] = own.sale_line_id.order_id
        return result

    def _get_delivery_status_of(self, pickings):
        """Odoo's delivery status rule applied to ``pickings``."""
        self.ensure_one()
        pickings = pickings.filtered(lambda picking: picking.state != "cancel")
        if not pickings:
            return False
        if all(picking.state == "done" for picking in pickings):
            return "full"
        if any(picking.state == "done" for picking in pickings):
            if any(line.qty_delivered for line in self.order_line):
                return "partial"
            return "started"
        return "pending"

    def _get_delivery_date_after_production(self, finish):
        """Delivery date of goods whose production ends at ``finish``."""
        self.ensure_one()
        return finish + timedelta(days=self.company_id.security_lead or 0)

    def _get_promise_lines(self):
        """Lines whose goods would be manufactured for the order (MTO)."""
        lines = self.order_line.filtered(
            lambda line: line.product_id.is_storable and line.product_uom_qty > 0
        )
        made = self.env["mrp.production"]._get_made_to_order(
            [
                (line.id, line.product_id, line.order_id.warehouse_id, line.route_id)
                for line in lines
            ]
        )
        return lines.filtered(lambda line: line.id in made)

    def _get_promise_dates(self):
        """Simulated earliest delivery of each order with make-to-order lines.

        Orders are simulated together, most urgent commitment first, so that
        two quotations do not both count on the same free slot.
        Returns {order id: datetime}.
        """
        lines = self._get_promise_lines()
        if not lines:
            return {}
        requests = [
            (
                line.id,
                line.product_id,
                line.product_uom._compute_quantity(
                    line.product_uom_qty, line.product_id.uom_id
                ),
                line.order_id.warehouse_id,
                line.company_id,
            )
            for line in lines.sorted(
                key=lambda line: (
                    not line.order_id.commitment_date,
                    line.order_id.commitment_date or line.order_id.date_order,
                    line.order_id.id,
                    line.id,
                )
            )
        ]
        # Capacity, bookings and stock are read to answer a date, whoever asks.
        finishes = (
            self.env["mrp.production"].sudo()._simulate_production_finish(requests)
        )
        result = {}
        for line in lines:
            order = line.order_id
            delivery = order._get_delivery_date_after_production(finishes[line.id])
            if order.id not in result:
                # Not the order's expected date: it counts the made-to-order
                # lines' customer lead time, which the simulation replaces.
                result[order.id] = order._get_other_goods_date(lines) or delivery
            result[order.id] = max(result[order.id], delivery)
        return result

    def _get_other_goods_date(self, promise_lines):
        """When the order's goods that are not made for it can ship (their
        customer lead time), or ``None`` when it has none."""
        self.ensure_one()
        others = self.order_line.filtered(
            lambda line: (
                line not in promise_lines
                and not line.display_type
                and line.product_id.type != "service"
            )
        )
        return max((line._expected_date() for line in others), default=None)

    def _get_fulfillment_productions(self):
        """Return the manufacturing orders that make goods for these orders.

        Make-to-order production is linked by the sale line it was created for, or
        by the order's stock moves waiting for it.
        """
        return (
            self.order_line.production_ids
            | self.procurement_group_id.stock_move_ids.created_production_id
        )

    def _is_awaiting_online_payment(self):
        """Whether a sent quotation waits for the customer to pay online.

        Odoo confirms such a quotation by itself once the prepayment is received.
        """
        self.ensure_one()
        return (
            self.state == "sent"
            and self.require_payment
            and not self._is_confirmation_amount_reached()
        )

    def _is_fulfillment_settled(self):
        """Whether nothing is left to invoice and every posted invoice is paid."""
        self.ensure_one()
        # "no" (cancelled backorder, refunded return) and "upselling" leave
        # nothing to invoice either; only "to invoice" does.
        if self.invoice_status == "to invoice":
            return False
        # Credit notes count too: money owed back to the customer is open work.
        invoices = self.order_line.invoice_lines.move_id.filtered(
            lambda move: (
                move.state == "posted"
                and move.move_type in ("out_invoice", "out_refund")
            )
        )
        return all(
            invoice.payment_state in SETTLED_PAYMENT_STATES for invoice in invoices
        )

    def _get_rma_allowed_types(self):
        """The after-sales types that fit what the order shipped: changes and
        cancellations while something is still to ship, the others once
        something was delivered."""
        self.ensure_one()
        if self.state != "sale":
            return []
        allowed = []
        if self._get_rma_open_shipments():
            allowed += ["cancel", "modify"]
        if any(line.qty_delivered for line in self.order_line):
            allowed += ["refund", "return_refund", "exchange", "reship"]
        return allowed

    def _get_rma_open_shipments(self):
        """Open transfers still to send goods of the order (no returns)."""
        self.ensure_one()
        return self._get_shipments().filtered(
            lambda picking: (
                picking.state not in ("done", "cancel")
                and picking.picking_type_code != "incoming"
            )
        )

    def _get_rma_own_shipments(self, shipments):
        """``shipments`` with this order's goods only: the order's goods leave
        a delivery shared with other orders first, so that a change of address
        or date does not touch the others."""
        self.ensure_one()
        shared = self._get_shared_open_shipments()
        result = shipments.filtered(lambda picking: picking not in shared)
        for picking in shipments.filtered(lambda picking: picking in shared):
            own = picking.move_ids.filtered(
                lambda move: (
                    move.sale_line_id.order_id == self
                    and move.state not in ("done", "cancel")
                )
            )
            result |= picking._split_shipment(
                {move.id: move.product_uom_qty for move in own}
            )
        return result
