from datetime import timedelta

from odoo import api, fields, models

from ..const import OPEN_STATES, PRE_SHIPMENT_TYPES

# Changing these on a line of a held or rejected order voids the order's review.
REVIEWED_LINE_FIELDS = {
    "product_id",
    "product_uom_qty",
    "product_uom",
    "price_unit",
    "discount",
    "route_id",
    "customer_lead",
    "commitment_date",
}


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    production_ids = fields.One2many(
        comodel_name="mrp.production",
        inverse_name="sale_line_id",
        string="Manufacturing Orders",
        help="Manufacturing orders created to make this line (make-to-order).",
    )
    rma_line_ids = fields.One2many(
        comodel_name="sale.rma.line",
        inverse_name="sale_line_id",
        string="After-Sales Lines",
    )
    commitment_date = fields.Datetime(
        string="Line Delivery Date",
        copy=False,
        help="Deliver this line on its own date. On confirmation, lines with "
        "different delivery dates go to separate shipments, each scheduled on its "
        "date minus the company's security lead time.",
    )

    @api.depends(
        "rma_line_ids.qty_refunded",
        "rma_line_ids.qty_returned",
        "rma_line_ids.rma_type",
    )
    def _compute_qty_to_invoice(self):
        """After-sales credit notes must not make goods "to invoice" again.

        Goods refunded and kept, goods credited ahead of their return, and (for
        products invoiced on order) goods returned and refunded are no longer
        billable: take them off what Odoo computed.
        """
        res = super()._compute_qty_to_invoice()
        for line in self:
            if line.state != "sale" or not line.rma_line_ids:
                continue
            kept = credited = returned = 0.0
            for rma_line in line.rma_line_ids:
                if rma_line.rma_type == "refund":
                    kept += rma_line.qty_refunded
                elif rma_line.rma_type == "return_refund":
                    credited += rma_line.qty_refunded
                    returned += rma_line.qty_returned
            deduction = kept + max(credited - returned, 0.0)
            if line.product_id.invoice_policy == "order":
                deduction += returned
            line.qty_to_invoice -= deduction
        return res

    @api.model_create_multi
    def create(self, vals_list):
        lines = super().create(vals_list)
        lines.order_id._review_void()
        return lines

    def write(self, vals):
        if REVIEWED_LINE_FIELDS & vals.keys():
            self.order_id._review_void()
        return super().write(vals)

    def unlink(self):
        self.order_id._review_void()
        return super().unlink()

    def _prepare_procurement_values(self, group_id=False):
        values = super()._prepare_procurement_values(group_id=group_id)
        if self.commitment_date:
            values["date_deadline"] = self.commitment_date
            values["date_planned"] = self.commitment_date - timedelta(
                days=self.order_id.company_id.security_lead
            )
        return values

    def _get_outgoing_incoming_moves(self, strict=True):
        # Replacements of an exchange or re-ship and returns that are not
        # refunded change nothing on the order: the customer holds as many goods
        # as before.
        outgoing, incoming = super()._get_outgoing_incoming_moves(strict=strict)
        return (
            outgoing.filtered(lambda move: not move.sale_rma_line_id or move.to_refund),
            incoming,
        )

    def _get_rma_available_qty(self, exclude=None):
        """``{line: {"pre": qty, "post": qty}}``: what after-sales may still
        request, in the line's unit. ``pre`` is not shipped yet (cancel,
        modify); ``post`` was delivered, less returns, open requests and goods
        already refunded and kept. Requests in ``exclude`` are not counted."""
        exclude = exclude or self.env["sale.rma"]
        result = {}
        for line in self:
            open_pre = open_post = kept = 0.0
            for rma_line in line.rma_line_ids:
                rma = rma_line.rma_id
                if rma in exclude:
                    continue
                if rma.state in OPEN_STATES:
                    if rma.rma_type in PRE_SHIPMENT_TYPES:
                        open_pre += rma_line.quantity
                    else:
                        open_post += rma_line.quantity
                elif rma.state == "done" and rma.rma_type == "refund":
                    kept += rma_line.quantity
            result[line] = {
                "pre": line.product_uom_qty - line.qty_delivered - open_pre,
                "post": line.qty_delivered - open_post - kept,
            }
        return result

    def _get_rma_invoiced(self):
        """``{line: {"qty": qty, "amount": untaxed}}`` invoiced by posted
        invoices, less credit notes that are not cancelled: what a credit note
        may still give back."""
        result = {}
        for line in self:
            qty = amount = 0.0
            for invoice_line in line.invoice_lines:
                move = invoice_line.move_id
                if move.move_type == "out_invoice" and move.state == "posted":
                    sign = 1
                elif move.move_type == "out_refund" and move.state != "cancel":
                    sign = -1
                else:
                    continue
                qty += sign * invoice_line.product_uom_id._compute_quantity(
                    invoice_line.quantity, line.product_uom
                )
                amount += sign * invoice_line.price_subtotal
            result[line] = {"qty": qty, "amount": amount}
        # The price difference an exchange for a cheaper product credited was
        # given back on the exchanged line too.
        differences = (
            self.env["account.move.line"]
            .sudo()
            .search(
                [
                    ("sale_rma_difference_line_id.sale_line_id", "in", self.ids),
                    ("move_id.move_type", "=", "out_refund"),
                    ("parent_state", "!=", "cancel"),
                ]
            )
        )
        for credit_line in differences:
            sale_line = credit_line.sale_rma_difference_line_id.sale_line_id
            result[sale_line]["amount"] -= credit_line.price_subtotal
        return result
