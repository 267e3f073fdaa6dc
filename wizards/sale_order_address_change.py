from odoo import api, fields, models

from ..const import DELIVERY_ADDRESS_FIELDS


class SaleOrderAddressChange(models.TransientModel):
    _name = "sale.order.address.change"
    _description = "Change Delivery Address"

    order_id = fields.Many2one(
        comodel_name="sale.order", string="Sales Order", required=True, readonly=True
    )
    current_partner_id = fields.Many2one(
        related="order_id.partner_shipping_id", string="Current Delivery Address"
    )
    customer_id = fields.Many2one(
        comodel_name="res.partner", compute="_compute_customer_id"
    )
    existing_partner_id = fields.Many2one(
        comodel_name="res.partner",
        string="Existing Address",
        domain="[('commercial_partner_id', '=', customer_id)]",
        help="Deliver to one of the customer's addresses. Empty: to the address "
        "below, saved as a new delivery address of the customer (an identical "
        "one is reused).",
    )
    name = fields.Char(
        compute="_compute_address", store=True, readonly=False, string="Recipient"
    )
    phone = fields.Char(compute="_compute_address", store=True, readonly=False)
    email = fields.Char(compute="_compute_address", store=True, readonly=False)
    street = fields.Char(compute="_compute_address", store=True, readonly=False)
    street2 = fields.Char(compute="_compute_address", store=True, readonly=False)
    city = fields.Char(compute="_compute_address", store=True, readonly=False)
    zip = fields.Char(compute="_compute_address", store=True, readonly=False)
    state_id = fields.Many2one(
        comodel_name="res.country.state",
        compute="_compute_address",
        store=True,
        readonly=False,
        domain="[('country_id', '=?', country_id)]",
    )
    country_id = fields.Many2one(
        comodel_name="res.country",
        compute="_compute_address",
        store=True,
        readonly=False,
    )

    @api.depends("order_id")
    def _compute_customer_id(self):
        for wizard in self:
            wizard.customer_id = wizard.order_id.partner_id.commercial_partner_id

    @api.depends("order_id")
    def _compute_address(self):
        # The form starts from the current address: the salesperson corrects
        # what changed.
        for wizard in self:
            partner = wizard.order_id.partner_shipping_id
            for name in DELIVERY_ADDRESS_FIELDS:
                wizard[name] = partner[name]

    @api.onchange("state_id")
    def _onchange_state_id(self):
        if self.state_id:
            self.country_id = self.state_id.country_id

    def _get_address(self):
        """What ``sale.order._change_delivery_address`` receives: the chosen
        contact, else the values of the form."""
        self.ensure_one()
        if self.existing_partner_id:
            return self.existing_partner_id
        return {
            name: self[name].id if name in ("state_id", "country_id") else self[name]
            for name in DELIVERY_ADDRESS_FIELDS
        }

    def action_apply(self):
        """Deliver the order to the new address (refused with the reason when
        its delivery has started)."""
        self.ensure_one()
        self.order_id._change_delivery_address(self._get_address(), source="user")
        return {"type": "ir.actions.act_window_close"}
