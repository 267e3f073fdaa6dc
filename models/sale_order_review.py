"""Order review: rules hold orders on confirmation until a reviewer clears them."""

from collections import defaultdict

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError

from .locking import lock_for_update

# Key of the cursor cache holding the ids of orders a reviewer has just approved.
# The cursor cache lives on the server only, unlike the context.
APPROVED_CACHE_KEY = "sale_fulfillment_review_approved_ids"


class SaleOrder(models.Model):
    _inherit = "sale.order"

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
    # Who reviewed and why it was rejected stay internal: employees only, the
    # portal customer of the order never reads them.
    reviewed_by_id = fields.Many2one(
        comodel_name="res.users",
        string="Reviewed by",
        copy=False,
        readonly=True,
        groups="base.group_user",
    )
    reviewed_on = fields.Datetime(copy=False, readonly=True)
    review_requested_by_id = fields.Many2one(
        comodel_name="res.users",
        string="Held on Confirmation by",
        copy=False,
        readonly=True,
        groups="base.group_user",
        help="Who confirmed the order when it was held; they may not approve it.",
    )
    review_reject_reason = fields.Text(
        string="Rejection Reason",
        copy=False,
        readonly=True,
        groups="base.group_user",
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

    @api.depends("review_issue_ids.message", "review_issue_ids.is_open")
    @api.depends_context("lang")
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
        return self.env["sale.review.simulation"]._get_action(quotations)

    def _get_orders_to_review(self):
        """The orders of ``self`` that confirming must review: quotations of
        companies with the order review on that a reviewer has not just
        approved."""
        approved_ids = self.env.cr.cache.get(APPROVED_CACHE_KEY, set())
        return self.filtered(
            lambda order: (
                order.state in ("draft", "sent")
                and order.id not in approved_ids
                and order.company_id.sale_review_enabled
            )
        )

    def _review_evaluate(self):
        """Dry run: return ``{order: [issue values]}`` for the active rules of the
        orders' companies. Writes nothing. Each rule reads all orders at once.
        Besides the values to store, each issue's ``message`` is its text in
        this environment's language."""
        rules = (
            self.env["sale.review.rule"]
            .sudo()
            .search([("company_id", "in", self.company_id.ids)])
        )
        result = defaultdict(list)
        orders = self.sudo()
        Issue = self.env["sale.review.issue"]
        for rule in rules:
            for order, msg in rule._evaluate(orders).items():
                result[self.browse(order.id)].append(
                    {
                        **rule._prepare_issue_vals(order, msg),
                        "message": Issue._render_message(msg),
                    }
                )
        return dict(result)

    def _review_hold(self):
        """Evaluate the rules from scratch, store the issues and hold the orders
        with a blocking one. Returns the held orders."""
        issues = self._review_evaluate()
        self.sudo().review_issue_ids.unlink()
        # Stored as codes: each reader reads them in their language.
        self.env["sale.review.issue"].sudo().create(
            [
                {key: value for key, value in vals.items() if key != "message"}
                for order_issues in issues.values()
                for vals in order_issues
            ]
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
