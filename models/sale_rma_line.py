from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import float_compare, float_is_zero

from .record_order import id_key

# What a line requests is settled when its request is confirmed.
SETTLED_LINE_FIELDS = frozenset(
    {
        "rma_id",
        "sale_line_id",
        "product_id",
        "product_uom",
        "quantity",
        "replacement_product_id",
        "price_unit",
        "replacement_price_unit",
    }
)
# The line's documents: linked by the request's own methods only.
LINK_FIELDS = frozenset({"move_ids", "refund_line_ids"})


class SaleRmaLine(models.Model):
    _name = "sale.rma.line"
    _description = "After-Sales Request Line"
    _order = "rma_id, sequence, id"
    _check_company_auto = True

    rma_id = fields.Many2one(
        comodel_name="sale.rma",
        string="Request",
        required=True,
        ondelete="cascade",
        index=True,
    )
    sequence = fields.Integer(default=10)
    company_id = fields.Many2one(related="rma_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="rma_id.currency_id")
    state = fields.Selection(related="rma_id.state", store=True, string="Status")
    rma_type = fields.Selection(related="rma_id.rma_type", store=True, string="Type")
    reason_id = fields.Many2one(related="rma_id.reason_id", store=True, string="Reason")
    reason_category = fields.Selection(
        related="rma_id.reason_category", store=True, string="Reason Category"
    )
    sale_line_id = fields.Many2one(
        comodel_name="sale.order.line",
        string="Order Line",
        required=True,
        index=True,
        check_company=True,
        domain="[('order_id', '=', parent.order_id), ('display_type', '=', False)]",
    )
    product_id = fields.Many2one(
        comodel_name="product.product",
        related="sale_line_id.product_id",
        store=True,
        string="Product",
    )
    product_uom = fields.Many2one(
        comodel_name="uom.uom",
        related="sale_line_id.product_uom",
        string="Unit",
    )
    quantity = fields.Float(digits="Product Unit of Measure", required=True, default=1)
    replacement_product_id = fields.Many2one(
        comodel_name="product.product",
        check_company=True,
        domain=[("type", "=", "consu")],
        help="For an exchange: the product sent instead. Empty sends the same "
        "product again.",
    )
    price_unit = fields.Float(
        string="Refund Unit Price",
        digits="Product Price",
        compute="_compute_price_unit",
        store=True,
        readonly=False,
        precompute=True,
        help="Unit price credited, before the line's discount and taxes. Lower it "
        "for an agreed partial refund.",
    )
    discount = fields.Float(related="sale_line_id.discount", string="Discount (%)")
    replacement_price_unit = fields.Float(
        string="Replacement Unit Price",
        digits="Product Price",
        compute="_compute_replacement_price_unit",
        store=True,
        readonly=False,
        precompute=True,
        help="Unit price of the replacement product, before taxes.",
    )
    amount_refund = fields.Monetary(
        string="Refund (Untaxed)", compute="_compute_amounts", store=True
    )
    amount_difference = fields.Monetary(
        string="Price Difference (Untaxed)", compute="_compute_amounts", store=True
    )
    move_ids = fields.One2many(
        comodel_name="stock.move",
        inverse_name="sale_rma_line_id",
        string="Stock Moves",
    )
    refund_line_ids = fields.One2many(
        comodel_name="account.move.line",
        inverse_name="sale_rma_line_id",
        string="Credit Note Lines",
    )
    qty_returned = fields.Float(
        string="Returned",
        digits="Product Unit of Measure",
        compute="_compute_qty_returned",
        store=True,
    )
    qty_refunded = fields.Float(
        string="Credited",
        digits="Product Unit of Measure",
        compute="_compute_qty_refunded",
        store=True,
    )

    @api.depends("sale_line_id")
    def _compute_price_unit(self):
        for line in self:
            line.price_unit = line.sale_line_id.price_unit

    @api.depends("replacement_product_id", "sale_line_id")
    def _compute_replacement_price_unit(self):
        for line in self:
            product = line.replacement_product_id
            if not product or product == line.product_id:
                line.replacement_price_unit = line.sale_line_id.price_reduce_taxexcl
                continue
            order = line.sale_line_id.order_id
            if order.pricelist_id:
                line.replacement_price_unit = order.pricelist_id._get_product_price(
                    product, line.quantity or 1.0, currency=order.currency_id
                )
            else:
                line.replacement_price_unit = product.lst_price

    @api.depends(
        "quantity",
        "price_unit",
        "discount",
        "replacement_product_id",
        "replacement_price_unit",
    )
    def _compute_amounts(self):
        for line in self:
            line.amount_refund = line._get_refund_amount(line.quantity)
            if line.replacement_product_id and (
                line.replacement_product_id != line.product_id
            ):
                line.amount_difference = line.quantity * (
                    line.replacement_price_unit - line.sale_line_id.price_reduce_taxexcl
                )
            else:
                line.amount_difference = 0.0

    @api.depends(
        "move_ids.state",
        "move_ids.quantity",
        "move_ids.origin_returned_move_id",
    )
    def _compute_qty_returned(self):
        for line in self:
            line.qty_returned = sum(
                move.product_uom._compute_quantity(move.quantity, line.product_uom)
                for move in line.move_ids
                if move.state == "done" and move.origin_returned_move_id
            )

    @api.depends(
        "refund_line_ids.parent_state",
        "refund_line_ids.quantity",
        "refund_line_ids.move_id.move_type",
    )
    def _compute_qty_refunded(self):
        for line in self:
            line.qty_refunded = sum(
                invoice_line.product_uom_id._compute_quantity(
                    invoice_line.quantity, line.product_uom
                )
                for invoice_line in line.refund_line_ids
                if invoice_line.parent_state != "cancel"
                and invoice_line.move_id.move_type == "out_refund"
            )

    @api.model_create_multi
    def create(self, vals_list):
        if any(LINK_FIELDS & vals.keys() for vals in vals_list):
            self.env["sale.rma"]._check_rma_write()
        self.env["sale.rma"].browse(
            {vals["rma_id"] for vals in vals_list if vals.get("rma_id")}
        )._check_draft()
        return super().create(vals_list)

    def write(self, vals):
        if LINK_FIELDS & vals.keys():
            self.env["sale.rma"]._check_rma_write()
        if SETTLED_LINE_FIELDS & vals.keys():
            self.rma_id._check_draft()
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_only_in_draft(self):
        self.rma_id.filtered(lambda rma: rma.state != "cancelled")._check_draft()

    def _check_line(self):
        """Refuse a line that cannot be requested."""
        for line in self:
            rma = line.rma_id
            if line.sale_line_id.order_id != rma.order_id:
                raise UserError(
                    self.env._(
                        "%(rma)s: %(product)s is not a line of %(order)s.",
                        rma=rma.name,
                        product=line.sale_line_id.display_name,
                        order=rma.order_id.name,
                    )
                )
            if (
                float_compare(
                    line.quantity, 0.0, precision_rounding=line.product_uom.rounding
                )
                <= 0
            ):
                raise UserError(
                    self.env._(
                        "%(rma)s: the quantity of %(product)s must be more than zero.",
                        rma=rma.name,
                        product=line.product_id.display_name,
                    )
                )
            if (
                len(
                    rma.line_ids.filtered(
                        lambda other, line=line: other.sale_line_id == line.sale_line_id
                    )
                )
                > 1
            ):
                raise UserError(
                    self.env._(
                        "%(rma)s lists %(product)s twice: put its whole quantity on "
                        "one line.",
                        rma=rma.name,
                        product=line.sale_line_id.display_name,
                    )
                )
            if line.sale_line_id.product_type != "consu" and (
                rma.rma_type not in ("refund", "cancel", "modify")
            ):
                raise UserError(
                    self.env._(
                        "%(rma)s: %(product)s is not a good; it can only be "
                        "refunded or cancelled.",
                        rma=rma.name,
                        product=line.product_id.display_name,
                    )
                )

    def _get_refund_amount(self, quantity):
        """Untaxed amount credited for ``quantity`` of this line."""
        self.ensure_one()
        return (
            self.currency_id.round(
                quantity * self.price_unit * (1 - (self.discount or 0.0) / 100.0)
            )
            if self.currency_id
            else quantity * self.price_unit
        )

    def _allocate_return(self, quantity, used):
        """``{delivered move: quantity in the product's unit}`` that brings back
        ``quantity`` (in the sale line's unit): the latest deliveries first, less
        what was returned from each already. ``used`` carries what earlier lines
        of the same batch took."""
        self.ensure_one()
        product = self.product_id
        remaining = self.product_uom._compute_quantity(quantity, product.uom_id)
        rounding = product.uom_id.rounding
        moves = self.sale_line_id.move_ids.filtered(
            lambda move: (
                move.state == "done"
                and move.product_id == product
                and move.location_dest_id.usage == "customer"
            )
        ).sorted(lambda move: (move.date, id_key(move)), reverse=True)
        result = {}
        for move in moves:
            if float_is_zero(remaining, precision_rounding=rounding):
                break
            returned = sum(
                move.returned_move_ids.filtered(
                    lambda back: back.state != "cancel"
                ).mapped("product_qty")
            )
            free = move.product_qty - returned - used.get(move, 0.0)
            take = min(free, remaining)
            if float_compare(take, 0.0, precision_rounding=rounding) <= 0:
                continue
            result[move] = take
            used[move] = used.get(move, 0.0) + take
            remaining -= take
        if not float_is_zero(remaining, precision_rounding=rounding):
            raise UserError(
                self.env._(
                    "%(rma)s: the deliveries of %(product)s hold too little to "
                    "return %(quantity)s %(uom)s.",
                    rma=self.rma_id.name,
                    product=product.display_name,
                    quantity=quantity,
                    uom=self.product_uom.name,
                )
            )
        return result

    def _prepare_replacement_procurement(self, quantity):
        """The procurement that ships ``quantity`` of the replacement again."""
        self.ensure_one()
        rma = self.rma_id
        order = rma.order_id
        product = self.replacement_product_id or self.product_id
        uom = self.product_uom
        if uom.category_id != product.uom_id.category_id:
            uom = product.uom_id
        partner = order.partner_shipping_id
        values = {
            "group_id": rma.procurement_group_id,
            "date_planned": fields.Datetime.now(),
            "warehouse_id": order.warehouse_id,
            "partner_id": partner.id,
            "company_id": order.company_id,
            "sale_line_id": self.sale_line_id.id,
            "sale_rma_line_id": self.id,
        }
        return self.env["procurement.group"].Procurement(
            product,
            quantity,
            uom,
            partner.property_stock_customer,
            product.display_name,
            rma.name,
            order.company_id,
            values,
        )

    def _prepare_refund_line_vals(self, quantity):
        """Credit note line for ``quantity``, linked to the sale line."""
        self.ensure_one()
        return self.sale_line_id._prepare_invoice_line(
            quantity=quantity,
            price_unit=self.price_unit,
            sale_rma_line_id=self.id,
        )

    def _prepare_difference_line_vals(self):
        """Invoice or credit note line of an exchange's price difference."""
        self.ensure_one()
        order = self.rma_id.order_id
        product = self.replacement_product_id
        taxes = product.taxes_id._filter_taxes_by_company(order.company_id)
        # A line of the customer's document: in the customer's language, as
        # Odoo writes the lines it invoices.
        customer_self = self.with_context(lang=order._get_lang())
        return {
            "name": customer_self.env._(
                "%(rma)s: price difference, %(old)s exchanged for %(new)s",
                rma=self.rma_id.name,
                old=customer_self.product_id.display_name,
                new=product.with_context(lang=order._get_lang()).display_name,
            ),
            "product_id": product.id,
            "quantity": self.quantity,
            "product_uom_id": product.uom_id.id,
            "price_unit": abs(self.amount_difference) / self.quantity,
            "sale_rma_difference_line_id": self.id,
            "tax_ids": [
                fields.Command.set(order.fiscal_position_id.map_tax(taxes).ids)
            ],
        }
