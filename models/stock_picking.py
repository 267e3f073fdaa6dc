from odoo import api, fields, models, tools
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import float_compare, float_round, format_list

from .record_order import id_key
from .sale_fulfillment_message_mixin import define_messages, number_param
from .sale_fulfillment_message_mixin import message as stored_message
from .stock_picking_pack import PACK_FIELDS, _format_number
from .trusted_context import MILESTONE_ORDER, trusted, trusted_value

_lt = tools.LazyTranslate(__name__)

# What the pack station log says, in the reader's language (stored as codes).
PACK_MESSAGES = define_messages(
    "stock_pack",
    {
        "weight_ok": _lt(
            "Weight %(measured)s %(uom)s: OK (expected %(expected)s ± "
            "%(tolerance)s %(uom)s)."
        ),
        "weight_mismatch": _lt(
            "Weight %(measured)s %(uom)s is %(deviation)s %(uom)s off the "
            "expected %(expected)s %(uom)s (tolerance ± %(tolerance)s %(uom)s). "
            "Check the parcel."
        ),
    },
)

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
        string="Delivered On",
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

    # Scan handlers ------------------------------------------------------

    def _get_pack_scan_handlers(self):
        """The scan handlers, tried in turn: each takes the barcode and returns
        a reply, or ``None`` to leave the barcode to the next one. Items of the
        delivery come first, then GS1 element strings, items of other
        deliveries, weight barcodes, boxes and delivery references."""
        return [
            self._pack_scan_item,
            self._pack_scan_gs1,
            self._pack_scan_foreign_item,
            self._pack_scan_weight,
            self._pack_scan_package_type,
            self._pack_scan_picking,
        ]

    def _pack_scan_item(self, barcode):
        """A product, lot/serial or packaging barcode of this delivery."""
        moves = self._get_pack_moves()
        product = moves.product_id.filtered(lambda p: p.barcode == barcode)[:1]
        if product:
            return self._pack_count(product, 1.0, barcode)
        lines = moves.move_line_ids.filtered(lambda line: line.lot_id.name == barcode)
        if len(lines.product_id) > 1:
            return self._pack_error(
                "ambiguous",
                self.env._(
                    "%(lot)s is a lot of several products of this delivery "
                    "(%(products)s): scan a label that names the product too.",
                    lot=barcode,
                    products=format_list(
                        self.env, lines.product_id.mapped("display_name")
                    ),
                ),
            )
        if lines:
            return self._pack_count(lines.product_id, 1.0, barcode, lot=lines.lot_id)
        packaging = self.env["product.packaging"].search(
            [("barcode", "=", barcode), ("product_id", "in", moves.product_id.ids)],
            limit=1,
        )
        if packaging:
            return self._pack_count(
                packaging.product_id, packaging.qty, barcode, packaging=packaging
            )
        return None

    def _pack_scan_gs1(self, barcode):
        """A GS1-128 element string, when the company's nomenclature is GS1:
        a GTIN with its lot and count counts, a net weight alone weighs."""
        nomenclature = self.company_id.nomenclature_id
        if not nomenclature.is_gs1_nomenclature:
            return None
        try:
            elements = nomenclature.parse_barcode(barcode)
        except (ValidationError, ValueError):
            return None
        if not isinstance(elements, list) or not elements:
            return None
        weight_category = self.env.ref("uom.product_uom_categ_kgm")
        weight_uom = self._get_pack_weight_uom()
        gtin = lot_name = quantity = weight = None
        for element in elements:
            if element["type"] == "product":
                gtin = str(element["value"])
            elif element["type"] == "lot":
                lot_name = str(element["value"])
            elif element["type"] == "quantity":
                uom = element["rule"].associated_uom_id
                if uom.category_id == weight_category:
                    weight = uom._compute_quantity(
                        element["value"], weight_uom, round=False
                    )
                else:
                    quantity = element["value"]
        if not gtin and not lot_name:
            return self._pack_weigh(weight, barcode) if weight else None
        moves = self._get_pack_moves()
        products = moves.product_id
        if gtin:
            products = products.filtered(
                lambda p: p.barcode and p.barcode.lstrip("0") == gtin.lstrip("0")
            )
        lot = None
        if lot_name:
            lines = moves.move_line_ids.filtered(
                lambda line: (
                    line.product_id in products and line.lot_id.name == lot_name
                )
            )
            products, lot = lines.product_id, lines.lot_id[:1]
        if not products:
            return self._pack_scan_foreign_item(lot_name or gtin) or self._pack_error(
                "wrong_item",
                self.env._(
                    "%(barcode)s is not part of %(picking)s. Put it aside.",
                    barcode=lot_name or gtin,
                    picking=self.name,
                ),
            )
        return self._pack_count(products[:1], quantity or 1.0, barcode, lot=lot)

    def _pack_scan_foreign_item(self, barcode):
        """A product, packaging or lot that exists but is not in this delivery:
        refused, so that the wrong item stays out of the parcel."""
        products = self._get_pack_moves().product_id
        product = self.env["product.product"].search(
            [("barcode", "=", barcode)], limit=1
        )
        if not product:
            product = (
                self.env["product.packaging"]
                .search([("barcode", "=", barcode)], limit=1)
                .product_id
            )
        if product:
            return self._pack_error(
                "wrong_item",
                self.env._(
                    "Wrong item: %(product)s is not part of %(picking)s. Put it aside.",
                    product=product.display_name,
                    picking=self.name,
                ),
            )
        lot = self.env["stock.lot"].search(
            [
                ("name", "=", barcode),
                ("company_id", "in", [self.company_id.id, False]),
            ],
            limit=1,
        )
        if not lot:
            return None
        if lot.product_id in products:
            reserved = (
                self._get_pack_moves()
                .move_line_ids.filtered(lambda line: line.product_id == lot.product_id)
                .lot_id
            )
            return self._pack_error(
                "wrong_lot",
                self.env._(
                    "Wrong lot: %(lot)s of %(product)s is not reserved for "
                    "%(picking)s; take %(reserved)s.",
                    lot=lot.name,
                    product=lot.product_id.display_name,
                    picking=self.name,
                    reserved=format_list(self.env, reserved.mapped("name")) or "-",
                ),
            )
        return self._pack_error(
            "wrong_item",
            self.env._(
                "Wrong item: %(lot)s is a lot of %(product)s, which is not part of "
                "%(picking)s. Put it aside.",
                lot=lot.name,
                product=lot.product_id.display_name,
                picking=self.name,
            ),
        )

    def _pack_scan_weight(self, barcode):
        """A weight barcode of the company's nomenclature (e.g. a scale's
        label): its value is the parcel's weight in the database's unit."""
        nomenclature = self.company_id.nomenclature_id
        if not nomenclature or nomenclature.is_gs1_nomenclature:
            return None
        parsed = nomenclature.parse_barcode(barcode)
        if isinstance(parsed, dict) and parsed.get("type") == "weight":
            if parsed["value"] <= 0:
                return self._pack_error(
                    "bad_weight",
                    self.env._(
                        "The weight barcode %(barcode)s holds no weight.",
                        barcode=barcode,
                    ),
                )
            return self._pack_weigh(parsed["value"], barcode)
        return None

    def _pack_scan_package_type(self, barcode):
        """A box (package type) barcode: pack this delivery in that box."""
        package_type = self.env["stock.package.type"].search(
            [
                ("barcode", "=", barcode),
                ("company_id", "in", [self.company_id.id, False]),
            ],
            limit=1,
        )
        if not package_type:
            return None
        return self._pack_choose_package_type(package_type, barcode)

    def _pack_scan_picking(self, barcode):
        """Another delivery's reference: the screen opens it (nothing is
        written here)."""
        picking = self.search(
            [("name", "=", barcode), ("picking_type_code", "=", "outgoing")], limit=1
        )
        if not picking:
            return None
        if picking == self:
            return self._pack_reply(
                "ok",
                "read",
                self.env._("%(picking)s is the delivery open here.", picking=self.name),
            )
        return self._pack_reply(
            "ok",
            "open_picking",
            self.env._("Opening %(picking)s.", picking=picking.name),
            open_picking_id=picking.id,
        )

    # Scan effects -------------------------------------------------------

    def _pack_count(self, product, quantity, barcode, lot=None, packaging=None):
        """Count ``quantity`` (in the product's unit) of ``product`` (of
        ``lot``) against this delivery's reserved lines, or refuse without
        writing anything. Counts are kept in the product's unit, unrounded by
        any other unit, so that twelve units make exactly one dozen."""
        moves = self._get_pack_moves().filtered(lambda m: m.product_id == product)
        uom = product.uom_id
        rounding = uom.rounding
        all_lines = self._get_pack_lines().filtered(lambda line: line.move_id in moves)
        lines = all_lines.sorted(id_key)
        if product.tracking != "none" and not lot:
            lots = lines.lot_id
            if product.tracking == "serial" or len(lots) != 1:
                return self._pack_error(
                    "lot_required",
                    self.env._(
                        "Scan the lot or serial number of %(product)s, not the "
                        "product.",
                        product=product.display_name,
                    ),
                )
            lot = lots
        if lot:
            lines = lines.filtered(lambda line: line.lot_id == lot)
        limit = sum(move._get_pack_limit() for move in moves)
        counted = sum(all_lines.mapped("pack_qty_counted"))
        room = {}
        for line in lines:
            space = line.quantity_product_uom - line.pack_qty_counted
            if float_compare(space, 0.0, precision_rounding=rounding) > 0:
                room[line] = space
        if product.tracking == "serial" and lot and not room:
            return self._pack_error(
                "already_scanned",
                self.env._("Serial number %(lot)s was already scanned.", lot=lot.name),
            )
        if (
            float_compare(counted + quantity, limit, precision_rounding=rounding) > 0
            or float_compare(quantity, sum(room.values()), precision_rounding=rounding)
            > 0
        ):
            return self._pack_refuse_count(product, quantity, counted, limit, lot)
        remaining = quantity
        for line, space in room.items():
            take = min(space, remaining)
            line._pack_write(
                {
                    "pack_qty_counted": float_round(
                        line.pack_qty_counted + take, precision_rounding=rounding
                    )
                }
            )
            remaining -= take
            if float_compare(remaining, 0.0, precision_rounding=rounding) <= 0:
                break
        counted += quantity
        self._pack_refresh_state()
        self._pack_log(
            "count",
            barcode=barcode,
            product_id=product.id,
            lot_id=lot.id if lot else False,
            quantity=quantity,
            message=packaging.name if packaging else False,
        )
        message = self.env._(
            "%(product)s: %(counted)s of %(demand)s %(uom)s counted.",
            product=product.display_name,
            counted=_format_number(counted),
            demand=_format_number(limit),
            uom=uom.name,
        )
        return self._pack_reply_after_change("counted", message)

    def _pack_refuse_count(self, product, quantity, counted, demand, lot):
        """The refusal of a count that does not fit the reserved lines."""
        uom = product.uom_id
        if (
            float_compare(counted + quantity, demand, precision_rounding=uom.rounding)
            > 0
        ):
            return self._pack_error(
                "too_many",
                self.env._(
                    "Too many %(product)s: %(counted)s of %(demand)s %(uom)s are "
                    "already counted and this scan adds %(quantity)s. Take the "
                    "extra out of the parcel.",
                    product=product.display_name,
                    counted=_format_number(counted),
                    demand=_format_number(demand),
                    quantity=_format_number(quantity),
                    uom=uom.name,
                ),
            )
        if lot:
            return self._pack_error(
                "too_many",
                self.env._(
                    "Too many of lot %(lot)s: this delivery reserves less of it. "
                    "Take another lot of %(product)s.",
                    lot=lot.name,
                    product=product.display_name,
                ),
            )
        return self._pack_error(
            "not_reserved",
            self.env._(
                "Only part of the %(demand)s %(uom)s of %(product)s is reserved for "
                "%(picking)s; %(counted)s are counted. The rest cannot ship now.",
                demand=_format_number(demand),
                uom=uom.name,
                product=product.display_name,
                picking=self.name,
                counted=_format_number(counted),
            ),
        )

    def _pack_weigh(self, weight, barcode=None):
        """Record the measured weight and say how it compares."""
        digits = self.env["decimal.precision"].precision_get("Stock Weight")
        self._pack_write(
            {"measured_weight": float_round(weight, precision_digits=digits)}
        )
        self._pack_refresh_state()
        uom = self._get_pack_weight_uom().name
        code = "weight_ok" if self.is_weight_within_tolerance else "weight_mismatch"
        msg = stored_message(
            PACK_MESSAGES[code],
            measured=number_param(self.measured_weight),
            expected=number_param(self.expected_weight),
            tolerance=number_param(self.weight_tolerance),
            deviation=number_param(abs(self.weight_deviation)),
            uom=uom,
        )
        self._pack_log(
            "weight",
            barcode=barcode,
            weight=self.measured_weight,
            result="ok" if self.is_weight_within_tolerance else "mismatch",
            message=msg,
        )
        return self._pack_reply_after_change(
            code, self.env["stock.pack.scan"]._render_message(msg)
        )

    def _pack_choose_package_type(self, package_type, barcode=None):
        self.pack_package_type_id = package_type
        self._pack_refresh_state()
        self._pack_log("package_type", barcode=barcode, message=package_type.name)
        return self._pack_reply_after_change(
            "package_type",
            self.env._("Box: %(box)s.", box=package_type.name),
        )

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

        Hook for carrier integrations: call it when the carrier confirms the
        delivery. Deliveries already marked are left as they are. Returns the
        deliveries marked now.
        """
        pickings = self.filtered(
            lambda picking: picking.state == "done" and not picking.delivered_on
        )
        if pickings:
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
