from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

from .stock_picking_pack import PACK_FIELDS
from .trusted_context import MILESTONE_ORDER, trusted, trusted_value

# The customer emails of an order's delivery milestones.
MILESTONE_TEMPLATES = {
    "shipped": "sale_fulfillment.mail_template_sale_order_shipped",
    "delivered": "sale_fulfillment.mail_template_sale_order_delivered",
}


class StockPicking(models.Model):
    _inherit = "stock.picking"

    sale_order_ids = fields.Many2many(
        comodel_name="sale.order",
        string="Sales Orders",
        compute="_compute_sale_order_ids",
        compute_sudo=True,
        help="Every sales order whose goods this transfer carries (of those you "
        "may read); more than one when deliveries of several orders were merged.",
    )
    sale_order_count = fields.Integer(
        compute="_compute_sale_order_ids", compute_sudo=True
    )
    sale_rma_count = fields.Integer(
        string="After-Sales Requests", compute="_compute_sale_rma_count"
    )

    delivered_on = fields.Datetime(
        copy=False,
        readonly=True,
        help="When the customer received this delivery, as the warehouse or "
        "the carrier confirmed it.",
    )
    milestone_order_id = fields.Many2one(
        comodel_name="sale.order",
        string="Order Announced",
        compute="_compute_milestone_order_id",
        help="The sales order a shipped or delivered email of this delivery is "
        "about: its own order, or each order of a merged delivery in turn.",
    )

    @api.depends_context(MILESTONE_ORDER)
    @api.depends("sale_id")
    def _compute_milestone_order_id(self):
        # Only the milestone email names another order of a merged delivery,
        # through a marker no client can send: what a client puts in its
        # context must never name an order it may not read.
        order = self.env["sale.order"].browse(trusted_value(self, MILESTONE_ORDER))
        for picking in self:
            milestone = picking.sale_id
            if order and order in (picking.move_ids.sale_line_id.order_id | milestone):
                milestone = order
            picking.milestone_order_id = milestone

    @api.depends_context("uid")
    @api.depends("move_ids.sale_line_id", "sale_id")
    def _compute_sale_order_ids(self):
        for picking in self:
            orders = picking.sale_id | picking.move_ids.sale_line_id.order_id
            # A salesperson limited to their own orders still sees that the
            # delivery carries other orders, not which.
            picking.sale_order_ids = orders.sudo(False)._filtered_access("read")
            picking.sale_order_count = len(orders)

    @api.depends("move_ids.sale_rma_line_id", "group_id")
    def _compute_sale_rma_count(self):
        pickings = self.sudo()
        by_group = pickings.group_id and self.env["sale.rma"].sudo().search(
            [("procurement_group_id", "in", pickings.group_id.ids)]
        ).grouped("procurement_group_id")
        for picking in pickings:
            rmas = picking.move_ids.sale_rma_line_id.rma_id
            if by_group and picking.group_id in by_group:
                rmas |= by_group[picking.group_id]
            self.browse(picking.id).sale_rma_count = len(rmas)

    # ------------------------------------------------------------------
    # Buttons
    # ------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        if any(PACK_FIELDS & vals.keys() for vals in vals_list):
            self._check_pack_write()
        return super().create(vals_list)

    def write(self, vals):
        if PACK_FIELDS & vals.keys():
            self._check_pack_write()
        return super().write(vals)

    def button_validate(self):
        # Deliveries whose operation type requires verification or weighing
        # leave through the pack station, where a refusal can be overridden
        # by a stock manager with a logged reason.
        self._check_pack_requirements()
        return super().button_validate()

    def _action_done(self):
        res = super()._action_done()
        rmas = self._get_sale_rmas()
        if rmas:
            rmas._update_state()
            rmas._on_replacement_shipped(self)
        self._send_sale_milestone_mail("shipped")
        return res

    def action_cancel(self):
        res = super().action_cancel()
        self._get_sale_rmas()._update_state()
        return res

    def action_mark_delivered(self):
        """Record that the customer received these shipped deliveries and
        email them (Delivered button of the warehouse)."""
        if not self.env.user.has_group("stock.group_stock_user"):
            raise AccessError(
                self.env._("Only warehouse users mark deliveries as delivered.")
            )
        for picking in self:
            if picking.state != "done" or picking.picking_type_code != "outgoing":
                raise UserError(
                    self.env._(
                        "%(picking)s is not a shipped delivery: only done "
                        "deliveries can be marked as delivered.",
                        picking=picking.display_name,
                    )
                )
            if picking.delivered_on:
                raise UserError(
                    self.env._(
                        "%(picking)s is already marked as delivered.",
                        picking=picking.display_name,
                    )
                )
        self._action_mark_delivered()
        return True

    def action_view_sale_rma(self):
        """Open the after-sales requests this transfer serves."""
        rmas = self._get_sale_rmas()
        action = self.env["ir.actions.actions"]._for_xml_id(
            "sale_fulfillment.sale_rma_action"
        )
        if len(rmas) == 1:
            action["views"] = [(False, "form")]
            action["res_id"] = rmas.id
        else:
            action["domain"] = [("id", "in", rmas.ids)]
        return action

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------

    def _get_main_source_location(self):
        """The location most of the reserved quantity comes from (the source
        location when nothing is reserved)."""
        self.ensure_one()
        quantities = {}
        for line in self.move_line_ids:
            quantities[line.location_id] = (
                quantities.get(line.location_id, 0.0) + line.quantity_product_uom
            )
        if not quantities:
            return self.location_id
        return max(quantities, key=lambda loc: (quantities[loc], -loc._origin.id))

    def _get_state_label(self):
        self.ensure_one()
        return dict(self._fields["state"]._description_selection(self.env))[self.state]

    def _action_mark_delivered(self, delivered_on=None):
        """Record the customer's receipt of these done deliveries at
        ``delivered_on`` (now by default) and email the customers once.
        ``delivered_on`` may also map each delivery's id to its own moment
        (the automatic receipt marks a batch that way, in one go).

        Hook for carrier integrations: call it when the carrier confirms the
        delivery. Deliveries already marked are left as they are. Returns the
        deliveries marked now.
        """
        pickings = self.filtered(
            lambda picking: picking.state == "done" and not picking.delivered_on
        )
        if pickings:
            if isinstance(delivered_on, dict):
                for when, group in pickings.grouped(
                    lambda picking: delivered_on[picking.id]
                ).items():
                    group.sudo().write({"delivered_on": when})
            else:
                pickings.sudo().write(
                    {"delivered_on": delivered_on or fields.Datetime.now()}
                )
            pickings._send_sale_milestone_mail("delivered")
        return pickings

    def _get_sale_milestone_pickings(self, milestone):
        """The deliveries of ``self`` whose customers hear of ``milestone``
        (``shipped`` | ``delivered``): done deliveries to a customer carrying
        goods of sales orders, of companies with the email switched on.

        After-sales replacements have their own email. When the Inventory
        setting Email Confirmation is on, Odoo already emails each validated
        delivery to the customer: no shipped email on top of it.
        """
        pickings = self.filtered(
            lambda picking: (
                picking.state == "done"
                and picking.picking_type_code == "outgoing"
                and picking.location_dest_id.usage == "customer"
                and (picking.sale_id or picking.move_ids.sale_line_id)
            )
        )
        if milestone == "shipped":
            pickings = pickings.filtered(
                lambda picking: (
                    picking.company_id.sale_notify_shipped
                    and not picking.company_id.stock_move_email_validation
                )
            )
        else:
            pickings = pickings.filtered("company_id.sale_notify_delivered")
        if not pickings:
            return pickings
        rma_groups = pickings._get_sale_rmas().procurement_group_id
        return pickings.filtered(
            lambda picking: (
                not picking.move_ids.sale_rma_line_id
                and picking.group_id not in rma_groups
            )
        )

    def _send_sale_milestone_mail(self, milestone):
        """Email the customers of these deliveries' orders that ``milestone``
        (``shipped`` | ``delivered``) was reached: one email per delivery and
        order, in the customer's language, kept in the order's chatter."""
        pickings = self._get_sale_milestone_pickings(milestone)
        template = pickings and self.env.ref(
            MILESTONE_TEMPLATES[milestone], raise_if_not_found=False
        )
        if not template:
            return
        # Who validates a delivery may not read its orders: the email is the
        # company's, not theirs, and they do not start following the orders.
        pickings = pickings.sudo().with_context(mail_create_nosubscribe=True)
        fields_to_render = ["subject", "body_html", "email_from"]
        rendered = template.sudo()._generate_template(pickings.ids, fields_to_render)
        for picking in pickings:
            orders = picking.sale_id | picking.move_ids.sale_line_id.order_id
            for order in orders:
                values = rendered[picking.id]
                if len(orders) > 1:
                    # A delivery merged from several orders: each customer
                    # reads of their own order.
                    values = trusted(
                        template.sudo(), MILESTONE_ORDER, order.id
                    )._generate_template(picking.ids, fields_to_render)[picking.id]
                order.message_post(
                    subject=values["subject"],
                    body=values["body_html"],
                    email_from=values.get("email_from") or None,
                    partner_ids=order.partner_id.ids,
                    message_type="comment",
                    subtype_xmlid="mail.mt_comment",
                    email_layout_xmlid="mail.mail_notification_light",
                )

    def _get_portal_parcels(self):
        """Names of the parcels this done delivery left in, as its customer
        sees them on the portal: its packages, and the delivery itself for
        goods that were not packed."""
        self.ensure_one()
        lines = self.move_line_ids.filtered("quantity")
        packages = lines.result_package_id
        names = sorted(packages.mapped("name"))
        if not packages or lines.filtered(lambda line: not line.result_package_id):
            names.append(self.name)
        return names

    def _get_portal_tracking(self):
        """``[(tracking reference, url or False)]`` of this delivery: the
        carrier's links (one per parcel when the carrier gave several), else
        the reference alone."""
        self.ensure_one()
        if not self.carrier_tracking_ref:
            return []
        links = self.carrier_tracking_url and self.get_multiple_carrier_tracking()
        if links:
            return [(reference, url) for reference, url in links]
        return [(self.carrier_tracking_ref, self.carrier_tracking_url or False)]

    def _get_sale_rmas(self):
        """The after-sales requests these transfers return or replace goods
        for."""
        rmas = self.move_ids.sale_rma_line_id.rma_id
        groups = self.group_id
        if groups:
            rmas |= (
                self.env["sale.rma"]
                .sudo()
                .search([("procurement_group_id", "in", groups.ids)])
            )
        return rmas.sudo()
