"""Cash on delivery (货到付款): orders the carrier collects the money for."""

from odoo import api, fields, models
from odoo.exceptions import ValidationError


class SaleOrder(models.Model):
    _inherit = "sale.order"

    is_cod_outstanding = fields.Boolean(
        string="COD Outstanding",
        compute="_compute_is_cod_outstanding",
        store=True,
        help="A cash-on-delivery order whose goods have left, shipped in "
        "full or in part, and whose money is not received yet: the carrier "
        "still holds it, or it was not invoiced and paid yet.",
    )
    cod_amount_due = fields.Monetary(
        string="Amount to Collect",
        compute="_compute_cod_amount_due",
        currency_field="currency_id",
        help="What the carrier collects from the customer on delivery: the "
        "order's total minus what the customer already paid.",
    )

    @api.depends(
        "payment_method",
        "state",
        "delivery_status",
        "invoice_status",
        "order_line.invoice_lines.move_id.state",
        "order_line.invoice_lines.move_id.payment_state",
    )
    def _compute_is_cod_outstanding(self):
        for order in self:
            order.is_cod_outstanding = (
                order.state == "sale"
                and order._is_collected_on_delivery()
                and order.delivery_status in ("partial", "full")
                and not order._is_fulfillment_settled()
            )

    @api.depends(
        "payment_method",
        "amount_total",
        "transaction_ids.state",
        "transaction_ids.amount",
        "order_line.invoice_lines.move_id.state",
        "order_line.invoice_lines.move_id.amount_residual",
    )
    def _compute_cod_amount_due(self):
        collected = self.filtered(lambda order: order._is_collected_on_delivery())
        received = collected._get_amount_received()
        for order in self:
            order.cod_amount_due = (
                order.currency_id.round(max(order.amount_total - received[order], 0.0))
                if order in collected
                else 0.0
            )

    @api.depends("payment_method")
    def _compute_require_payment(self):
        result = super()._compute_require_payment()
        # The carrier collects the money: the quotation is not paid online.
        for order in self:
            if not order._is_payment_required_before_shipping():
                order.require_payment = False
        return result

    @api.constrains("payment_method", "require_payment")
    def _check_cod_require_payment(self):
        for order in self:
            if order.require_payment and order._is_collected_on_delivery():
                raise ValidationError(
                    self.env._(
                        "%(order)s is paid on delivery: it cannot also ask the "
                        "customer to pay online.",
                        order=order.display_name,
                    )
                )

    def _has_to_be_paid(self):
        # Odoo's portal asks for payment only of orders paid before shipping.
        return super()._has_to_be_paid() and self._is_payment_required_before_shipping()

    def _is_collected_on_delivery(self):
        """Whether the carrier collects the order's money from the customer on
        delivery (cash on delivery, 货到付款).

        Extension point: a connector with its own payment methods says which
        are collected by the carrier."""
        self.ensure_one()
        return self.payment_method == "cod"

    def _is_payment_required_before_shipping(self):
        """Whether the order waits for the customer's payment before it ships.

        Every place of the addon that waits for payment asks this hook: the
        *Awaiting Payment* stage, the review rule *Prepayment not received*,
        payment reminders and their automatic cancellation, and Odoo's online
        payment of the quotation. Cash-on-delivery orders do not wait: the
        carrier collects the money.

        Extension point: other payment terms that ship before payment (a
        credit account, say) override it."""
        self.ensure_one()
        return not self._is_collected_on_delivery()

    def _get_amount_received(self):
        """``{order: amount}``: what each customer has paid for the order, in
        the order's currency: the paid part of its posted invoices (its
        lines' share of each invoice), or its confirmed online payments when
        they are more (an online payment becomes the invoice's payment once
        invoiced: the two are not added). Reads what the batch prefetches: no
        query per order."""
        result = {}
        for order in self:
            paid_invoices = 0.0
            invoice_lines = order.sudo().order_line.invoice_lines.filtered(
                lambda line: (
                    line.move_id.move_type == "out_invoice"
                    and line.move_id.state == "posted"
                    # Settled by a credit note, not by the customer.
                    and line.move_id.payment_state != "reversed"
                )
            )
            for invoice, lines in invoice_lines.grouped("move_id").items():
                if not invoice.amount_total:
                    continue
                share = sum(lines.mapped("price_total")) / invoice.amount_total
                paid = share * (invoice.amount_total - invoice.amount_residual)
                if invoice.currency_id != order.currency_id:
                    paid = invoice.currency_id._convert(
                        paid,
                        order.currency_id,
                        order.company_id,
                        invoice.invoice_date or fields.Date.context_today(self),
                    )
                paid_invoices += paid
            result[order] = max(paid_invoices, order.amount_paid)
        return result
