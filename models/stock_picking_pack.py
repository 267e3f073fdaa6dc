"""The pack station: its screen's API, the fields it records, the checks a
delivery must pass before it ships, and the data its screen shows. What a
scanned barcode means is in stock_picking_pack_scan.py."""

import math
from collections import defaultdict

from odoo import api, fields, models, tools
from odoo.exceptions import UserError
from odoo.tools import float_compare, format_list

from .locking import lock_for_update
from .trusted_context import PACK_WRITE, is_trusted, trusted

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

VERIFY_STATES = [
    ("none", "Not Verified"),
    ("in_progress", "Verifying"),
    ("verified", "Verified"),
    ("mismatch", "Mismatch"),
]


class StockPicking(models.Model):
    _inherit = "stock.picking"

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
        copy=False,
        readonly=True,
        groups="base.group_user",
    )
    verified_on = fields.Datetime(copy=False, readonly=True)
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


def _pack_log_text(entry):
    """One pack-station log line as the screen shows it."""
    if not entry.product_id:
        return entry.message or entry.barcode or ""
    text = f"{entry.product_id.display_name} × {_format_number(entry.quantity)}"
    return f"{text} ({entry.message})" if entry.message else text


def _format_number(value):
    """A quantity or weight as people write it: 3, 2.5, 0.125."""
    return f"{value:.3f}".rstrip("0").rstrip(".") or "0"
