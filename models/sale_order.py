from odoo import api, fields, models

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
        "payment, or a confirmed order with nothing to ship is not paid yet.\n"
        "- In Production: nothing shipped yet and make-to-order production is "
        "still running.\n"
        "- To Ship: ready to be shipped, nothing shipped yet.\n"
        "- Partially Shipped: some shipments have left, others are open.\n"
        "- Shipped: every shipment has left; invoicing or payment is open.\n"
        "- Done: shipped, invoiced and paid.\n"
        "- Cancelled: the order was cancelled.",
    )

    @api.depends(
        "state",
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
    )
    def _compute_fulfillment_state(self):
        # Relations are prefetched for the whole batch the first time one order
        # reads them; the production orders are not (each order unites its own
        # recordsets), so read them for the batch once: no query per order.
        self._get_fulfillment_productions().fetch(["state"])
        for order in self:
            order.fulfillment_state = order._get_fulfillment_state()

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
        if self.state != "sale":
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
        if self.invoice_status != "invoiced" and not self.currency_id.is_zero(
            self.amount_total
        ):
            return False
        invoices = self.order_line.invoice_lines.move_id.filtered(
            lambda move: move.state == "posted" and move.move_type == "out_invoice"
        )
        return all(
            invoice.payment_state in SETTLED_PAYMENT_STATES for invoice in invoices
        )
