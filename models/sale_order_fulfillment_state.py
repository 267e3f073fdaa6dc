"""Fulfillment state: where an order stands, from quotation to done."""

from odoo import api, fields, models
from odoo.tools import SQL

from ..const import FULFILLMENT_STATES
from ..const import OPEN_STATES as RMA_OPEN_STATES

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

# Invoice payment states that leave nothing to collect on the invoice.
SETTLED_PAYMENT_STATES = ("paid", "in_payment", "reversed")


class SaleOrder(models.Model):
    _inherit = "sale.order"

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
        "payment, or a confirmed order with nothing to ship is not paid yet. "
        "Never a cash-on-delivery order: it ships without waiting for "
        "payment.\n"
        "- In Production: nothing shipped yet and make-to-order production is "
        "still running.\n"
        "- To Ship: ready to be shipped, nothing shipped yet.\n"
        "- Partially Shipped: some shipments have left, others are open.\n"
        "- Shipped: every shipment has left; invoicing or payment is open.\n"
        "- In After-Sales: an after-sales request of the order is open.\n"
        "- Done: shipped, invoiced and paid.\n"
        "- Cancelled: the order was cancelled.",
    )
    fulfillment_state_date = fields.Datetime(
        string="In Stage Since",
        compute="_compute_fulfillment_state",
        store=True,
        copy=False,
        help="When the order entered its current fulfillment stage.",
    )

    @api.depends(
        "state",
        "review_state",
        "payment_method",
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
        previous = self._get_fulfillment_previous_states()
        now = fields.Datetime.now()
        transaction_start = self.env.cr.now()
        for order in self:
            state = order._get_fulfillment_state()
            old_state, old_date, created = previous.get(
                order._origin.id, (False, False, False)
            )
            if old_state == state and old_date:
                date = old_date
            elif old_state and old_state != state:
                date = now
            elif created and created < transaction_start:
                # Rows from before the field existed (install or update of
                # the module): their creation is the best guess of when
                # their stage began.
                date = created
            else:
                # Orders created now enter their stage now.
                date = now
            order.fulfillment_state = state
            order.fulfillment_state_date = date

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
            # Nothing to ship (services only): what is left is getting paid,
            # or, paid on delivery, collected.
            if self._is_fulfillment_settled():
                return "done"
            return (
                "to_pay" if self._is_payment_required_before_shipping() else "shipped"
            )
        productions = self._get_fulfillment_productions()
        if any(mo.state not in ("done", "cancel") for mo in productions):
            return "in_production"
        return "to_ship"

    def _get_fulfillment_productions(self):
        """Return the manufacturing orders that make goods for these orders.

        Make-to-order production is linked by the sale line it was created for, or
        by the order's stock moves waiting for it.
        """
        return (
            self.order_line.production_ids
            | self.procurement_group_id.stock_move_ids.created_production_id
        )

    def _get_fulfillment_previous_states(self):
        """``{order id: (fulfillment state, state date, creation)}`` before this
        computation, read for the batch in one query. The cache wins over the
        database: it holds the latest values, maybe not flushed yet."""
        # A new order without origin has ``_origin.id == False``, an int too.
        ids = [
            order._origin.id
            for order in self
            if isinstance(order._origin.id, int) and order._origin.id
        ]
        if not ids:
            return {}
        self.env.cr.execute(
            SQL(
                "SELECT id, fulfillment_state, fulfillment_state_date, create_date "
                "FROM sale_order WHERE id = ANY(%s)",
                ids,
            )
        )
        result = {row[0]: row[1:] for row in self.env.cr.fetchall()}
        cache = self.env.cache
        state_field = self._fields["fulfillment_state"]
        date_field = self._fields["fulfillment_state_date"]
        for order in self.browse(ids):
            if cache.contains(order, state_field) and cache.contains(order, date_field):
                _state, _date, created = result.get(order.id, (False,) * 3)
                result[order.id] = (
                    cache.get(order, state_field),
                    cache.get(order, date_field),
                    created,
                )
        return result

    def _is_awaiting_online_payment(self):
        """Whether a sent quotation waits for the customer to pay online.

        Odoo confirms such a quotation by itself once the prepayment is received.
        Orders paid on delivery never wait for payment.
        """
        self.ensure_one()
        return (
            self.state == "sent"
            and self.require_payment
            and self._is_payment_required_before_shipping()
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
