from collections import defaultdict

from odoo import SUPERUSER_ID, Command, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import float_compare, float_is_zero, format_list
from odoo.tools.image import ImageProcess
from odoo.tools.mail import plaintext2html
from odoo.tools.mimetypes import guess_mimetype
from odoo.tools.misc import formatLang

from ..const import (
    EXCHANGE_POLICIES,
    POST_SHIPMENT_TYPES,
    PRE_SHIPMENT_TYPES,
    REFUND_TIMINGS,
    RMA_TYPES,
)
from .locking import lock_for_update
from .sale_fulfillment_rating_mixin import RECEIVED_RATING_DOMAIN
from .trusted_context import RMA_RETURN_LOCATION, RMA_WRITE, is_trusted, trusted

# States in which the request follows its documents by itself.
RUNNING_STATES = ("confirmed", "waiting_return", "received", "done")
# Where a request was entered.
REQUEST_ORIGINS = [
    ("internal", "Back Office"),
    ("portal", "Customer Portal"),
]
# The photos a customer may attach to a request from the portal: real images
# of these types (guessed from their content), so many of them, so large.
# The photo types a customer may attach, with the file extensions they go by.
PORTAL_PHOTO_MIMETYPES = {
    "image/jpeg": (".jpg", ".jpeg"),
    "image/png": (".png",),
    "image/gif": (".gif",),
    "image/webp": (".webp",),
}
PORTAL_PHOTO_MAX_COUNT = 5
PORTAL_PHOTO_MAX_BYTES = 5 * 1024 * 1024
# What a request does is settled when it is confirmed: these stay as they were.
SETTLED_FIELDS = frozenset(
    {
        "order_id",
        "partner_id",
        "company_id",
        "rma_type",
        "refund_timing",
        "exchange_policy",
        "line_ids",
        "new_partner_shipping_id",
        "new_commitment_date",
    }
)
# What only the request's own methods write: its state and the links to its
# documents (through ``_rma_write``).
RMA_FIELDS = frozenset(
    {
        "state",
        "confirmed_on",
        "done_on",
        "refund_move_ids",
        "invoice_move_ids",
        "procurement_group_id",
    }
)


class SaleRma(models.Model):
    _name = "sale.rma"
    _description = "After-Sales Request"
    # The rating mixin first: it brings mail.thread (Python's method order).
    _inherit = [
        "sale.fulfillment.rating.mixin",
        "portal.mixin",
        "mail.thread",
        "mail.activity.mixin",
    ]
    _order = "id desc"
    _check_company_auto = True
    # Customers write to the team from the portal: reading the request (their
    # own, by the portal record rules) is enough to post on it.
    _mail_post_access = "read"

    name = fields.Char(
        string="Reference",
        required=True,
        readonly=True,
        copy=False,
        default=lambda self: self.env._("New"),
        index="trigram",
    )
    order_id = fields.Many2one(
        comodel_name="sale.order",
        string="Sales Order",
        required=True,
        readonly=True,
        index=True,
        check_company=True,
        tracking=True,
    )
    company_id = fields.Many2one(
        comodel_name="res.company",
        related="order_id.company_id",
        store=True,
        index=True,
        precompute=True,
    )
    partner_id = fields.Many2one(
        comodel_name="res.partner",
        string="Customer",
        related="order_id.partner_id",
        store=True,
        index=True,
        precompute=True,
    )
    currency_id = fields.Many2one(related="order_id.currency_id")
    user_id = fields.Many2one(
        comodel_name="res.users",
        string="Salesperson",
        related="order_id.user_id",
        store=True,
        precompute=True,
    )
    handler_id = fields.Many2one(
        comodel_name="res.users",
        string="Handled by",
        default=lambda self: self.env.user,
        tracking=True,
        domain=[("share", "=", False)],
    )
    rma_type = fields.Selection(
        selection=RMA_TYPES,
        string="Type",
        required=True,
        tracking=True,
        help="Before shipment: cancel goods or change the order. After shipment: "
        "refund only (the customer keeps the goods), return and refund, exchange, "
        "or re-ship a lost or damaged parcel.",
    )
    state = fields.Selection(
        selection=[
            ("draft", "Draft"),
            ("confirmed", "Confirmed"),
            ("waiting_return", "Waiting for Return"),
            ("received", "Return Received"),
            ("done", "Done"),
            ("cancelled", "Cancelled"),
        ],
        default="draft",
        required=True,
        readonly=True,
        copy=False,
        index=True,
        tracking=True,
        group_expand=True,
    )
    reason_id = fields.Many2one(
        comodel_name="sale.rma.reason",
        check_company=True,
        tracking=True,
    )
    reason_category = fields.Selection(
        related="reason_id.category", store=True, string="Reason Category"
    )
    description = fields.Text(
        string="Customer Description", help="What the customer tells about it."
    )
    # Employees only: customers read their requests on the portal.
    note = fields.Html(string="Internal Note", groups="base.group_user")
    request_origin = fields.Selection(
        selection=REQUEST_ORIGINS,
        string="Requested Through",
        default="internal",
        required=True,
        readonly=True,
        copy=False,
        index=True,
        help="Back Office: entered by the company. Customer Portal: filed by the "
        "customer on the portal.",
    )
    line_ids = fields.One2many(
        comodel_name="sale.rma.line",
        inverse_name="rma_id",
        string="Lines",
        copy=True,
    )
    refund_timing = fields.Selection(
        selection=REFUND_TIMINGS,
        string="Credit Note",
        default=lambda self: self.env.company.rma_refund_timing,
        help="For a return and refund: issue the credit note once the goods are "
        "back, or at once when the request is confirmed.",
    )
    exchange_policy = fields.Selection(
        selection=EXCHANGE_POLICIES,
        string="Ship Replacement",
        default=lambda self: self.env.company.rma_exchange_policy,
    )
    new_partner_shipping_id = fields.Many2one(
        comodel_name="res.partner",
        string="New Delivery Address",
        check_company=True,
    )
    new_commitment_date = fields.Datetime(string="New Delivery Date")
    procurement_group_id = fields.Many2one(
        comodel_name="procurement.group",
        string="Replacement Group",
        readonly=True,
        copy=False,
    )
    return_picking_ids = fields.Many2many(
        comodel_name="stock.picking",
        string="Returns",
        compute="_compute_picking_ids",
    )
    replacement_picking_ids = fields.Many2many(
        comodel_name="stock.picking",
        string="Replacements",
        compute="_compute_picking_ids",
    )
    return_count = fields.Integer(compute="_compute_picking_ids")
    replacement_count = fields.Integer(compute="_compute_picking_ids")
    refund_move_ids = fields.Many2many(
        comodel_name="account.move",
        relation="sale_rma_refund_move_rel",
        column1="rma_id",
        column2="move_id",
        string="Credit Notes",
        copy=False,
        readonly=True,
    )
    invoice_move_ids = fields.Many2many(
        comodel_name="account.move",
        relation="sale_rma_invoice_move_rel",
        column1="rma_id",
        column2="move_id",
        string="Difference Invoices",
        copy=False,
        readonly=True,
        help="Invoices of the price difference of an exchange for a dearer product.",
    )
    refund_count = fields.Integer(compute="_compute_refund_count")
    amount_refund = fields.Monetary(
        string="Refund (Untaxed)",
        compute="_compute_amounts",
        store=True,
        help="What the request gives back, before taxes.",
    )
    amount_difference = fields.Monetary(
        string="Price Difference (Untaxed)",
        compute="_compute_amounts",
        store=True,
        help="For an exchange: positive when the customer pays more, negative when "
        "they get money back.",
    )
    amount_refunded = fields.Monetary(
        string="Credited",
        compute="_compute_refund_count",
        help="Total of the request's credit notes that are not cancelled.",
    )
    confirmed_on = fields.Datetime(readonly=True, copy=False)
    done_on = fields.Datetime(readonly=True, copy=False)
    is_pre_shipment = fields.Boolean(
        string="Before Shipment", compute="_compute_is_pre_shipment"
    )

    def _compute_access_url(self):
        result = super()._compute_access_url()
        for rma in self:
            rma.access_url = f"/my/aftersales/{rma.id}"
        return result

    @api.depends("line_ids.move_ids.picking_id", "procurement_group_id")
    def _compute_picking_ids(self):
        pickings = self.env["stock.picking"].search(
            [("group_id", "in", self.procurement_group_id.ids)]
        )
        by_group = defaultdict(lambda: self.env["stock.picking"])
        for picking in pickings:
            by_group[picking.group_id] |= picking
        for rma in self:
            returns = rma.line_ids.move_ids.filtered(
                "origin_returned_move_id"
            ).picking_id
            replacements = by_group[rma.procurement_group_id] - returns
            rma.return_picking_ids = returns
            rma.replacement_picking_ids = replacements
            rma.return_count = len(returns)
            rma.replacement_count = len(replacements)

    @api.depends("refund_move_ids.state", "invoice_move_ids")
    def _compute_refund_count(self):
        for rma in self:
            rma.refund_count = len(rma.refund_move_ids | rma.invoice_move_ids)
            rma.amount_refunded = sum(
                rma.refund_move_ids.filtered(
                    lambda move: move.state != "cancel"
                ).mapped("amount_total")
            )

    @api.depends(
        "rma_type",
        "line_ids.amount_refund",
        "line_ids.amount_difference",
    )
    def _compute_amounts(self):
        for rma in self:
            # Cancel and modify lower quantities: what they may credit counts.
            refunding = rma.rma_type in ("refund", "return_refund", "cancel", "modify")
            rma.amount_refund = (
                sum(rma.line_ids.mapped("amount_refund")) if refunding else 0.0
            )
            rma.amount_difference = (
                sum(rma.line_ids.mapped("amount_difference"))
                if rma.rma_type == "exchange"
                else 0.0
            )

    @api.depends("rma_type")
    def _compute_is_pre_shipment(self):
        for rma in self:
            rma.is_pre_shipment = rma.rma_type in PRE_SHIPMENT_TYPES

    @api.model_create_multi
    def create(self, vals_list):
        if any(RMA_FIELDS & vals.keys() for vals in vals_list):
            self._check_rma_write()
        for vals in vals_list:
            if vals.get("name", self.env._("New")) == self.env._("New"):
                vals["name"] = self.env["ir.sequence"].next_by_code("sale.rma") or "/"
        # A refused request leaves nothing behind, even for a caller that
        # catches the error.
        with self.env.cr.savepoint():
            self._lock_sale_lines(
                self.env["sale.order.line"].browse(
                    {
                        command[2]["sale_line_id"]
                        for vals in vals_list
                        for command in vals.get("line_ids", [])
                        if command[0] == Command.CREATE
                        and command[2].get("sale_line_id")
                    }
                )
            )
            rmas = super().create(vals_list)
            rmas._check_request()
        return rmas

    def write(self, vals):
        if RMA_FIELDS & vals.keys():
            self._check_rma_write()
        if SETTLED_FIELDS & vals.keys():
            self._check_draft()
        res = super().write(vals)
        if {"line_ids", "rma_type", "order_id"} & vals.keys():
            self.filtered(lambda rma: rma.state == "draft")._check_request()
        return res

    def _check_rma_write(self):
        """Refuse a direct write of what only the request's methods change."""
        if not is_trusted(self, RMA_WRITE):
            raise AccessError(
                self.env._(
                    "The state of an after-sales request and its returns, "
                    "replacements and credit notes change only through the "
                    "request's own buttons."
                )
            )

    def _rma_write(self, vals):
        """Write the request's state or document links (which nothing else
        may write)."""
        return trusted(self, RMA_WRITE).write(vals)

    def _check_draft(self):
        """Refuse to change what a request does once it is confirmed."""
        settled = self.filtered(lambda rma: rma.state != "draft")
        if settled:
            raise UserError(
                self.env._(
                    "%(rmas)s are no longer drafts: their type, lines, quantities "
                    "and prices cannot change. Cancel the request and open a new "
                    "one.",
                    rmas=format_list(self.env, settled.mapped("name")),
                )
            )

    @api.ondelete(at_uninstall=False)
    def _unlink_only_draft_or_cancelled(self):
        for rma in self:
            if rma.state not in ("draft", "cancelled"):
                raise UserError(
                    self.env._(
                        "%(rma)s is under way: cancel it before deleting it.",
                        rma=rma.name,
                    )
                )

    def action_confirm(self):
        """Carry out draft requests: each type does its part at once (cancel,
        modify, refund) or starts the shipments and credit notes it needs.

        Runs on a recordset; the sale lines involved are locked first, so two
        requests confirmed at the same time never give more than was delivered.
        """
        rmas = self.filtered(lambda rma: rma.state == "draft")
        if not rmas:
            return True
        self._lock_sale_lines(rmas.line_ids.sale_line_id)
        rmas._check_request()
        rmas._check_approval()
        now = fields.Datetime.now()
        rmas._rma_write({"state": "confirmed", "confirmed_on": now})
        for rma_type, method in rmas._get_type_handlers().items():
            typed = rmas.filtered(
                lambda rma, rma_type=rma_type: rma.rma_type == rma_type
            )
            if typed:
                method(typed)
        rmas._notify_customer("sale_fulfillment.mail_template_sale_rma_confirmed")
        rmas._update_state()
        return True

    def action_cancel(self):
        """Stop requests: what has not happened yet (open returns and replacement
        shipments, draft credit notes and invoices) is cancelled; what is done
        stays done."""
        for rma in self:
            if rma.state in ("done", "cancelled"):
                raise UserError(
                    self.env._(
                        "%(rma)s is %(state)s: it cannot be cancelled.",
                        rma=rma.name,
                        state=rma._get_state_label(),
                    )
                )
        pickings = (self.return_picking_ids | self.replacement_picking_ids).filtered(
            lambda picking: picking.state not in ("done", "cancel")
        )
        moves = (self.refund_move_ids | self.invoice_move_ids).filtered(
            lambda move: move.state == "draft"
        )
        # Flag first: the cancelled documents must not move the request again.
        self._rma_write({"state": "cancelled"})
        if pickings:
            pickings.sudo().action_cancel()
        if moves:
            moves.sudo().button_cancel()
        for rma in self:
            rma.message_post(
                body=self.env._(
                    "Request cancelled by %(user)s.", user=self.env.user.name
                )
            )
        return True

    def action_draft(self):
        """Put a cancelled request that never did anything back to draft."""
        for rma in self:
            if rma.state != "cancelled" or rma.confirmed_on:
                raise UserError(
                    self.env._(
                        "Only a cancelled request that was never confirmed can "
                        "go back to draft (%(rma)s).",
                        rma=rma.name,
                    )
                )
        self._rma_write({"state": "draft"})
        return True

    def action_view_order(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "sale.order",
            "res_id": self.order_id.id,
            "view_mode": "form",
        }

    def action_view_returns(self):
        return self._action_view_pickings(self.return_picking_ids)

    def action_view_replacements(self):
        return self._action_view_pickings(self.replacement_picking_ids)

    def action_view_refunds(self):
        moves = self.refund_move_ids | self.invoice_move_ids
        action = self.env["ir.actions.actions"]._for_xml_id(
            "account.action_move_out_refund_type"
        )
        if len(moves) == 1:
            action["views"] = [(self.env.ref("account.view_move_form").id, "form")]
            action["res_id"] = moves.id
        else:
            action["domain"] = [("id", "in", moves.ids)]
        action["context"] = {"create": False}
        return action

    def action_view_ratings(self):
        """Open the customer's ratings of the request."""
        self.ensure_one()
        self.check_access("read")
        action = self.env["ir.actions.actions"]._for_xml_id(
            "rating.rating_rating_action"
        )
        action["domain"] = [
            ("res_model", "=", self._name),
            ("res_id", "=", self.id),
            *RECEIVED_RATING_DOMAIN,
        ]
        action["context"] = {"create": False}
        return action

    def _get_form_action(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "sale.rma",
            "res_id": self.id,
            "view_mode": "form",
            "target": "current",
        }

    def _action_view_pickings(self, pickings):
        action = self.env["ir.actions.actions"]._for_xml_id(
            "stock.action_picking_tree_all"
        )
        if len(pickings) == 1:
            action["views"] = [(self.env.ref("stock.view_picking_form").id, "form")]
            action["res_id"] = pickings.id
        else:
            action["domain"] = [("id", "in", pickings.ids)]
        action["context"] = {"create": False}
        return action

    # Checks

    def _check_request(self):
        """Refuse a request its order cannot take: wrong order state, wrong type
        for what was shipped, quantities at or below zero or above what is
        left."""
        available = self.line_ids.sale_line_id._get_rma_available_qty(exclude=self)
        requested = defaultdict(float)
        for rma in self:
            rma._check_order_state()
            if rma.rma_type == "modify" and not (
                rma.line_ids or rma.new_partner_shipping_id or rma.new_commitment_date
            ):
                raise UserError(
                    self.env._(
                        "%(rma)s changes nothing: give a new address, a new date or "
                        "lower quantities.",
                        rma=rma.name,
                    )
                )
            if rma.rma_type != "modify" and not rma.line_ids:
                raise UserError(self.env._("%(rma)s has no lines.", rma=rma.name))
            for line in rma.line_ids:
                line._check_line()
                requested[(line.sale_line_id, rma.is_pre_shipment)] += line.quantity
        for (sale_line, pre), quantity in requested.items():
            left = available[sale_line]["pre" if pre else "post"]
            rounding = sale_line.product_uom.rounding
            if float_compare(quantity, left, precision_rounding=rounding) > 0:
                raise UserError(self._get_quantity_error(sale_line, pre, left))

    def _check_order_state(self):
        self.ensure_one()
        order = self.order_id
        if order.state != "sale":
            raise UserError(
                self.env._(
                    "%(order)s is not a confirmed order: after-sales requests are "
                    "for confirmed orders only.",
                    order=order.name,
                )
            )
        shipped = any(line.qty_delivered for line in order.order_line)
        if self.rma_type in POST_SHIPMENT_TYPES and not shipped:
            raise UserError(
                self.env._(
                    "Nothing of %(order)s was delivered yet: use a cancellation or "
                    "a modification instead of %(type)s.",
                    order=order.name,
                    type=self._get_type_label(),
                )
            )
        if self.rma_type in PRE_SHIPMENT_TYPES and not order._get_rma_open_shipments():
            raise UserError(
                self.env._(
                    "Every shipment of %(order)s has left: use a return, a refund "
                    "or an exchange instead of %(type)s.",
                    order=order.name,
                    type=self._get_type_label(),
                )
            )

    def _get_quantity_error(self, sale_line, pre, left):
        if pre:
            return self.env._(
                "Only %(left)s %(uom)s of %(product)s are not shipped yet on "
                "%(order)s (shipped goods need a return).",
                left=left,
                uom=sale_line.product_uom.name,
                product=sale_line.product_id.display_name,
                order=sale_line.order_id.name,
            )
        return self.env._(
            "Only %(left)s %(uom)s of %(product)s can still be requested on "
            "%(order)s: that is what was delivered, less what was returned or is "
            "in other open after-sales requests.",
            left=left,
            uom=sale_line.product_uom.name,
            product=sale_line.product_id.display_name,
            order=sale_line.order_id.name,
        )

    def _check_approval(self):
        """Refunds above the company threshold need an after-sales manager.

        What the order's other requests give back (confirmed, under way or
        done) counts too: a refund split into several requests needs a
        manager as soon as they add up to more than the threshold.
        """
        if self.env.user.has_group("sale_fulfillment.group_aftersales_manager"):
            return
        rmas = self.filtered("company_id.rma_manager_approval_amount")
        if not rmas:
            return
        # A clerk confirming another request of the same order right now
        # would not see this one: the orders' lines are locked (and marked
        # written, so that one who read them before must start again).
        self._lock_sale_lines(rmas.order_id.order_line)
        # Whoever confirms may not read every request of the order: all count.
        others = self.sudo().search(
            [
                ("order_id", "in", rmas.order_id.ids),
                ("state", "not in", ("draft", "cancelled")),
                ("id", "not in", self.ids),
            ]
        )
        given = defaultdict(float)
        for other in others:
            given[other.order_id.id] += other._get_approval_amount()[1]
        for rma in rmas:
            company = rma.company_id
            threshold = company.rma_manager_approval_amount
            amount, in_company_currency = rma._get_approval_amount()
            before = given[rma.order_id.id]
            total = given[rma.order_id.id] = before + in_company_currency
            if company.currency_id.compare_amounts(total, threshold) <= 0:
                continue
            formatted_threshold = formatLang(
                self.env, threshold, currency_obj=company.currency_id
            )
            if company.currency_id.is_zero(before):
                raise UserError(
                    self.env._(
                        "%(rma)s refunds %(amount)s, more than %(threshold)s: an "
                        "after-sales manager must confirm it.",
                        rma=rma.name,
                        amount=rma._format_amount(amount),
                        threshold=formatted_threshold,
                    )
                )
            raise UserError(
                self.env._(
                    "%(rma)s refunds %(amount)s; with the other after-sales "
                    "requests of %(order)s, %(total)s is refunded, more than "
                    "%(threshold)s: an after-sales manager must confirm it.",
                    rma=rma.name,
                    amount=rma._format_amount(amount),
                    order=rma.order_id.name,
                    total=formatLang(self.env, total, currency_obj=company.currency_id),
                    threshold=formatted_threshold,
                )
            )

    def _get_approval_amount(self):
        """``(amount, amount in the company's currency)`` the request gives
        back, as the manager-approval threshold counts it."""
        self.ensure_one()
        company = self.company_id
        amount = self.amount_refund + max(-self.amount_difference, 0.0)
        # The threshold is in the company's currency, the order may not be.
        return amount, self.currency_id._convert(
            amount, company.currency_id, company, fields.Date.context_today(self)
        )

    @api.model
    def _lock_sale_lines(self, lines):
        """Lock the sale lines a request takes from and mark them written, so
        that a transaction that read them before this one commits fails to lock
        them and starts again instead of trusting what it read."""
        lock_for_update(
            lines,
            self.env._(
                "Somebody else is handling after-sales of %(orders)s right now. "
                "Try again in a moment.",
                orders=", ".join(lines.order_id.mapped("name")),
            ),
            strength="NO KEY UPDATE",
        )
        if lines:
            self.env.cr.execute(
                "UPDATE sale_order_line SET write_date = write_date WHERE id IN %s",
                [tuple(lines.ids)],
            )

    # Type handlers

    def _get_type_handlers(self):
        """``{rma_type: method}`` run on confirmation, each on all requests of
        its type. Extension point for new request types."""
        return {
            "cancel": type(self)._confirm_cancel,
            "modify": type(self)._confirm_modify,
            "refund": type(self)._confirm_refund,
            "return_refund": type(self)._confirm_return_refund,
            "exchange": type(self)._confirm_exchange,
            "reship": type(self)._confirm_reship,
        }

    def _confirm_cancel(self):
        for rma in self:
            order = rma.order_id
            if rma._cancels_whole_order():
                credit = rma._get_invoiced_excess(
                    {line: line.quantity for line in rma.line_ids}, whole=True
                )
                productions = order._get_fulfillment_productions()
                order.sudo()._action_cancel()
                rma._cancel_unstarted_productions(productions)
            else:
                credit = rma._decrease_order_quantities()
            rma._create_refund(credit)

    def _confirm_modify(self):
        for rma in self:
            order = rma.order_id.sudo()
            shipments = order._get_rma_open_shipments()
            if rma.new_partner_shipping_id:
                order.write({"partner_shipping_id": rma.new_partner_shipping_id.id})
                order._get_rma_own_shipments(shipments).write(
                    {"partner_id": rma.new_partner_shipping_id.id}
                )
            if rma.new_commitment_date:
                order.write({"commitment_date": rma.new_commitment_date})
                order._get_rma_own_shipments(order._get_rma_open_shipments()).write(
                    {"scheduled_date": rma.new_commitment_date}
                )
            if rma.line_ids:
                rma._create_refund(rma._decrease_order_quantities())

    def _confirm_refund(self):
        for rma in self:
            rma._create_refund({line: line.quantity for line in rma.line_ids})

    def _confirm_return_refund(self):
        self._create_returns()
        for rma in self.filtered(lambda rma: rma.refund_timing == "immediate"):
            rma._create_refund({line: line.quantity for line in rma.line_ids})

    def _confirm_exchange(self):
        self._create_returns()
        for rma in self:
            rma._create_difference_documents()
        immediate = self.filtered(lambda rma: rma.exchange_policy == "immediate")
        immediate._create_replacements(
            {line: line.quantity for line in immediate.line_ids}
        )

    def _confirm_reship(self):
        self._create_replacements({line: line.quantity for line in self.line_ids})

    # Orders before shipment

    def _cancels_whole_order(self):
        """Whether the request cancels everything left of an order that shipped
        nothing."""
        self.ensure_one()
        order = self.order_id
        if any(line.qty_delivered for line in order.order_line):
            return False
        requested = defaultdict(float)
        for line in self.line_ids:
            requested[line.sale_line_id] += line.quantity
        return all(
            float_is_zero(
                line.product_uom_qty - requested[line],
                precision_rounding=line.product_uom.rounding,
            )
            for line in order.order_line
            if not line.display_type and not line.is_downpayment
        )

    def _decrease_order_quantities(self):
        """Lower the ordered quantities of the lines; Odoo lowers the open moves
        with them. Returns ``{rma line: quantity to credit}`` for quantities
        already invoiced beyond what stays ordered."""
        self.ensure_one()
        order = self.order_id.sudo()
        credit = self._get_invoiced_excess(
            {line: line.quantity for line in self.line_ids}
        )
        productions = order._get_fulfillment_productions()
        locked = order.locked
        if locked:
            order.action_unlock()
        for line in self.line_ids:
            sale_line = line.sale_line_id.sudo()
            sale_line.product_uom_qty = sale_line.product_uom_qty - line.quantity
        if locked:
            order.action_lock()
        self._cancel_unstarted_productions(productions)
        return credit

    def _get_invoiced_excess(self, quantities, whole=False):
        """``{rma line: quantity}`` invoiced (net of credit notes) beyond what
        stays ordered once ``quantities`` are taken off the lines."""
        self.ensure_one()
        invoiced = self.line_ids.sale_line_id._get_rma_invoiced()
        taken = defaultdict(float)
        result = {}
        for line, quantity in quantities.items():
            sale_line = line.sale_line_id
            staying = 0.0 if whole else sale_line.product_uom_qty - quantity
            excess = invoiced[sale_line]["qty"] - taken[sale_line] - staying
            credit = max(min(quantity, excess), 0.0)
            taken[sale_line] += credit
            if credit:
                result[line] = credit
        return result

    def _cancel_unstarted_productions(self, productions):
        """Cancel or shrink manufacturing orders not started yet that make more
        than the order still needs."""
        self.ensure_one()
        unstarted = productions.filtered(
            lambda mo: (
                mo.state in ("draft", "confirmed")
                and not mo.workorder_ids.filtered(
                    lambda wo: wo.state in ("progress", "done")
                )
            )
        )
        for production in unstarted.sudo():
            needed = sum(
                move.product_uom._compute_quantity(
                    move.product_uom_qty, production.product_uom_id
                )
                for move in production.move_finished_ids.move_dest_ids
                if move.state not in ("done", "cancel")
            )
            if self.order_id.state == "cancel" or float_is_zero(
                needed, precision_rounding=production.product_uom_id.rounding
            ):
                production.action_cancel()
            elif (
                float_compare(
                    needed,
                    production.product_qty,
                    precision_rounding=production.product_uom_id.rounding,
                )
                < 0
            ):
                self.env["change.production.qty"].sudo().create(
                    {"mo_id": production.id, "product_qty": needed}
                ).change_prod_qty()

    # Returns and replacements

    def _create_returns(self):
        """Return the requested quantities through Odoo's return wizard, one
        return per delivered transfer, into the company's returns location."""
        per_picking = defaultdict(dict)
        used = {}
        for line in self.line_ids:
            for move, quantity in line._allocate_return(line.quantity, used).items():
                # One return per request and transfer: a wizard line is a move.
                per_picking[(move.picking_id, line.rma_id)][move] = (line, quantity)
        for (picking, _rma), moves in per_picking.items():
            location = picking.company_id.rma_return_location_id
            # The markers let the return go to that location and its moves
            # serve the request's lines; Odoo's own returns do neither.
            Return = trusted(self.env["stock.return.picking"].sudo(), RMA_WRITE)
            wizard = trusted(Return, RMA_RETURN_LOCATION, location.id).create(
                {"picking_id": picking.id}
            )
            for return_line in wizard.product_return_moves:
                line, quantity = moves.get(return_line.move_id, (None, 0.0))
                return_line.write(
                    {
                        "quantity": quantity,
                        "to_refund": line and line.rma_id.rma_type == "return_refund",
                        "sale_rma_line_id": line and line.id,
                    }
                )
            wizard._create_return()

    def _create_replacements(self, quantities):
        """Ship ``{rma line: quantity}`` again through the delivery route, in
        a procurement group of the request's own; not invoiced again."""
        procurements = []
        for line, quantity in quantities.items():
            if float_is_zero(quantity, precision_rounding=line.product_uom.rounding):
                continue
            rma = line.rma_id
            if not rma.procurement_group_id:
                rma._rma_write(
                    {
                        "procurement_group_id": self.env["procurement.group"]
                        .create(rma._prepare_procurement_group_vals())
                        .id
                    }
                )
            procurements.append(line._prepare_replacement_procurement(quantity))
        if procurements:
            self.env["procurement.group"].sudo().run(procurements)

    def _prepare_procurement_group_vals(self):
        self.ensure_one()
        return {
            "name": self.name,
            "move_type": "direct",
            "partner_id": self.order_id.partner_shipping_id.id,
            "sale_id": self.order_id.id,
        }

    # Money

    def _create_refund(self, quantities):
        """Draft a credit note of ``{rma line: quantity}`` linked to the sale
        lines. Quantities are capped by what was invoiced and not credited yet;
        returns the credit note (or nothing)."""
        self.ensure_one()
        invoiced = self.line_ids.sale_line_id._get_rma_invoiced()
        lines_vals = []
        for line, quantity in quantities.items():
            sale_line = line.sale_line_id
            quantity = min(quantity, invoiced[sale_line]["qty"])
            if (
                float_compare(
                    quantity, 0.0, precision_rounding=line.product_uom.rounding
                )
                <= 0
            ):
                continue
            invoiced[sale_line]["qty"] -= quantity
            amount = line._get_refund_amount(quantity)
            if (
                self.currency_id.compare_amounts(amount, invoiced[sale_line]["amount"])
                > 0
            ):
                raise UserError(
                    self.env._(
                        "%(rma)s would credit %(amount)s for %(product)s, more than "
                        "the %(invoiced)s invoiced and not credited yet.",
                        rma=self.name,
                        amount=self._format_amount(amount),
                        product=sale_line.product_id.display_name,
                        invoiced=self._format_amount(invoiced[sale_line]["amount"]),
                    )
                )
            invoiced[sale_line]["amount"] -= amount
            lines_vals.append(line._prepare_refund_line_vals(quantity))
        if not lines_vals:
            return self.env["account.move"]
        refund = self._create_account_move("out_refund", lines_vals)
        self._rma_write({"refund_move_ids": [Command.link(refund.id)]})
        return refund

    def _create_difference_documents(self):
        """Invoice the price difference of an exchange for a dearer product, or
        credit it for a cheaper one. Not linked to the sale lines: the ordered
        and delivered quantities do not change."""
        self.ensure_one()
        to_invoice, to_credit = [], []
        for line in self.line_ids:
            difference = line.amount_difference
            if line.currency_id.is_zero(difference):
                continue
            vals = line._prepare_difference_line_vals()
            (to_invoice if difference > 0 else to_credit).append(vals)
        if to_invoice:
            invoice = self._create_account_move("out_invoice", to_invoice)
            self._rma_write({"invoice_move_ids": [Command.link(invoice.id)]})
        if to_credit:
            # Each exchanged line may give back at most what its sale line has
            # invoiced and not credited yet; a dearer line does not make room.
            invoiced = self.line_ids.sale_line_id._get_rma_invoiced()
            credits = defaultdict(float)
            for line in self.line_ids.filtered(lambda line: line.amount_difference < 0):
                credits[line.sale_line_id] -= line.amount_difference
            for sale_line, credit in credits.items():
                available = invoiced[sale_line]["amount"]
                if self.currency_id.compare_amounts(credit, available) > 0:
                    raise UserError(
                        self.env._(
                            "%(rma)s would credit a price difference of %(amount)s "
                            "for %(product)s, more than the %(invoiced)s invoiced "
                            "and not credited yet.",
                            rma=self.name,
                            amount=self._format_amount(credit),
                            product=sale_line.product_id.display_name,
                            invoiced=self._format_amount(available),
                        )
                    )
            refund = self._create_account_move("out_refund", to_credit)
            self._rma_write({"refund_move_ids": [Command.link(refund.id)]})

    def _create_account_move(self, move_type, lines_vals):
        self.ensure_one()
        vals = self._prepare_account_move_vals(move_type)
        vals["invoice_line_ids"] = [Command.create(line) for line in lines_vals]
        # The marker lets the lines name the request's lines they credit.
        return (
            trusted(self.env["account.move"].sudo(), RMA_WRITE)
            .with_company(self.company_id)
            .with_context(default_move_type=move_type)
            .create(vals)
            .sudo(False)
            .with_context(**{RMA_WRITE: False})
        )

    def _prepare_account_move_vals(self, move_type):
        """Header of a credit note or difference invoice: the order's invoice
        header, pointing at the request."""
        self.ensure_one()
        vals = self.order_id._prepare_invoice()
        vals.update(
            {
                "move_type": move_type,
                "ref": self.name,
                "invoice_origin": f"{self.order_id.name}, {self.name}",
                "transaction_ids": [],
                "payment_reference": False,
            }
        )
        return vals

    # States

    def _update_state(self):
        """Follow the documents: issue what waited for the return, then set the
        state from the returns, replacements and credit notes."""
        rmas = self.filtered(lambda rma: rma.state in RUNNING_STATES)
        rmas._lock_documents()
        for rma in rmas.filtered(lambda rma: rma.state != "done"):
            rma._issue_after_return()
        for rma in rmas:
            state = rma._get_document_state()
            if state != rma.state:
                rma._rma_write(
                    {
                        "state": state,
                        "done_on": fields.Datetime.now() if state == "done" else False,
                    }
                )

    def _lock_documents(self):
        """Serialise the transactions that follow these requests' documents.

        Two returns of one request validated at the same moment would each
        see the other still open, and neither would issue what waits for the
        return. The second one waits here for the first, then finds the
        request marked written: Odoo starts it again, and it sees both
        returns done.
        """
        if not self:
            return
        lock_for_update(
            self,
            self.env._(
                "Somebody else is updating %(rmas)s right now. Try again in a moment.",
                rmas=format_list(self.env, self.mapped("name")),
            ),
            strength="NO KEY UPDATE",
            nowait=False,
        )
        self.env.cr.execute(
            "UPDATE sale_rma SET write_date = write_date WHERE id IN %s",
            [tuple(self.ids)],
        )

    def _issue_after_return(self):
        """Once the goods are back: credit them (return and refund on receipt),
        ship their replacement (exchange after return)."""
        self.ensure_one()
        returns = self.return_picking_ids
        if not returns or returns.filtered(
            lambda picking: picking.state not in ("done", "cancel")
        ):
            return
        if (
            self.rma_type == "return_refund"
            and self.refund_timing == "on_receipt"
            # Once: a credit note somebody cancelled is not drafted again.
            and not self.refund_move_ids
        ):
            self._create_refund(
                {line: line.qty_returned - line.qty_refunded for line in self.line_ids}
            )
        if (
            self.rma_type == "exchange"
            and self.exchange_policy == "after_return"
            and not self.procurement_group_id
        ):
            self._create_replacements(
                {line: line.qty_returned for line in self.line_ids}
            )

    def _get_document_state(self):
        self.ensure_one()
        returns = self.return_picking_ids
        if returns.filtered(lambda picking: picking.state not in ("done", "cancel")):
            return "waiting_return"
        open_pickings = self.replacement_picking_ids.filtered(
            lambda picking: picking.state not in ("done", "cancel")
        )
        moves = self.refund_move_ids | self.invoice_move_ids
        open_moves = moves.filtered(lambda move: move.state == "draft")
        # Every credit note cancelled is no refund given: the request waits for
        # a decision (reset one to draft, or cancel the request).
        all_cancelled = bool(moves) and all(move.state == "cancel" for move in moves)
        if not open_pickings and not open_moves and not all_cancelled:
            return "done"
        if returns.filtered(lambda picking: picking.state == "done"):
            return "received"
        return "confirmed"

    # Mail

    def _notify_customer(self, template_xmlid):
        """Email the customers through the request's chatter."""
        template = self.env.ref(template_xmlid, raise_if_not_found=False)
        if not template:
            return
        for rma in self:
            rma.message_subscribe(partner_ids=rma.partner_id.ids)
            rma.with_context(lang=rma.partner_id.lang).message_post_with_source(
                template,
                email_layout_xmlid="mail.mail_notification_light",
                subtype_xmlid="mail.mt_comment",
            )

    def _on_refund_posted(self, moves):
        """Tell the customer their refund is issued."""
        refunded = self.filtered(lambda rma: moves & rma.refund_move_ids)
        refunded._notify_customer("sale_fulfillment.mail_template_sale_rma_refunded")

    def _on_replacement_shipped(self, pickings):
        """Tell the customer their replacement is on its way."""
        shipped = self.filtered(
            lambda rma: (
                pickings
                & rma.replacement_picking_ids.filtered(
                    lambda picking: picking.picking_type_code == "outgoing"
                )
            )
        )
        shipped._notify_customer("sale_fulfillment.mail_template_sale_rma_shipped")

    # Portal

    def _notify_get_recipients_groups(self, message, model_description, msg_vals=None):
        # The request's portal page needs a login (no token opens it): a
        # customer without a portal account gets no "View" button that would
        # only lead to the login page.
        groups = super()._notify_get_recipients_groups(
            message, model_description, msg_vals=msg_vals
        )
        if not self or self.partner_id.sudo().user_ids.filtered("active"):
            return groups
        for name, _check, options in groups:
            if name == "portal_customer":
                options["has_button_access"] = False
        return groups

    @api.model
    def _get_portal_photo_limits(self):
        """``(count, bytes)``: how many photos a customer may attach to a
        request on the portal, and how large each may be. Hook."""
        return PORTAL_PHOTO_MAX_COUNT, PORTAL_PHOTO_MAX_BYTES

    @api.model
    def _check_portal_photos(self, photos):
        """Refuse photos that are too many, too large or not real images (the
        type is guessed from the content, never from the name).

        ``photos`` is a list of ``(file name, content)``; returns the list of
        ``(file name, content)`` to attach."""
        max_count, max_bytes = self._get_portal_photo_limits()
        if len(photos) > max_count:
            raise UserError(
                self.env._(
                    "Attach at most %(count)s photos to a request.", count=max_count
                )
            )
        size = f"{max_bytes / (1024 * 1024):g}"
        for name, content in photos:
            if len(content) > max_bytes:
                raise UserError(
                    self.env._(
                        "%(name)s is too large: each photo may have at most "
                        "%(size)s MB.",
                        name=name,
                        size=size,
                    )
                )
            mimetype = guess_mimetype(content, default="")
            if mimetype not in PORTAL_PHOTO_MIMETYPES:
                raise UserError(
                    self.env._(
                        "%(name)s is not a photo: attach JPEG, PNG, GIF or WebP "
                        "images.",
                        name=name,
                    )
                )
            try:
                ImageProcess(content)
            except (UserError, ValueError) as error:
                raise UserError(
                    self.env._(
                        "%(name)s cannot be read as an image: %(error)s",
                        name=name,
                        error=error,
                    )
                ) from error
        # Odoo types an attachment by its name: a name the content belies
        # gets the extension of what the file really is.
        return [
            (self._get_portal_photo_name(name, content), content)
            for name, content in photos
        ]

    @api.model
    def _get_portal_photo_name(self, name, content):
        """``name`` with the extension of the image ``content`` really is."""
        extensions = PORTAL_PHOTO_MIMETYPES[guess_mimetype(content, default="")]
        if name.lower().endswith(extensions):
            return name
        return f"{name.rsplit('.', 1)[0] if '.' in name else name}{extensions[0]}"

    def _portal_notify_team(self):
        """Tell the after-sales team about requests filed on the portal: their
        handler follows them and gets a To-Do activity. The company assigns
        the work, not the customer: OdooBot schedules it."""
        for rma in self.with_user(SUPERUSER_ID):
            handler = rma.handler_id
            if not handler:
                continue
            rma.message_subscribe(partner_ids=handler.partner_id.ids)
            team_rma = rma.with_context(lang=handler.lang or self.env.lang)
            team_rma.activity_schedule(
                "mail.mail_activity_data_todo",
                summary=team_rma.env._("Handle the customer's after-sales request"),
                note=team_rma.env._(
                    "%(customer)s filed %(rma)s (%(type)s) on the portal for "
                    "%(order)s.",
                    customer=rma.partner_id.display_name,
                    rma=rma.name,
                    type=team_rma._get_type_label(),
                    order=rma.order_id.name,
                ),
                user_id=handler.id,
            )

    def _portal_post_request(self, author, description, photos):
        """Post the customer's description and photos (``[(file name,
        content)]``) in the request's chatter with ``author`` as its author: a
        message the customer reads and the team answers on the portal."""
        self.ensure_one()
        if not description and not photos:
            return self.env["mail.message"]
        self.sudo().message_subscribe(partner_ids=author.ids)
        return self.sudo().message_post(
            body=plaintext2html(description) if description else "",
            attachments=list(photos),
            author_id=author.id,
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
        )

    # Satisfaction surveys (满意度调查)

    @api.model
    def _get_rating_trigger_domain(self, company, since, until):
        """Requests done between ``since`` and ``until``."""
        domain = [("state", "=", "done"), ("done_on", "<=", until)]
        if since:
            domain.append(("done_on", ">=", since))
        return domain

    @api.model
    def _get_rating_request_template(self):
        return (
            self.env.ref(
                "sale_fulfillment.mail_template_sale_rma_rating_request",
                raise_if_not_found=False,
            )
            or self.env["mail.template"]
        )

    @api.model
    def _get_rating_subtype_xmlid(self):
        return "sale_fulfillment.mt_sale_rma_rating"

    def _rating_get_parent_field_name(self):
        # The order's ratings list those of its requests too.
        return "order_id"

    def _rating_get_operator(self):
        # Who handled the request is rated, not the salesperson.
        self.ensure_one()
        return self.handler_id.partner_id or super()._rating_get_operator()

    # Labels

    def _get_type_label(self):
        self.ensure_one()
        return dict(self._fields["rma_type"]._description_selection(self.env))[
            self.rma_type
        ]

    def _get_state_label(self):
        self.ensure_one()
        return dict(self._fields["state"]._description_selection(self.env))[self.state]

    def _format_amount(self, amount):
        self.ensure_one()
        return formatLang(self.env, amount, currency_obj=self.currency_id)
