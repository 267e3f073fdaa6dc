import math
from collections import defaultdict

from odoo import api, fields, models, tools
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import float_compare, float_round, format_list

from .locking import lock_for_update
from .record_order import id_key
from .sale_fulfillment_message_mixin import define_messages, number_param
from .sale_fulfillment_message_mixin import message as stored_message
from .trusted_context import (
    MILESTONE_ORDER,
    PACK_WRITE,
    is_trusted,
    trusted,
    trusted_value,
)

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

# What only the pack station writes (through ``_pack_write``).
PACK_FIELDS = frozenset(
    {
        "verify_state",
        "verified_by_id",
        "verified_on",
        "measured_weight",
        "pack_override_by_id",
        "pack_override_reason",
    }
)

# The customer emails of an order's delivery milestones.
MILESTONE_TEMPLATES = {
    "shipped": "sale_fulfillment.mail_template_sale_order_shipped",
    "delivered": "sale_fulfillment.mail_template_sale_order_delivered",
}

VERIFY_STATES = [
    ("none", "Not Verified"),
    ("in_progress", "Verifying"),
    ("verified", "Verified"),
    ("mismatch", "Mismatch"),
]


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

    # Pack station (scan, weigh, pack, validate).
    verify_state = fields.Selection(
        selection=VERIFY_STATES,
        string="Verification",
        default="none",
        required=True,
        copy=False,
        readonly=True,
        index=True,
        help="Pack-station check of this delivery: not started, items being "
        "scanned, every item scanned (and the parcel weighed when required), or "
        "a measured weight that does not match what was scanned.",
    )
    # Who checked and who overrode a check, and why, stay internal: employees
    # only, the portal customer of the delivery never reads them.
    verified_by_id = fields.Many2one(
        comodel_name="res.users",
        string="Verified By",
        copy=False,
        readonly=True,
        groups="base.group_user",
    )
    verified_on = fields.Datetime(string="Verified On", copy=False, readonly=True)
    measured_weight = fields.Float(
        digits="Stock Weight",
        copy=False,
        readonly=True,
        help="Weight of the parcel on the scale at the pack station.",
    )
    expected_weight = fields.Float(
        compute="_compute_pack_weights",
        digits="Stock Weight",
        help="Weight the parcel should have: the product weights of what was "
        "scanned (of everything to ship before any scan) plus the boxes.",
    )
    weight_tolerance = fields.Float(
        compute="_compute_pack_weights",
        digits="Stock Weight",
        help="How far the measured weight may be from the expected one (company "
        "settings: a percentage, never less than a minimum in grams).",
    )
    weight_deviation = fields.Float(
        compute="_compute_pack_weights",
        digits="Stock Weight",
        help="Measured minus expected weight.",
    )
    is_weight_within_tolerance = fields.Boolean(
        string="Weight OK",
        compute="_compute_pack_weights",
    )
    pack_package_type_id = fields.Many2one(
        comodel_name="stock.package.type",
        string="Box",
        copy=False,
        check_company=True,
        help="The package type the pack station packs this delivery in.",
    )
    pack_override_by_id = fields.Many2one(
        comodel_name="res.users",
        string="Overridden By",
        copy=False,
        readonly=True,
        groups="base.group_user",
        help="The stock manager who validated this delivery at the pack station "
        "despite a failed check.",
    )
    pack_override_reason = fields.Text(
        string="Override Reason", copy=False, readonly=True, groups="base.group_user"
    )
    pack_scan_ids = fields.One2many(
        comodel_name="stock.pack.scan",
        inverse_name="picking_id",
        string="Pack Station Log",
        readonly=True,
    )
    pack_scan_count = fields.Integer(
        string="Pack Log Entries", compute="_compute_pack_scan_count"
    )
    pack_verify_required = fields.Boolean(
        string="Verify by Scanning",
        compute="_compute_pack_required",
        help="Every item must be scanned at the pack station before this "
        "delivery can be validated: its operation type requires it and the "
        "company has the pack-station checks on.",
    )
    pack_weigh_required = fields.Boolean(
        string="Weigh Before Shipping",
        compute="_compute_pack_required",
        help="The parcel must be weighed within the tolerance at the pack "
        "station before this delivery can be validated: its operation type "
        "requires it and the company has the pack-station checks on.",
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

    @api.depends(
        "picking_type_id.pack_verify_required",
        "picking_type_id.pack_weigh_required",
        "company_id.stock_pack_check_enabled",
    )
    def _compute_pack_required(self):
        for picking in self:
            checked = picking.company_id.stock_pack_check_enabled
            picking_type = picking.picking_type_id
            picking.pack_verify_required = checked and picking_type.pack_verify_required
            picking.pack_weigh_required = checked and picking_type.pack_weigh_required

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

    @api.depends(
        "move_ids.state",
        "move_ids.product_uom_qty",
        "move_ids.product_id.weight",
        "move_ids.move_line_ids.pack_qty_counted",
        "move_ids.move_line_ids.result_package_id.package_type_id.base_weight",
        "pack_package_type_id.base_weight",
        "measured_weight",
        "company_id.pack_weight_tolerance_percent",
        "company_id.pack_weight_tolerance_grams",
    )
    def _compute_pack_weights(self):
        weight_uom, gram = self._get_pack_weight_uoms()
        for picking in self:
            company = picking.company_id
            expected = picking._get_pack_expected_weight()
            tolerance = max(
                expected * company.pack_weight_tolerance_percent / 100.0,
                gram._compute_quantity(
                    company.pack_weight_tolerance_grams, weight_uom, round=False
                ),
            )
            measured = picking.measured_weight
            picking.expected_weight = expected
            picking.weight_tolerance = tolerance
            picking.weight_deviation = measured - expected if measured else 0.0
            picking.is_weight_within_tolerance = bool(measured) and (
                float_compare(
                    abs(measured - expected),
                    tolerance,
                    precision_rounding=weight_uom.rounding,
                )
                <= 0
            )

    def _compute_pack_scan_count(self):
        counts = dict(
            self.env["stock.pack.scan"]._read_group(
                [("picking_id", "in", self.ids)], ["picking_id"], ["__count"]
            )
        )
        for picking in self:
            picking.pack_scan_count = counts.get(picking, 0)

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
    # Pack station
    # ------------------------------------------------------------------

    def action_open_pack_station(self):
        """Open this delivery in the pack station."""
        self.ensure_one()
        return {
            "type": "ir.actions.client",
            "tag": "sale_fulfillment.pack_station",
            "name": self.env._("Pack Station"),
            "params": {"picking_id": self.id},
            "context": {"active_id": self.id},
        }

    def action_view_pack_scans(self):
        """Open the pack-station log of this delivery."""
        self.ensure_one()
        action = self.env["ir.actions.actions"]._for_xml_id(
            "sale_fulfillment.stock_pack_scan_action"
        )
        action["domain"] = [("picking_id", "=", self.id)]
        action["context"] = {"create": False}
        return action

    @api.model
    def pack_station_pickings(self, search=None, limit=40):
        """Deliveries ready to pack, most urgent first, optionally filtered by
        reference, customer or source document, for the pack station's list."""
        domain = [("picking_type_code", "=", "outgoing"), ("state", "=", "assigned")]
        if search:
            domain += [
                "|",
                "|",
                ("name", "ilike", search),
                ("partner_id", "ilike", search),
                ("origin", "ilike", search),
            ]
        pickings = self.search(
            domain, order="priority desc, scheduled_date, id", limit=limit
        )
        labels = dict(self._fields["verify_state"]._description_selection(self.env))
        return [
            {
                "id": picking.id,
                "name": picking.name,
                "partner": picking.partner_id.display_name or "",
                "origin": picking.origin or "",
                "carrier": picking.carrier_id.name or "",
                "priority": picking.priority == "1",
                "verify_state": picking.verify_state,
                "verify_state_label": labels[picking.verify_state],
            }
            for picking in pickings
        ]

    @api.model
    def pack_station_find(self, barcode):
        """Find the delivery a scanned reference means: a delivery's own
        reference, or the source document (sales order) of exactly one open
        delivery. Returns a pack-station reply; nothing is written."""
        # Whatever a client sends that is no text is no reference.
        reference = barcode.strip() if isinstance(barcode, str) else ""
        outgoing = [("picking_type_code", "=", "outgoing")]
        picking = self.search(outgoing + [("name", "=", reference)], limit=1)
        if not picking and reference:
            candidates = self.search(
                outgoing
                + [
                    ("origin", "=", reference),
                    ("state", "not in", ("draft", "done", "cancel")),
                ],
                limit=2,
            )
            if len(candidates) > 1:
                return self._pack_reply_without_picking(
                    "ambiguous",
                    self.env._(
                        "%(reference)s has several open deliveries: scan the "
                        "delivery's own reference.",
                        reference=reference,
                    ),
                )
            picking = candidates
        if not picking:
            return self._pack_reply_without_picking(
                "unknown",
                self.env._(
                    "No delivery has the reference %(reference)s.", reference=reference
                ),
            )
        return picking._pack_reply(
            "ok",
            "open_picking",
            self.env._("%(picking)s opened.", picking=picking.name),
        )

    @api.model
    def pack_station_settings(self):
        """What the pack station needs once: the boxes to choose from, the
        weight unit and whether the user may override a refusal."""
        package_types = self.env["stock.package.type"].search(
            [("company_id", "in", [*self.env.companies.ids, False])]
        )
        return {
            "package_types": [
                {
                    "id": package_type.id,
                    "name": package_type.name,
                }
                for package_type in package_types
            ],
            "weight_uom": self._get_pack_weight_uom().name,
            "can_override": self.env.user.has_group("stock.group_stock_manager"),
        }

    def pack_read(self):
        """The pack station's view of this delivery (a reply whose status is
        ``ok``); nothing is written."""
        self.ensure_one()
        return self._pack_reply("ok", "read", "")

    def pack_scan(self, barcode):
        """Handle one scan at the pack station.

        ``barcode`` may be a product, packaging or lot/serial barcode of the
        delivery (it counts), a weight barcode (the parcel's weight), a box
        (package type) barcode or another delivery's reference (to open it).

        Returns ``{"status": "ok" | "error" | "done", "code", "message",
        "picking"}``: ``done`` when this scan completed the verification,
        ``error`` when it was refused, in which case nothing was written;
        ``picking`` is what the screen shows next. Two packers scanning the same
        delivery are served one after the other, so a unit is never counted
        twice.
        """
        barcode = barcode.strip() if isinstance(barcode, str) else ""
        refusal = self._pack_begin()
        if refusal:
            return refusal
        if barcode:
            self._pack_prefetch()
            for handler in self._get_pack_scan_handlers():
                reply = handler(barcode)
                if reply:
                    return reply
        return self._pack_error(
            "unknown",
            self.env._(
                "Unknown barcode %(barcode)s: it is no product, packaging, lot, box "
                "or delivery known here. Nothing was counted.",
                barcode=barcode,
            ),
        )

    def pack_set_weight(self, weight):
        """Record the parcel's measured weight (in the database's weight unit)
        and check it against the expected weight; returns a pack-station
        reply."""
        refusal = self._pack_begin()
        if refusal:
            return refusal
        try:
            weight = float(weight)
        except (TypeError, ValueError):
            weight = 0.0
        # "nan", "inf" and "1e999" read as floats that are no weight.
        if not math.isfinite(weight) or weight <= 0:
            return self._pack_error(
                "bad_weight",
                self.env._(
                    "The weight must be a positive number of %(uom)s.",
                    uom=self._get_pack_weight_uom().name,
                ),
            )
        return self._pack_weigh(weight)

    def pack_set_package_type(self, package_type_id):
        """Choose the box (package type) this delivery is packed in."""
        refusal = self._pack_begin()
        if refusal:
            return refusal
        # A box of the station's list: the delivery's company's or shared.
        package_type = self.env["stock.package.type"]
        if isinstance(package_type_id, int) and not isinstance(package_type_id, bool):
            package_type = package_type.search(
                [
                    ("id", "=", package_type_id),
                    ("company_id", "in", [self.company_id.id, False]),
                ]
            )
        if not package_type:
            return self._pack_error(
                "unknown", self.env._("That box (package type) does not exist.")
            )
        return self._pack_choose_package_type(package_type)

    def pack_put_in_pack(self):
        """Put what has been counted and is not packed yet into a new package
        of the chosen box, so that a delivery can leave in several parcels."""
        refusal = self._pack_begin()
        if refusal:
            return refusal
        lines = self._get_pack_unpacked_lines(counted_only=True)
        if not lines:
            return self._pack_error(
                "nothing_to_pack",
                self.env._(
                    "Nothing counted is left outside a package: scan items first."
                ),
            )
        lines._pack_split_counted()
        package = self._pack_put_lines_in_pack(
            self._get_pack_unpacked_lines(counted_only=True)
        )
        return self._pack_reply(
            "ok",
            "packed",
            self.env._("Packed into %(package)s.", package=package.name),
        )

    def pack_reset(self):
        """Forget this delivery's counts and weight to verify it again."""
        refusal = self._pack_begin()
        if refusal:
            return refusal
        self._get_pack_lines().filtered("pack_qty_counted")._pack_write(
            {"pack_qty_counted": 0.0}
        )
        self._pack_write(
            {
                "measured_weight": 0.0,
                "verify_state": "none",
                "verified_by_id": False,
                "verified_on": False,
            }
        )
        self._pack_log("reset")
        return self._pack_reply(
            "ok", "reset", self.env._("Counts and weight cleared: scan again.")
        )

    def pack_validate(self, override_reason=None, backorder=None):
        """Validate this delivery from the pack station.

        It must be completely verified (when its operation type requires
        verification), weighed (when required) and within the weight tolerance.
        Otherwise it is refused, unless a stock manager gives
        ``override_reason``, which is logged. What was scanned is what ships:
        the rest goes to a backorder following the operation type's policy
        (``backorder`` answers "ask": ``False`` for none). Counted goods not yet
        in a package are packed in the chosen box; a single parcel gets the
        measured weight as its shipping weight.

        Returns a pack-station reply whose status is ``done``, with ``action``
        when Odoo asks for more (e.g. a wizard of another addon).
        """
        refusal = self._pack_begin()
        if refusal:
            raise UserError(refusal["message"])
        problems = self._get_pack_problems()
        reason = (override_reason or "").strip()
        if problems and not reason:
            raise UserError(
                self.env._(
                    "Cannot validate %(picking)s yet:\n%(problems)s\nA stock manager "
                    "may validate it anyway, giving a reason.",
                    picking=self.name,
                    problems="\n".join(f"- {problem}" for problem in problems),
                )
            )
        if problems:
            if not self.env.user.has_group("stock.group_stock_manager"):
                raise UserError(
                    self.env._(
                        "Only a stock manager can validate %(picking)s despite: "
                        "%(problems)s",
                        picking=self.name,
                        problems=" ".join(problems),
                    )
                )
            self._pack_write(
                {
                    "pack_override_by_id": self.env.uid,
                    "pack_override_reason": reason,
                }
            )
            self._pack_log("override", result="mismatch", message=reason[:250])
            self.message_post(
                body=self.env._(
                    "Validated at the pack station despite: %(problems)s "
                    "Reason given by %(user)s: %(reason)s",
                    problems=" ".join(problems),
                    user=self.env.user.name,
                    reason=reason,
                )
            )
        self._pack_apply_counts()
        unpacked = self._get_pack_unpacked_lines()
        if unpacked and self.pack_package_type_id:
            self._pack_put_lines_in_pack(unpacked)
        packages = self.move_line_ids.filtered("quantity").result_package_id
        if self.measured_weight and len(packages) == 1:
            packages.shipping_weight = self.measured_weight
        context = {"skip_backorder": True}
        if backorder is False:
            context["picking_ids_not_to_backorder"] = self.ids
        result = self.with_context(**context).button_validate()
        if self.state != "done":
            # Another addon asks for a confirmation (a wizard): the counts are
            # applied already, so confirming it ships what was scanned.
            return self._pack_reply(
                "ok",
                "action",
                self.env._(
                    "%(picking)s needs one more confirmation.", picking=self.name
                ),
                action=result if isinstance(result, dict) else False,
            )
        self._pack_log("validate")
        message = self.env._("%(picking)s validated.", picking=self.name)
        if self.backorder_ids:
            message = self.env._(
                "%(picking)s validated; the rest waits in %(backorders)s.",
                picking=self.name,
                backorders=format_list(self.env, self.backorder_ids.mapped("name")),
            )
        return self._pack_reply(
            "done",
            "validated",
            message,
            action=result if isinstance(result, dict) else False,
        )

    def pack_print_slip(self):
        """The report action printing this delivery's packing slip."""
        self.ensure_one()
        return self._get_pack_slip_report().report_action(self, config=False)

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

    def _pack_put_lines_in_pack(self, lines):
        """Pack ``lines`` into a new package of the chosen box; return it."""
        package = self._put_in_pack(lines)
        if self.pack_package_type_id:
            package.package_type_id = self.pack_package_type_id
        self._pack_log("pack", message=package.name)
        return package

    def _pack_apply_counts(self):
        """Make what was counted the quantity that ships: once anything was
        scanned, uncounted reserved quantity stays behind (for the
        backorder)."""
        if not self._is_pack_counting():
            return
        lines = self._get_pack_lines().filtered(
            lambda line: line.state not in ("done", "cancel")
        )
        shipped = defaultdict(lambda: self.env["stock.move.line"])
        for line in lines:
            quantity = line._get_pack_counted_in_line_unit()
            if float_compare(
                line.quantity, quantity, precision_rounding=line.product_uom_id.rounding
            ):
                shipped[quantity] |= line
        for quantity, group in shipped.items():
            group.quantity = quantity
        self._get_pack_moves().picked = True

    def _pack_refresh_state(self):
        """Recompute ``verify_state`` from the counts and the weight; the write
        also serialises concurrent scans of this delivery."""
        counted_any = self._is_pack_counting()
        complete = counted_any and not self._get_pack_incomplete_moves()
        if self.measured_weight and not self.is_weight_within_tolerance:
            state = "mismatch"
        elif complete and (self.measured_weight or not self.pack_weigh_required):
            state = "verified"
        elif counted_any or self.measured_weight:
            state = "in_progress"
        else:
            state = "none"
        vals = {"verify_state": state}
        if state == "verified" and self.verify_state != "verified":
            vals.update(verified_by_id=self.env.uid, verified_on=fields.Datetime.now())
        self._pack_write(vals)

    def _get_pack_incomplete_moves(self):
        """The moves whose reserved quantity (up to their demand) is not all
        counted: what a partial shipment leaves for the backorder is not
        missing, what sits reserved on the shelf uncounted is."""
        return self._get_pack_moves().filtered(
            lambda move: (
                float_compare(
                    sum(move.move_line_ids.mapped("pack_qty_counted")),
                    move._get_pack_target(),
                    precision_rounding=move.product_id.uom_id.rounding,
                )
                < 0
            )
        )

    def _check_pack_requirements(self):
        """Refuse to validate, outside the pack station, a delivery whose
        operation type requires verification or weighing it has not had."""
        for picking in self:
            if (
                picking.picking_type_code != "outgoing"
                or picking.state in ("done", "cancel")
                or not (picking.pack_verify_required or picking.pack_weigh_required)
                or picking.pack_override_by_id
            ):
                continue
            problems = picking._get_pack_problems()
            if problems:
                raise UserError(
                    self.env._(
                        "%(picking)s must go through the pack station: "
                        "%(problems)s Open it with the Pack Station button; a "
                        "stock manager can validate it there anyway, with a "
                        "reason.",
                        picking=picking.name,
                        problems=" ".join(problems),
                    )
                )

    def _get_pack_problems(self):
        """Why this delivery cannot be validated from the pack station as it
        stands: a list of translated sentences, empty when it can."""
        self.ensure_one()
        problems = []
        if self.pack_verify_required:
            missing = self._get_pack_incomplete_moves()
            if not self._is_pack_counting():
                missing = self._get_pack_moves()
            if missing:
                problems.append(
                    self.env._(
                        "%(missing)s of %(total)s lines are not completely scanned "
                        "(%(products)s).",
                        missing=len(missing),
                        total=len(self._get_pack_moves()),
                        products=format_list(
                            self.env, missing.product_id.mapped("display_name")
                        ),
                    )
                )
        uom = self._get_pack_weight_uom().name
        if self.pack_weigh_required and not self.measured_weight:
            problems.append(self.env._("The parcel has not been weighed."))
        elif self.measured_weight and not self.is_weight_within_tolerance:
            problems.append(
                self.env._(
                    "The parcel weighs %(measured)s %(uom)s, %(deviation)s %(uom)s "
                    "off the expected %(expected)s %(uom)s (tolerance ± "
                    "%(tolerance)s %(uom)s).",
                    measured=_format_number(self.measured_weight),
                    deviation=_format_number(abs(self.weight_deviation)),
                    expected=_format_number(self.expected_weight),
                    tolerance=_format_number(self.weight_tolerance),
                    uom=uom,
                )
            )
        return problems

    # Pack station helpers -----------------------------------------------

    def _get_pack_moves(self):
        """The moves the pack station verifies: open moves with a demand or
        something reserved (a line added to the delivery by hand)."""
        return self.move_ids.filtered(
            lambda move: (
                move.state not in ("draft", "done", "cancel")
                and (move.product_uom_qty > 0 or move.quantity > 0)
            )
        )

    def _pack_prefetch(self):
        """Read what a scan looks at for every line at once, rather than line
        by line as the handlers come to it."""
        moves = self.move_ids
        moves.product_id.mapped("display_name")
        moves.move_line_ids.mapped("pack_qty_counted")

    def _is_pack_counting(self):
        """Whether anything of this delivery was counted yet."""
        return any(self._get_pack_lines().mapped("pack_qty_counted"))

    def _get_pack_lines(self):
        """The move lines of this delivery, read through its moves (already in
        the cache when the moves are)."""
        return self.move_ids.move_line_ids

    def _get_pack_unpacked_lines(self, counted_only=False):
        """Open move lines with something to ship and no package yet (only the
        counted ones with ``counted_only``)."""
        return self._get_pack_lines().filtered(
            lambda line: (
                line.state not in ("done", "cancel")
                and not line.result_package_id
                and (line.pack_qty_counted if counted_only else line.quantity) > 0
            )
        )

    def _get_pack_expected_weight(self):
        """The goods counted (before any count: the goods reserved to ship) at
        their product weight, plus the boxes."""
        self.ensure_one()
        lines = self._get_pack_lines().filtered(lambda line: line.state != "cancel")
        counting = self._is_pack_counting()
        weight = sum(
            (line.pack_qty_counted if counting else line.quantity_product_uom)
            * line.product_id.weight
            for line in lines
        )
        packages = lines.result_package_id
        weight += sum(package.package_type_id.base_weight for package in packages)
        if self.pack_package_type_id and (
            not packages or self._get_pack_unpacked_lines(counted_only=counting)
        ):
            weight += self.pack_package_type_id.base_weight
        return weight

    def _get_pack_weight_uom(self):
        """The unit weights are kept in (kilogram, or pound by setting)."""
        return self._get_pack_weight_uoms()[0]

    def _get_pack_weight_uoms(self):
        """The weight unit and the gram, read together."""
        return self.env["uom.uom"].browse(self._get_pack_weight_uom_ids())

    @tools.ormcache()
    def _get_pack_weight_uom_ids(self):
        # Cleared with the registry cache, as a change of the weight-unit
        # setting clears it too.
        weight_uom = self.env[
            "product.template"
        ]._get_weight_uom_id_from_ir_config_parameter()
        return weight_uom.id, self.env.ref("uom.product_uom_gram").id

    def _get_pack_slip_report(self):
        """The report the pack station prints for a packed delivery: our
        packing slip, with packages, weights, carrier and tracking reference."""
        return self.env.ref("sale_fulfillment.action_report_packing_slip")

    def _pack_lock(self):
        """Serialise pack-station steps on this delivery: a second packer's
        scan waits for the first one's to finish."""
        return lock_for_update(
            self,
            self.env._(
                "Somebody else is working on this delivery right now. Scan again."
            ),
            strength="NO KEY UPDATE",
            nowait=False,
        )

    def _pack_begin(self):
        """Start a pack-station step on this delivery: lock it, then return the
        refusal reply when it cannot be packed (else ``None``)."""
        self.ensure_one()
        self._pack_lock()
        return self._pack_check_open()

    def _pack_check_open(self):
        """A refusal reply when this delivery cannot be packed, else ``None``."""
        if self.picking_type_code != "outgoing":
            return self._pack_error(
                "closed",
                self.env._("%(picking)s is not a delivery.", picking=self.name),
            )
        if self.state in ("done", "cancel"):
            return self._pack_error(
                "closed",
                self.env._(
                    "%(picking)s is already %(state)s: nothing can be scanned any "
                    "more.",
                    picking=self.name,
                    state=self._get_state_label(),
                ),
            )
        if self.state == "draft":
            return self._pack_error(
                "closed",
                self.env._(
                    "%(picking)s is a draft: mark it as To Do first.",
                    picking=self.name,
                ),
            )
        return None

    def _check_pack_write(self):
        """Refuse a direct write of what only the pack station records."""
        if not is_trusted(self, PACK_WRITE):
            raise UserError(
                self.env._(
                    "A delivery's verification, weight and override are recorded "
                    "by the pack station only."
                )
            )

    def _pack_write(self, vals):
        """Write pack-station fields (which nothing else may write)."""
        return trusted(self, PACK_WRITE).write(vals)

    def _pack_log(self, event, result="ok", message=None, **values):
        """Append a line to this delivery's pack-station log; ``message`` is a
        ``message()`` of ``PACK_MESSAGES`` (read in each reader's language) or
        plain text (a name, a reason somebody typed)."""
        Scan = self.env["stock.pack.scan"].sudo()
        if message:
            values.update(Scan._prepare_message_vals(message))
        return Scan.create(
            {
                "picking_id": self.id,
                "company_id": self.company_id.id,
                "user_id": self.env.uid,
                "event": event,
                "result": result,
                **values,
            }
        )

    def _pack_reply(self, status, code, message, **extra):
        """A pack-station reply: the outcome and the delivery as the screen
        shows it."""
        self.ensure_one()
        return {
            "status": status,
            "code": code,
            "message": message,
            "picking": self._get_pack_station_data(),
            **extra,
        }

    def _pack_reply_after_change(self, code, message):
        status = "done" if self.verify_state == "verified" else "ok"
        return self._pack_reply(status, code, message)

    def _pack_error(self, code, message):
        return self._pack_reply("error", code, message)

    @api.model
    def _pack_reply_without_picking(self, code, message):
        return {"status": "error", "code": code, "message": message, "picking": False}

    def _get_pack_station_data(self):
        """What the pack station shows of this delivery, read in a few
        queries whatever its number of lines."""
        self.ensure_one()
        moves = self.move_ids.filtered(lambda move: move.state != "cancel")
        lines = []
        for move in moves:
            counted = move.pack_qty_counted
            demand = move.product_uom_qty
            rounding = move.product_uom.rounding
            compared = float_compare(counted, demand, precision_rounding=rounding)
            lines.append(
                {
                    "id": move.id,
                    "product_id": move.product_id.id,
                    "product": move.product_id.display_name,
                    "barcode": move.product_id.barcode or "",
                    "uom": move.product_uom.name,
                    "demand": demand,
                    "reserved": move.quantity,
                    "counted": counted,
                    "missing": max(demand - counted, 0.0),
                    "lots": move.move_line_ids.lot_id.mapped("name"),
                    "line_state": (
                        "done" if compared >= 0 else "partial" if counted else "todo"
                    ),
                }
            )
        labels = dict(self._fields["verify_state"]._description_selection(self.env))
        packages = self._get_pack_lines().result_package_id
        log = self.env["stock.pack.scan"].search_fetch(
            [("picking_id", "=", self.id)],
            [
                "scanned_on",
                "user_id",
                "event",
                "result",
                "message_code",
                "message_params",
                "message_text",
                "barcode",
                "product_id",
                "quantity",
            ],
            limit=6,
        )
        event_labels = dict(
            self.env["stock.pack.scan"]
            ._fields["event"]
            ._description_selection(self.env)
        )
        return {
            "id": self.id,
            "name": self.name,
            "state": self.state,
            "state_label": self._get_state_label(),
            "is_open": self.state not in ("draft", "done", "cancel"),
            "partner": self.partner_id.display_name or "",
            "origin": self.origin or "",
            "carrier": self.carrier_id.name or "",
            "verify_state": self.verify_state,
            "verify_state_label": labels[self.verify_state],
            "verify_required": self.pack_verify_required,
            "weigh_required": self.pack_weigh_required,
            "backorder_policy": self.picking_type_id.create_backorder,
            "expected_weight": self.expected_weight,
            "measured_weight": self.measured_weight,
            "weight_tolerance": self.weight_tolerance,
            "weight_deviation": self.weight_deviation,
            "weight_ok": self.is_weight_within_tolerance
            if self.measured_weight
            else None,
            "package_type_id": self.pack_package_type_id.id,
            "package_type": self.pack_package_type_id.name or "",
            "packages": [
                {
                    "id": package.id,
                    "name": package.name,
                    "type": package.package_type_id.name or "",
                }
                for package in packages
            ],
            "lines": lines,
            "total_demand": sum(line["demand"] for line in lines),
            "total_counted": sum(line["counted"] for line in lines),
            "problems": self._get_pack_problems()
            if self.state not in ("done", "cancel")
            else [],
            "log": [
                {
                    "id": entry.id,
                    "user": entry.user_id.name,
                    "date": fields.Datetime.to_string(entry.scanned_on),
                    "event": event_labels[entry.event],
                    "result": entry.result,
                    "text": _pack_log_text(entry),
                }
                for entry in log
            ],
        }

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


def _pack_log_text(entry):
    """One pack-station log line as the screen shows it."""
    if not entry.product_id:
        return entry.message or entry.barcode or ""
    text = f"{entry.product_id.display_name} × {_format_number(entry.quantity)}"
    return f"{text} ({entry.message})" if entry.message else text


def _format_number(value):
    """A quantity or weight as people write it: 3, 2.5, 0.125."""
    return f"{value:.3f}".rstrip("0").rstrip(".") or "0"
