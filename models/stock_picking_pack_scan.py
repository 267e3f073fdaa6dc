"""The pack station's scans: what a barcode can mean (an item of the
delivery, a GS1 element string, another delivery's item, a weight, a box, a
delivery's reference) and what a scan does (count, weigh, choose the box)."""

from odoo import models, tools
from odoo.exceptions import ValidationError
from odoo.tools import float_compare, float_round, format_list

from .record_order import id_key
from .sale_fulfillment_message_mixin import define_messages, number_param
from .sale_fulfillment_message_mixin import message as stored_message
from .stock_picking_pack import _format_number

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


class StockPicking(models.Model):
    _inherit = "stock.picking"

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
