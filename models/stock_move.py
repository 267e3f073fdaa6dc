from collections import defaultdict

from odoo import api, fields, models
from odoo.tools import float_compare, float_is_zero, float_round, groupby

from .record_order import id_key
from .trusted_context import KEEP_QUANT_RESERVATION, SPLIT_SHIPMENT, trusted


class StockMove(models.Model):
    _inherit = "stock.move"

    sale_rma_line_id = fields.Many2one(
        comodel_name="sale.rma.line",
        string="After-Sales Line",
        index="btree_not_null",
        readonly=True,
        help="The after-sales request line this return or replacement serves.",
    )
    pack_qty_counted = fields.Float(
        string="Counted",
        compute="_compute_pack_qty_counted",
        digits="Product Unit of Measure",
        help="Quantity verified by scanning at the pack station.",
    )

    @api.depends("move_line_ids.pack_qty_counted", "product_uom")
    def _compute_pack_qty_counted(self):
        for move in self:
            move.pack_qty_counted = move._get_pack_counted_qty()

    def write(self, vals):
        # A move serves an after-sales request from its creation by the
        # request (a return or replacement), never by a later write.
        if "sale_rma_line_id" in vals:
            self.env["sale.rma"]._check_rma_write()
        return super().write(vals)

    def _get_pack_counted_qty(self):
        """What the pack station counted of this move, in its unit."""
        self.ensure_one()
        return self.product_id.uom_id._compute_quantity(
            sum(self.move_line_ids.mapped("pack_qty_counted")),
            self.product_uom,
            round=False,
        )

    def _get_pack_limit(self):
        """How much of this move may be counted, in the product's unit: its
        demand (what is reserved, for a line added without one)."""
        self.ensure_one()
        return self.product_qty or sum(
            self.move_line_ids.mapped("quantity_product_uom")
        )

    def _get_pack_target(self):
        """What must be counted for this move to be verified, in the
        product's unit: what is reserved of it, up to its demand. The rest
        is not missing from the parcel: it waits for a backorder."""
        self.ensure_one()
        return min(
            sum(self.move_line_ids.mapped("quantity_product_uom")),
            self._get_pack_limit(),
        )

    def _is_fulfillment_short(self):
        """Whether this move waits for stock it cannot (fully) reserve, rather
        than for another operation or a production (make-to-order)."""
        self.ensure_one()
        return (
            self.state in ("confirmed", "partially_available")
            and self.procure_method == "make_to_stock"
        )

    def _action_assign(self, force_qty=False):
        res = super()._action_assign(force_qty=force_qty)
        self.picking_id._auto_split_by_availability()
        return res

    def _key_assign_picking(self):
        # Lines with their own delivery date ship on their own.
        return super()._key_assign_picking() + (self.sale_line_id.commitment_date,)

    def _search_picking_for_assignation_domain(self):
        # A merged delivery carries moves of several procurement groups: a new
        # move (more, or less, of a merged order's line) goes to it too.
        domain = super()._search_picking_for_assignation_domain()
        if not self.group_id:
            return domain
        group_leaf = ("group_id", "=", self.group_id.id)
        return [
            term
            for leaf in domain
            for term in (
                ["|", leaf, ("move_ids.group_id", "=", self.group_id.id)]
                if leaf == group_leaf
                else [leaf]
            )
        ]

    def _search_picking_for_assignation(self):
        order = self.sale_line_id.order_id
        if not order.order_line.filtered("commitment_date"):
            return super()._search_picking_for_assignation()
        date = self.sale_line_id.commitment_date or False
        pickings = self.env["stock.picking"].search(
            self._search_picking_for_assignation_domain()
        )
        for picking in pickings:
            dates = {
                move.sale_line_id.commitment_date or False
                for move in picking.move_ids
                if move.sale_line_id
            }
            if dates <= {date}:
                return picking
        return pickings.browse()

    # ------------------------------------------------------------------
    # Split
    # ------------------------------------------------------------------

    def _split_to_shipment(self, picking, quantities):
        """Move ``quantities`` (``{move id: quantity in the move's unit}``) of
        these moves into ``picking``; return the moves now in it.

        A move given its whole demand changes shipment as it is; the others are
        split, and the new parts take the reservation the old ones no longer
        need.
        """
        whole = self.filtered(
            lambda move: (
                float_compare(
                    quantities[move.id],
                    move.product_uom_qty,
                    precision_rounding=move.product_uom.rounding,
                )
                == 0
            )
        )
        levels = self.move_line_ids.package_level_id
        new_moves = (self - whole)._split_off(picking, quantities)
        whole._move_to_picking(picking)
        self._settle_package_levels(levels)
        return whole | new_moves

    def _settle_package_levels(self, levels):
        """After a split, a package whose content stays together in one
        shipment follows it; a package now divided between shipments, or only
        partly moved, is no longer moved whole (unlinking its level frees its
        lines' result package)."""
        for level in levels:
            pickings = level.move_line_ids.picking_id
            if len(pickings) == 1 and (
                not level.package_id
                or level._check_move_lines_map_quant_package(level.package_id)
            ):
                if level.picking_id != pickings:
                    level.picking_id = pickings
            else:
                level.unlink()

    def _move_to_picking(self, picking):
        """Put these moves and their move lines in ``picking``."""
        for group, moves in self.grouped("group_id").items():
            # A move keeps its own procurement group: it ties it to its order.
            moves.write({"picking_id": picking.id, "group_id": group.id})
        self.move_line_ids.write({"picking_id": picking.id})

    def _split_off(self, picking, quantities):
        """Create in ``picking`` a part of each move with the quantity given in
        ``quantities``, lower the moves' demand, hand over the reservation they
        no longer need; return the new moves (in the order of ``self``)."""
        if not self:
            return self
        new_moves = self.create(
            [
                move.copy_data(
                    move._prepare_shipment_split_vals(quantities[move.id], picking)
                )[0]
                for move in self
            ]
        )
        for demand, moves in groupby(
            self, key=lambda move: move.product_uom_qty - quantities[move.id]
        ):
            trusted(
                self.browse().concat(*moves).with_context(do_not_unreserve=True),
                SPLIT_SHIPMENT,
            ).write({"product_uom_qty": demand})
        self._hand_over_reservation(new_moves)
        (self | new_moves)._recompute_state()
        return new_moves

    def _prepare_shipment_split_vals(self, quantity, picking):
        """``copy`` defaults of the part of this move split into ``picking``.

        The part was procured with its move already: it is created confirmed
        (its state is then recomputed), not confirmed again, which would procure
        it a second time.
        """
        self.ensure_one()
        vals = self._prepare_move_split_vals(quantity)
        vals.update(picking_id=picking.id, state="confirmed", picked=False)
        return vals

    def _hand_over_reservation(self, new_moves):
        """Move the reservation of ``self`` beyond their demand to the matching
        move of ``new_moves`` (same position), up to its demand, latest move
        lines first; a move line is split when only part of it goes."""
        MoveLine = self.env["stock.move.line"]
        reassign = defaultdict(lambda: MoveLine)
        shrink = {}
        create_vals = []
        for move, new_move in zip(self, new_moves, strict=True):
            # Counted in the product's unit: a move's own quantity is rounded in
            # its unit (a dozen to 0.01) and would lose units on the way.
            product_uom = move.product_id.uom_id
            rounding = product_uom.rounding
            lines = move.move_line_ids.sorted(id_key, reverse=True)
            excess = min(
                sum(lines.mapped("quantity_product_uom")) - move.product_qty,
                new_move.product_qty,
            )
            for line in lines:
                if float_compare(excess, 0.0, precision_rounding=rounding) <= 0:
                    break
                if (
                    float_compare(
                        line.quantity_product_uom, excess, precision_rounding=rounding
                    )
                    <= 0
                ):
                    reassign[new_move] |= line
                    excess -= line.quantity_product_uom
                    continue
                line_rounding = line.product_uom_id.rounding
                part = float_round(
                    product_uom._compute_quantity(
                        excess, line.product_uom_id, round=False
                    ),
                    precision_rounding=line_rounding,
                )
                excess = 0.0
                if float_is_zero(part, precision_rounding=line_rounding):
                    break
                shrink[line] = float_round(
                    line.quantity - part, precision_rounding=line_rounding
                )
                create_vals.append(
                    (
                        line._prepare_split_line_vals(new_move, part),
                        line._has_product_unit(),
                    )
                )
        for new_move, lines in reassign.items():
            lines.write({"move_id": new_move.id, "picking_id": new_move.picking_id.id})
        # Lines counted in the product's unit hand over exactly what the quant
        # holds for them; in another unit, rounding may differ: Odoo re-syncs.
        exact = trusted(MoveLine, KEEP_QUANT_RESERVATION)
        for (quantity, keep), lines in groupby(
            shrink, key=lambda line: (shrink[line], line._has_product_unit())
        ):
            (exact if keep else MoveLine).concat(*lines).write({"quantity": quantity})
        exact.create([vals for vals, keep in create_vals if keep])
        MoveLine.create([vals for vals, keep in create_vals if not keep])
