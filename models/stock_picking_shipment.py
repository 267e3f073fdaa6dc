"""Shipments: split a delivery (by hand, or its ready part off, also
automatically on reservation) and merge compatible deliveries into one."""

import logging

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import float_compare, float_is_zero, float_round, format_list

from .locking import lock_for_update
from .record_order import id_key

_logger = logging.getLogger(__name__)

# Deliveries that may be merged: confirmed and not done (a draft is not planned).
MERGEABLE_STATES = ("waiting", "confirmed", "assigned")


class StockPicking(models.Model):
    _inherit = "stock.picking"

    split_move_count = fields.Integer(
        string="Open Lines",
        compute="_compute_split_move_count",
        help="Lines that can still be moved to another shipment.",
    )

    has_ready_part = fields.Boolean(
        compute="_compute_has_ready_part",
        help="Part of this open shipment is reserved and part is not.",
    )

    @api.depends("move_ids.state")
    def _compute_split_move_count(self):
        for picking in self:
            picking.split_move_count = len(picking._get_splittable_moves())

    @api.depends("state", "move_ids.quantity", "move_ids.product_uom_qty")
    def _compute_has_ready_part(self):
        for picking in self:
            picking.has_ready_part = (
                picking.state in ("confirmed", "waiting", "assigned")
                and picking._is_partly_reserved()
            )

    def action_open_split_wizard(self):
        """Open the "Split Shipment" wizard on this delivery."""
        self.ensure_one()
        self._check_splittable()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Split Shipment"),
            "res_model": "stock.picking.split.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_picking_id": self.id},
        }

    def action_split_by_availability(self):
        """Keep what is reserved in this shipment; move the rest to a new one.

        Returns the new shipment, or an empty recordset when there is nothing to
        split (everything is reserved, or nothing is).
        """
        self.ensure_one()
        self._lock_shipments()
        self._check_splittable()
        if not self._is_partly_reserved():
            return self.browse()
        return self._split_shipment(self._get_unreserved_quantities())

    def action_view_split_by_availability(self):
        """Button: split by availability and open the new shipment, or say why
        nothing was split."""
        self.ensure_one()
        new_picking = self.action_split_by_availability()
        if new_picking:
            return new_picking.get_formview_action()
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "warning",
                "title": self.env._("Nothing to split"),
                "message": self.env._(
                    "%(picking)s is either fully reserved or has nothing reserved: "
                    "there is no ready part to ship on its own.",
                    picking=self.name,
                ),
                "sticky": False,
            },
        }

    def action_merge_shipments(self):
        """Merge these deliveries into the oldest one and return it.

        They must be open deliveries of one company, operation type, delivery
        address, carrier and locations. Every move keeps its sales order line and
        procurement group, so each sales order still finds its goods; the emptied
        deliveries are cancelled with a message saying where their goods went.
        """
        pickings = self._lock_shipments()
        pickings._check_mergeable()
        pickings = pickings.sorted(id_key)
        target, others = pickings[:1], pickings[1:]
        moves = others.move_ids
        for group, group_moves in moves.grouped("group_id").items():
            # Moves keep their own procurement group: it ties them to their order.
            group_moves.write({"picking_id": target.id, "group_id": group.id})
        moves.move_line_ids.write({"picking_id": target.id})
        others.package_level_ids.write({"picking_id": target.id})
        # An empty transfer computes as draft; cancel it explicitly so that it
        # leaves every work queue and its batch.
        others.write({"state": "cancel", "batch_id": False})
        origins = dict.fromkeys(
            origin for origin in (target + others).mapped("origin") if origin
        )
        target.origin = ", ".join(origins) or False
        target.message_post(
            body=self.env._(
                "Merged %(pickings)s into this delivery.",
                pickings=format_list(
                    self.env, [picking._get_html_link() for picking in others]
                ),
            )
        )
        for picking in others:
            picking.message_post(
                body=self.env._(
                    "Merged into %(picking)s; this delivery is cancelled.",
                    picking=target._get_html_link(),
                )
            )
        return target

    def action_merge_shipments_open(self):
        """List action: merge the selected deliveries and open the result."""
        return self.action_merge_shipments().get_formview_action()

    # ------------------------------------------------------------------
    # Split
    # ------------------------------------------------------------------

    def _split_shipment(self, quantities, scheduled_date=None):
        """Move ``quantities`` of this shipment into a new shipment; return it.

        :param dict quantities: ``{stock.move id: quantity}``, each quantity in
            its move's unit of measure; moves not listed stay here.
        :param scheduled_date: the new shipment's scheduled date (by default the
            moves keep theirs).

        A move given its whole demand moves as it is. A move given part of it is
        split; the reservation beyond what stays goes with the new part, so the
        new shipment is reserved as far as the stock reserved for this one
        allows. The new shipment keeps the sales order, carrier, addresses and
        procurement group, and refers back to this one as its origin.
        """
        self.ensure_one()
        self._lock_shipments()
        split_quantities = self._check_split_quantities(quantities)
        new_picking = self.copy(self._prepare_split_shipment_vals())
        self.env["stock.move"].browse(split_quantities)._split_to_shipment(
            new_picking, split_quantities
        )
        if scheduled_date:
            new_picking.scheduled_date = scheduled_date
        self.message_post(
            body=self.env._(
                "Split: %(picking)s now carries part of this shipment.",
                picking=new_picking._get_html_link(),
            )
        )
        new_picking.message_post(
            body=self.env._("Split from %(picking)s.", picking=self._get_html_link())
        )
        return new_picking

    def _auto_split_by_availability(self):
        """Split the ready part off the deliveries whose operation type asks for
        it and whose shipping policy is "As soon as possible". A delivery that
        somebody else is changing right now is left for the next reservation."""
        pickings = self.filtered(
            lambda picking: (
                picking.picking_type_id.auto_split_availability
                and picking.company_id.stock_auto_split_enabled
                and picking.move_type == "direct"
                and picking.state in ("confirmed", "waiting", "assigned")
            )
        )
        for picking in pickings:
            try:
                with self.env.cr.savepoint():
                    picking.action_split_by_availability()
            except UserError as error:
                _logger.info("Automatic split of %s skipped: %s", picking.name, error)

    def _prepare_split_shipment_vals(self):
        """Values (``copy`` defaults) of the shipment a split creates."""
        self.ensure_one()
        return {
            "name": "/",
            "move_ids": [],
            "move_line_ids": [],
            "package_level_ids": [],
            "backorder_id": self.id,
            "user_id": False,
            "printed": False,
        }

    def _get_splittable_moves(self):
        """Moves of this shipment that may still go to another shipment."""
        return self.move_ids.filtered(
            lambda move: move.state not in ("draft", "done", "cancel")
        )

    def _get_unreserved_quantities(self):
        """``{move id: quantity}`` of what is not reserved on open moves."""
        quantities = {}
        for move in self._get_splittable_moves():
            missing = float_round(
                move.product_uom_qty - move.quantity,
                precision_rounding=move.product_uom.rounding,
            )
            if missing > 0:
                quantities[move.id] = missing
        return quantities

    def _is_partly_reserved(self):
        """Part of the open moves is reserved and part is not."""
        self.ensure_one()
        moves = self._get_splittable_moves()
        return bool(self._get_unreserved_quantities()) and any(
            not float_is_zero(
                move.quantity, precision_rounding=move.product_uom.rounding
            )
            for move in moves
        )

    def _check_splittable(self):
        """Refuse to split a shipment that is not open."""
        for picking in self:
            if picking.state in ("done", "cancel"):
                raise UserError(
                    self.env._(
                        "Cannot split %(picking)s: it is already %(state)s.",
                        picking=picking.name,
                        state=picking._get_state_label(),
                    )
                )
            if picking.state == "draft":
                raise UserError(
                    self.env._(
                        "Cannot split %(picking)s: it is a draft. Mark it as To Do "
                        "first.",
                        picking=picking.name,
                    )
                )

    def _check_split_quantities(self, quantities):
        """Validate a split request; return ``{move id: quantity}`` rounded to
        each move's unit of measure. Raises before anything is written."""
        self.ensure_one()
        self._check_splittable()
        if not quantities:
            raise UserError(
                self.env._(
                    "Nothing to split in %(picking)s: give a quantity to move for "
                    "at least one line.",
                    picking=self.name,
                )
            )
        moves = self.env["stock.move"].browse(int(key) for key in quantities).exists()
        unknown = {int(key) for key in quantities} - set(moves.ids)
        if unknown:
            raise UserError(
                self.env._(
                    "Cannot split %(picking)s: stock moves %(ids)s do not exist.",
                    picking=self.name,
                    ids=", ".join(str(move_id) for move_id in sorted(unknown)),
                )
            )
        foreign = moves.filtered(lambda move: move.picking_id != self)
        if foreign:
            raise UserError(
                self.env._(
                    "Cannot split %(picking)s: %(moves)s belong to another "
                    "shipment (%(others)s).",
                    picking=self.name,
                    moves=format_list(self.env, foreign.mapped("display_name")),
                    others=format_list(
                        self.env, foreign.picking_id.mapped("display_name")
                    ),
                )
            )
        result = {}
        for move in moves:
            quantity = quantities.get(move.id, quantities.get(str(move.id)))
            rounding = move.product_uom.rounding
            if move.state in ("done", "cancel"):
                raise UserError(
                    self.env._(
                        "Cannot split %(product)s off %(picking)s: that line is "
                        "already done or cancelled.",
                        product=move.product_id.display_name,
                        picking=self.name,
                    )
                )
            if (
                not isinstance(quantity, (int, float))
                or float_compare(quantity, 0.0, precision_rounding=rounding) <= 0
            ):
                raise UserError(
                    self.env._(
                        "Cannot split %(product)s off %(picking)s: the quantity to "
                        "move must be positive (got %(quantity)s).",
                        product=move.product_id.display_name,
                        picking=self.name,
                        quantity=quantity,
                    )
                )
            if (
                float_compare(
                    quantity, move.product_uom_qty, precision_rounding=rounding
                )
                > 0
            ):
                raise UserError(
                    self.env._(
                        "Cannot move %(quantity)s %(uom)s of %(product)s off "
                        "%(picking)s: only %(remaining)s %(uom)s remain to deliver.",
                        quantity=quantity,
                        uom=move.product_uom.name,
                        product=move.product_id.display_name,
                        picking=self.name,
                        remaining=move.product_uom_qty,
                    )
                )
            result[move.id] = float_round(quantity, precision_rounding=rounding)
        staying = self._get_splittable_moves().filtered(
            lambda move: (
                move.id not in result
                or not float_is_zero(
                    move.product_uom_qty - result[move.id],
                    precision_rounding=move.product_uom.rounding,
                )
            )
        )
        if not staying:
            raise UserError(
                self.env._(
                    "Splitting everything off %(picking)s would leave it empty: "
                    "keep at least part of one line in it.",
                    picking=self.name,
                )
            )
        return result

    # ------------------------------------------------------------------
    # Merge
    # ------------------------------------------------------------------

    def _check_mergeable(self):
        """Refuse a merge of these deliveries, naming the reason and the
        deliveries concerned. Raises before anything is written."""
        if len(self) < 2:
            raise UserError(self.env._("Select at least two deliveries to merge."))
        not_outgoing = self.filtered(lambda p: p.picking_type_code != "outgoing")
        if not_outgoing:
            raise UserError(
                self.env._(
                    "Only deliveries can be merged; %(pickings)s are not deliveries.",
                    pickings=format_list(self.env, not_outgoing.mapped("name")),
                )
            )
        closed = self.filtered(lambda p: p.state in ("done", "cancel"))
        if closed:
            raise UserError(
                self.env._(
                    "Cannot merge: %(pickings)s are already done or cancelled.",
                    pickings=format_list(self.env, closed.mapped("name")),
                )
            )
        orders = self.move_ids.sale_line_id.order_id
        if len(orders) > 1 and self.carrier_id.invoice_policy == "real":
            raise UserError(
                self.env._(
                    "Cannot merge %(pickings)s: %(carrier)s bills the real shipping "
                    "cost to the order of the delivery, and one parcel cannot be "
                    "billed to several orders.",
                    pickings=format_list(self.env, self.mapped("name")),
                    carrier=self.carrier_id.name,
                )
            )
        for field_name, message in self._get_merge_rules():
            if len({picking[field_name] for picking in self}) > 1:
                details = format_list(
                    self.env,
                    [
                        f"{picking.name} ({picking[field_name].display_name or '-'})"
                        for picking in self
                    ],
                )
                raise UserError(message % {"details": details})
        drafts = self.filtered(lambda p: p.state not in MERGEABLE_STATES)
        if drafts:
            raise UserError(
                self.env._(
                    "Cannot merge: %(pickings)s are drafts. Mark them as To Do first.",
                    pickings=format_list(self.env, drafts.mapped("name")),
                )
            )

    def _get_merge_rules(self):
        """``[(field name, refusal)]``: merged deliveries must share each field;
        the refusal's ``%(details)s`` lists the deliveries with their values."""
        return [
            (
                "company_id",
                self.env._(
                    "Cannot merge deliveries of different companies: %(details)s."
                ),
            ),
            (
                "picking_type_id",
                self.env._(
                    "Cannot merge deliveries of different operation types: %(details)s."
                ),
            ),
            (
                "partner_id",
                self.env._(
                    "Cannot merge deliveries to different customers or addresses: "
                    "%(details)s."
                ),
            ),
            (
                "carrier_id",
                self.env._(
                    "Cannot merge deliveries with different carriers: %(details)s."
                ),
            ),
            (
                "location_id",
                self.env._(
                    "Cannot merge deliveries leaving from different locations: "
                    "%(details)s."
                ),
            ),
            (
                "batch_id",
                self.env._(
                    "Cannot merge deliveries of different batches or waves: "
                    "%(details)s."
                ),
            ),
            (
                "location_dest_id",
                self.env._(
                    "Cannot merge deliveries going to different locations: %(details)s."
                ),
            ),
        ]

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------

    def _lock_shipments(self):
        """Lock these shipments for this transaction, or tell the user that
        somebody else is changing them right now."""
        return lock_for_update(
            self,
            self.env._(
                "Somebody else is changing %(pickings)s right now. Reload the page "
                "and try again.",
                pickings=format_list(self.env, self.mapped("name")),
            ),
        )
