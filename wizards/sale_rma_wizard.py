from odoo import Command, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import float_compare

from ..const import (
    EXCHANGE_POLICIES,
    PRE_SHIPMENT_TYPES,
    REFUND_TIMINGS,
    RMA_TYPES,
)


class SaleRmaWizard(models.TransientModel):
    _name = "sale.rma.wizard"
    _description = "New After-Sales Request"

    order_id = fields.Many2one(
        comodel_name="sale.order", string="Sales Order", required=True
    )
    company_id = fields.Many2one(related="order_id.company_id", compute_sudo=False)
    allowed_rma_types = fields.Char(
        string="Allowed Types", compute="_compute_allowed_rma_types"
    )
    rma_type = fields.Selection(
        selection=RMA_TYPES,
        string="Type",
        required=True,
        compute="_compute_rma_type",
        compute_sudo=False,
        store=True,
        readonly=False,
        help="Only the types that fit what the order shipped are offered.",
    )
    is_pre_shipment = fields.Boolean(
        string="Before Shipment", compute="_compute_is_pre_shipment"
    )
    reason_id = fields.Many2one(
        comodel_name="sale.rma.reason",
        domain="['|', ('company_id', '=', False), ('company_id', '=', company_id)]",
    )
    description = fields.Text(string="Customer Description")
    refund_timing = fields.Selection(
        selection=REFUND_TIMINGS,
        string="Credit Note",
        default=lambda self: self.env.company.rma_refund_timing,
    )
    exchange_policy = fields.Selection(
        selection=EXCHANGE_POLICIES,
        string="Ship Replacement",
        default=lambda self: self.env.company.rma_exchange_policy,
    )
    new_partner_shipping_id = fields.Many2one(
        comodel_name="res.partner", string="New Delivery Address"
    )
    new_commitment_date = fields.Datetime(string="New Delivery Date")
    line_ids = fields.One2many(
        comodel_name="sale.rma.wizard.line",
        inverse_name="wizard_id",
        string="Lines",
        compute="_compute_line_ids",
        compute_sudo=False,
        store=True,
        readonly=False,
    )

    @api.depends("order_id")
    def _compute_allowed_rma_types(self):
        for wizard in self:
            wizard.allowed_rma_types = ",".join(
                wizard.order_id._get_rma_allowed_types() if wizard.order_id else []
            )

    @api.depends("order_id")
    def _compute_rma_type(self):
        for wizard in self:
            allowed = wizard.allowed_rma_types.split(",")
            if wizard.rma_type not in allowed:
                wizard.rma_type = allowed[0] or False

    @api.depends("rma_type")
    def _compute_is_pre_shipment(self):
        for wizard in self:
            wizard.is_pre_shipment = wizard.rma_type in PRE_SHIPMENT_TYPES

    @api.depends("order_id", "rma_type")
    def _compute_line_ids(self):
        # Also computed for a client's onchange, which checks no access: only
        # after-sales users, on orders they may read.
        self.browse().check_access("create")
        self.order_id._origin.check_access("read")
        for wizard in self:
            goods_only = wizard.rma_type not in ("refund", "cancel", "modify")
            sale_lines = wizard.order_id.order_line.filtered(
                lambda line, goods_only=goods_only: (
                    not line.display_type
                    and not line.is_downpayment
                    and (line.product_type == "consu" or not goods_only)
                )
            )
            available = sale_lines._get_rma_available_qty()
            key = "pre" if wizard.is_pre_shipment else "post"
            commands = [Command.clear()]
            for sale_line in sale_lines:
                left = available[sale_line][key]
                if (
                    float_compare(
                        left, 0.0, precision_rounding=sale_line.product_uom.rounding
                    )
                    <= 0
                ):
                    continue
                commands.append(
                    Command.create(
                        {
                            "sale_line_id": sale_line.id,
                            "qty_available": left,
                            # Lowering quantities is optional in a change.
                            "quantity": 0.0 if wizard.rma_type == "modify" else left,
                        }
                    )
                )
            wizard.line_ids = commands

    def action_create(self):
        """Create the request in draft and open it."""
        return self._create_rma()._get_form_action()

    def action_create_and_confirm(self):
        """Create the request, confirm it and open it."""
        rma = self._create_rma()
        rma.action_confirm()
        return rma._get_form_action()

    def _create_rma(self):
        self.ensure_one()
        allowed = self.order_id._get_rma_allowed_types()
        if self.rma_type not in allowed:
            raise UserError(
                self.env._(
                    "%(order)s cannot take this kind of request now.",
                    order=self.order_id.name,
                )
            )
        return self.env["sale.rma"].create(self._prepare_rma_vals())

    def _prepare_rma_vals(self):
        """Values of the request the wizard creates."""
        self.ensure_one()
        lines = self.line_ids.filtered(lambda line: line.quantity)
        return {
            "order_id": self.order_id.id,
            "rma_type": self.rma_type,
            "reason_id": self.reason_id.id,
            "description": self.description,
            "refund_timing": self.refund_timing,
            "exchange_policy": self.exchange_policy,
            "new_partner_shipping_id": self.new_partner_shipping_id.id,
            "new_commitment_date": self.new_commitment_date,
            "line_ids": [
                Command.create(line._prepare_rma_line_vals()) for line in lines
            ],
        }


class SaleRmaWizardLine(models.TransientModel):
    _name = "sale.rma.wizard.line"
    _description = "New After-Sales Request Line"

    wizard_id = fields.Many2one(
        comodel_name="sale.rma.wizard", required=True, ondelete="cascade"
    )
    sale_line_id = fields.Many2one(
        comodel_name="sale.order.line", string="Order Line", required=True
    )
    # Read with the reader's rights: an onchange may name any order line.
    product_id = fields.Many2one(related="sale_line_id.product_id", compute_sudo=False)
    product_uom = fields.Many2one(
        related="sale_line_id.product_uom", string="Unit", compute_sudo=False
    )
    qty_available = fields.Float(
        string="Available",
        digits="Product Unit of Measure",
        readonly=True,
        help="Not shipped yet (cancel, change) or delivered and not returned nor "
        "requested yet (after shipment).",
    )
    quantity = fields.Float(digits="Product Unit of Measure")
    replacement_product_id = fields.Many2one(
        comodel_name="product.product",
        domain=[("type", "=", "consu")],
    )

    def _prepare_rma_line_vals(self):
        self.ensure_one()
        return {
            "sale_line_id": self.sale_line_id.id,
            "quantity": self.quantity,
            "replacement_product_id": self.replacement_product_id.id,
        }
