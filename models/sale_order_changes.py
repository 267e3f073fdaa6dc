"""Changes before shipment (拦截 / 改地址): a new delivery address or a
cancellation, asked for by a salesperson, by the customer on the portal or by
a sales channel. Either the change applies to the order and all its open
deliveries, or it is refused with the reason; once a delivery has started, a
cancellation opens an after-sales request instead."""

from odoo import Command, models
from odoo.exceptions import UserError
from odoo.tools import float_compare, format_list

from ..const import DELIVERY_ADDRESS_FIELDS, ORDER_CHANGE_SOURCES
from ..const import OPEN_STATES as RMA_OPEN_STATES
from .record_order import id_key

# Many-2-one fields of an address given as a dict: their values are ids.
ADDRESS_RELATIONAL_FIELDS = ("state_id", "country_id")


class SaleOrder(models.Model):
    _inherit = "sale.order"

    def action_open_address_change_wizard(self):
        """Open the wizard that changes the delivery address of this order."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Change Delivery Address"),
            "res_model": "sale.order.address.change",
            "view_mode": "form",
            "target": "new",
            "context": {"default_order_id": self.id},
        }

    # Delivery address (改地址)

    def _change_delivery_address(self, address, source="user"):
        """Deliver this order to ``address``: a ``res.partner`` or a dict of
        partner values (keys of ``DELIVERY_ADDRESS_FIELDS``; ``state_id`` and
        ``country_id`` as ids).

        A dict never changes an existing contact: it reuses the order's
        current address or a delivery address of the customer with the same
        values, else it creates a new delivery address under the customer.
        The order and every open transfer carrying its goods get the address
        (Odoo's own update of the transfers; a delivery shared with other
        orders gives this order's goods a delivery of their own first). A
        held order is reviewed again; with order allocation on, the order is
        allocated again when the destination changed. The chatter says what
        changed, who asked and through what (``source``: ``user``,
        ``portal`` or ``channel``).

        Quotations and confirmed orders whose deliveries have not started
        (``_get_delivery_started_pickings()``) only; otherwise a ``UserError``
        says why and nothing changes. Returns True.
        """
        self.ensure_one()
        self._check_order_change_source(source)
        with self.env.cr.savepoint():
            # The address the order already has is no change, whatever the
            # order's state: a connector may send it again.
            partner = self._get_delivery_address_partner(address, create=False)
            if partner == self.partner_shipping_id:
                return True
            self._check_delivery_address_change()
            partner = partner or self._get_delivery_address_partner(address)
            old = self.partner_shipping_id
            held = self.review_state == "to_review"
            self._apply_delivery_address(partner)
            notes = []
            if held:
                # The change voided the review: the order goes back to review
                # (or through, if nothing holds it any more) as if confirmed again.
                self.action_confirm()
            elif self._needs_reallocation_after_address_change(old, partner):
                notes.append(self._reallocate_after_address_change())
            self._post_delivery_address_note(old, partner, source, notes)
        return True

    def _check_delivery_address_change(self):
        """Refuse a new delivery address for this order: cancelled, rejected
        in review, or a delivery already started."""
        self.ensure_one()
        if self.state == "cancel":
            raise UserError(
                self.env._(
                    "Cannot change the delivery address of %(order)s: it is cancelled.",
                    order=self.name,
                )
            )
        if self.state != "sale" and self.review_state == "rejected":
            raise UserError(
                self.env._(
                    "Cannot change the delivery address of %(order)s: it was "
                    "rejected in review. Its salesperson decides what happens "
                    "to it.",
                    order=self.name,
                )
            )
        started = self._get_delivery_started_pickings()
        if started:
            picking = min(started, key=id_key)
            raise UserError(
                self.env._(
                    "Cannot change the delivery address of %(order)s: %(reason)s.",
                    order=self.name,
                    reason=started[picking],
                )
            )

    def _get_delivery_address_partner(self, address, create=True):
        """The contact to deliver this order to for ``address`` (a partner or
        a dict of values, see ``_change_delivery_address``): the partner
        itself; for a dict, the current delivery address or a delivery
        address of the customer with the same values, else a new delivery
        address under the customer (an empty recordset without
        ``create``)."""
        self.ensure_one()
        if isinstance(address, models.BaseModel):
            if address._name != "res.partner" or len(address) != 1:
                raise UserError(
                    self.env._("Give the new delivery address as one contact.")
                )
            return address
        vals = self._prepare_delivery_address_vals(address)
        customer = self.partner_id.commercial_partner_id
        candidates = (
            self.partner_shipping_id
            | self.partner_id
            | customer
            | customer.child_ids.filtered(lambda child: child.type == "delivery")
        )
        for candidate in candidates:
            if self._is_same_delivery_address(candidate, vals):
                return candidate
        if not create:
            return self.env["res.partner"]
        # Whoever may change the order's address may give the customer a new
        # delivery address: a salesperson without Contact Creation, a portal
        # customer or a connector alike.
        Partner = self.env["res.partner"].sudo().with_context(tracking_disable=True)
        return Partner.create(
            {
                **vals,
                "type": "delivery",
                "parent_id": customer.id,
                "company_id": customer.company_id.id,
            }
        ).sudo(self.env.su)

    def _prepare_delivery_address_vals(self, address):
        """The partner values of an address given as a dict, cleaned (text
        trimmed, empty values as False) and checked: known keys only and a
        street. Hook: an integrator may require more (a phone, a province)."""
        self.ensure_one()
        unknown = sorted(set(address) - set(DELIVERY_ADDRESS_FIELDS))
        if unknown:
            raise UserError(
                self.env._(
                    "Unknown delivery address fields: %(fields)s.",
                    fields=format_list(self.env, unknown),
                )
            )
        vals = {}
        for name in DELIVERY_ADDRESS_FIELDS:
            value = address.get(name)
            if name in ADDRESS_RELATIONAL_FIELDS:
                value = value.id if isinstance(value, models.BaseModel) else value
                vals[name] = int(value) if value else False
            else:
                vals[name] = (value or "").strip() or False
        if not vals["street"]:
            raise UserError(
                self.env._(
                    "The new delivery address of %(order)s needs a street.",
                    order=self.name,
                )
            )
        if not vals["name"]:
            # The recipient is the customer unless the address names somebody.
            vals["name"] = self.partner_shipping_id.name or self.partner_id.name
        state = self.env["res.country.state"].browse(vals["state_id"] or [])
        if state and not state.exists():
            raise UserError(self.env._("The province of the address does not exist."))
        country = self.env["res.country"].browse(vals["country_id"] or [])
        if country and not country.exists():
            raise UserError(self.env._("The country of the address does not exist."))
        if state and country and state.country_id != country:
            raise UserError(
                self.env._(
                    "%(state)s is not in %(country)s.",
                    state=state.name,
                    country=country.name,
                )
            )
        if state and not country:
            vals["country_id"] = state.country_id.id
        return vals

    def _is_same_delivery_address(self, partner, vals):
        """Whether ``partner`` already is the address ``vals`` describes."""
        for name, value in vals.items():
            current = partner[name]
            if name in ADDRESS_RELATIONAL_FIELDS:
                current = current.id
            if (current or False) != value:
                return False
        return True

    def _apply_delivery_address(self, partner):
        """Write ``partner`` as this order's delivery address and on every open
        transfer carrying its goods."""
        self.ensure_one()
        shipments = self._get_shipments().filtered(
            lambda picking: (
                picking.state not in ("done", "cancel")
                and picking.picking_type_code != "incoming"
            )
        )
        # A delivery shared with other orders keeps their goods and address:
        # this order's goods move to a delivery of their own first.
        own = self._get_rma_own_shipments(shipments)
        others = (
            self.picking_ids.filtered(
                lambda picking: picking.state not in ("done", "cancel")
            )
            - own
        )
        kept = {picking: picking.partner_id for picking in others}
        # Odoo's sale_stock moves the order's transfers to the new address with
        # this key (without it, it only asks the warehouse to do it by hand).
        self.with_context(update_delivery_shipping_partner=True).write(
            {"partner_shipping_id": partner.id}
        )
        # ...but every one of them, also what is left of a shared delivery,
        # which carries the goods of other orders only now.
        for picking, kept_partner in kept.items():
            if picking.partner_id != kept_partner:
                picking.partner_id = kept_partner
        # The order's goods may travel in transfers of another order's group
        # (merged deliveries): Odoo's update does not reach those.
        (own - self.picking_ids).filtered(
            lambda picking: picking.partner_id != partner
        ).write({"partner_id": partner.id})

    def _get_reallocation_address_fields(self):
        """The address fields allocation rules decide by: a new delivery
        address that differs in one of them allocates the order again. Hook:
        add the fields your rules' conditions read."""
        return ("country_id", "state_id", "city", "zip")

    def _needs_reallocation_after_address_change(self, old, new):
        """Whether this order is allocated again now that it goes to ``new``
        instead of ``old``: its company has order allocation on, it is a
        quotation or a confirmed order, and the destination changed."""
        self.ensure_one()
        return (
            self.company_id.sale_allocation_enabled
            and self.state in ("draft", "sent", "sale")
            and any(
                old[name] != new[name]
                for name in self._get_reallocation_address_fields()
            )
        )

    def _reallocate_after_address_change(self):
        """Allocate this order again (``action_allocate()``); returns the note
        for the chatter. When the allocation refuses (goods already being made,
        a delivery in a batch), the order keeps its warehouse and the note
        says why."""
        self.ensure_one()
        warehouse = self.warehouse_id
        try:
            with self.env.cr.savepoint():
                # What the change allows, the allocation does, whoever asked
                # (salespeople may not read batches, customers nothing).
                self.sudo().action_allocate()
        except UserError as error:
            return self.env._(
                "The order keeps its warehouse: %(reason)s", reason=error.args[0]
            )
        if self.warehouse_id != warehouse:
            return self.env._(
                "Allocated again: now ships from %(warehouse)s.",
                warehouse=self.warehouse_id.name,
            )
        return self.env._(
            "Allocated again: still ships from %(warehouse)s.",
            warehouse=self.warehouse_id.name,
        )

    def _post_delivery_address_note(self, old, new, source, notes):
        """Tell in the chatter the address change, who asked and through
        what, with the ``notes`` of what followed."""
        self.ensure_one()
        order = self._with_order_change_note_lang(source)
        body = order.env._(
            "Delivery address changed by %(user)s (%(through)s): from %(old)s to "
            "%(new)s.",
            user=self.env.user.name,
            through=order._get_order_change_source_label(source),
            old=order._get_delivery_address_label(old),
            new=order._get_delivery_address_label(new),
        )
        order.message_post(
            body=" ".join([body, *notes]),
            subtype_xmlid="mail.mt_note",
        )

    def _get_delivery_address_label(self, partner):
        """``partner`` as one line: name and address."""
        parts = [partner.name or ""]
        parts += partner._display_address(without_company=True).splitlines()
        return ", ".join(part.strip() for part in parts if part.strip())

    # Started deliveries

    def _get_delivery_started_pickings(self):
        """``{transfer: reason}``: the transfers carrying goods of these orders
        to their customers that have started, each with the reason, a clause
        in the reader's language ("WH/OUT/00012 has already shipped").

        A transfer has started once it is done, once something of it is
        picked, scanned or packed (pack station), or once it is in a wave in
        progress or in a batch in progress of which something is picked.
        A batch nobody has touched yet does not count: Odoo puts the ready
        deliveries of new warehouses in batches by itself (automatic
        batches, confirmed at once). Cancelled transfers and returns do not
        count. The extension point for another definition of "started": call
        ``super()`` and add or remove transfers."""
        # Salespeople and customers may not read batches: the check does.
        pickings = (
            self._get_shipments()
            .sudo()
            .filtered(
                lambda picking: (
                    picking.state != "cancel"
                    and picking.picking_type_code != "incoming"
                )
            )
        )
        pickings.move_ids.fetch(["picked"])
        pickings.move_line_ids.fetch(
            ["picked", "pack_qty_counted", "result_package_id"]
        )
        batches = pickings.batch_id.filtered(lambda batch: batch.state == "in_progress")
        picked_batches = (
            self.env["stock.move.line"]
            .sudo()
            .search([("batch_id", "in", batches.ids), ("picked", "=", True)])
            .batch_id
            if batches
            else batches
        )
        result = {}
        for picking in pickings:
            reason = self._get_delivery_started_reason(picking, picked_batches)
            if reason:
                result[picking.sudo(self.env.su)] = reason
        return result

    def _get_delivery_started_reason(self, picking, picked_batches):
        """Why ``picking`` has started (see
        ``_get_delivery_started_pickings``; ``picked_batches`` are the
        batches in progress of which something is picked), or an empty
        string."""
        name = picking.name
        if picking.state == "done":
            if picking.picking_type_code == "outgoing":
                return self.env._("%(picking)s has already shipped", picking=name)
            return self.env._("%(picking)s is already done", picking=name)
        lines = picking.move_line_ids
        if (
            picking.verify_state != "none"
            or picking.measured_weight
            or any(lines.mapped("pack_qty_counted"))
            or lines.result_package_id
        ):
            return self.env._("%(picking)s is being packed", picking=name)
        if any(picking.move_ids.mapped("picked")) or any(lines.mapped("picked")):
            return self.env._(
                "the goods of %(picking)s are already picked", picking=name
            )
        batch = picking.batch_id
        if batch.state == "in_progress" and (batch.is_wave or batch in picked_batches):
            return self.env._(
                "%(picking)s is in the batch %(batch)s, which is being picked",
                picking=name,
                batch=batch.name,
            )
        return ""

    # Cancellation (拦截)

    def _request_cancellation(self, reason, source="user"):
        """Cancel these orders at the request of their customer, a sales
        channel or a salesperson (``source``: ``user``, ``portal`` or
        ``channel``); ``reason`` is the text they gave.

        An order that has not started to ship, whose goods are not being made
        and that is neither invoiced nor paid is cancelled with its open
        deliveries (and its production not started yet). Otherwise an
        after-sales request is opened (a cancellation of what has not
        shipped, else a return and refund of what was delivered) for the
        team, and the message says why. Each order on its own: a refusal
        leaves that order as it was and the others go on.

        Returns ``{order: {"status", "message", "rma_id"}}``, ``status`` being
        ``cancelled``, ``aftersales`` (``rma_id`` the request), ``unchanged``
        (already cancelled, or everything left is already in an open request)
        or ``error`` (``message`` says why); ``message`` is in the reader's
        language.
        """
        self._check_order_change_source(source)
        blockers = self._get_cancellation_blockers()
        result = {}
        for order in self:
            try:
                with self.env.cr.savepoint():
                    result[order] = order._request_cancellation_one(
                        reason, source, blockers.get(order)
                    )
            except UserError as error:
                result[order] = {
                    "status": "error",
                    "message": error.args[0],
                    "rma_id": False,
                }
        return result

    def _get_cancellation_blockers(self):
        """``{order: reason}`` for the orders of ``self`` that cannot be
        cancelled at once and need an after-sales request instead: a delivery
        started (``_get_delivery_started_pickings``), goods being made, an
        invoice posted or a payment received (money to give back). Extension
        point."""
        started = self._get_delivery_started_pickings()
        # Salespeople and customers may not read manufacturing orders or
        # invoices: the check does.
        confirmed = self.sudo().filtered(lambda order: order.state == "sale")
        # Read for the whole batch at once, then order by order from the cache.
        productions = confirmed._get_cancellation_started_productions()
        invoiced_lines = confirmed.order_line.filtered(
            lambda line: any(
                move.move_type == "out_invoice" and move.state == "posted"
                for move in line.invoice_lines.move_id
            )
        )
        invoiced = invoiced_lines._get_rma_invoiced() if invoiced_lines else {}
        result = {}
        for order in confirmed:
            pickings = [
                picking for picking in order._get_shipments() if picking in started
            ]
            if pickings:
                result[order] = started[min(pickings, key=id_key)]
                continue
            made = order._get_fulfillment_productions() & productions
            if made:
                result[order] = self.env._(
                    "its goods are being made (%(productions)s)",
                    productions=format_list(self.env, made.mapped("name")),
                )
                continue
            lines = [
                line
                for line in order.order_line
                if line in invoiced
                and float_compare(
                    invoiced[line]["qty"],
                    0.0,
                    precision_rounding=line.product_uom.rounding,
                )
                > 0
            ]
            if lines:
                invoices = (
                    self.env["sale.order.line"]
                    .concat(*lines)
                    .invoice_lines.move_id.filtered(
                        lambda move: (
                            move.move_type == "out_invoice" and move.state == "posted"
                        )
                    )
                )
                result[order] = self.env._(
                    "it is invoiced (%(invoices)s)",
                    invoices=format_list(self.env, invoices.mapped("name")),
                )
                continue
            if any(tx.state in ("authorized", "done") for tx in order.transaction_ids):
                result[order] = self.env._("it is paid")
        return {order: result[order] for order in self if order in result}

    def _get_cancellation_started_productions(self):
        """The manufacturing orders of these orders that make (or made) their
        goods already: cancelling the order then needs after-sales."""
        return self._get_fulfillment_productions().filtered(
            lambda production: (
                production.state in ("progress", "to_close", "done")
                or any(
                    workorder.state in ("progress", "done")
                    for workorder in production.workorder_ids
                )
            )
        )

    def _request_cancellation_one(self, reason, source, blocker):
        """Cancel this order, or open the after-sales request that will, when
        ``blocker`` (a reason) stands in the way; see
        ``_request_cancellation``."""
        self.ensure_one()
        if self.state == "cancel":
            return {
                "status": "unchanged",
                "message": self.env._(
                    "%(order)s is already cancelled.", order=self.name
                ),
                "rma_id": False,
            }
        if not blocker:
            self._action_cancel_on_request(reason, source)
            return {
                "status": "cancelled",
                "message": self.env._("%(order)s is cancelled.", order=self.name),
                "rma_id": False,
            }
        rma_type, quantities = self._get_cancellation_rma_lines()
        if not quantities:
            open_rmas = self.sudo().rma_ids.filtered(
                lambda rma: rma.state in RMA_OPEN_STATES
            )
            return {
                "status": "unchanged",
                "message": self.env._(
                    "%(order)s cannot be cancelled at once (%(reason)s) and "
                    "everything left of it is already in the after-sales request "
                    "%(rmas)s.",
                    order=self.name,
                    reason=blocker,
                    rmas=format_list(self.env, open_rmas.mapped("name")),
                ),
                "rma_id": max(open_rmas.ids, default=False),
            }
        rma = self._open_cancellation_rma(rma_type, quantities, reason, source)
        message = (
            self.env._(
                "%(order)s cannot be cancelled at once: %(reason)s. After-sales "
                "request %(rma)s was opened to stop what has not shipped.",
                order=self.name,
                reason=blocker,
                rma=rma.name,
            )
            if rma_type == "cancel"
            else self.env._(
                "%(order)s cannot be cancelled any more: %(reason)s. After-sales "
                "request %(rma)s was opened to take the goods back and refund "
                "them.",
                order=self.name,
                reason=blocker,
                rma=rma.name,
            )
        )
        order = self._with_order_change_note_lang(source)
        order.message_post(
            body=order.env._(
                "Cancellation requested by %(user)s (%(through)s): %(reason)s. "
                "It cannot be done at once (%(blocker)s): after-sales request "
                "%(rma)s is open.",
                user=self.env.user.name,
                through=order._get_order_change_source_label(source),
                reason=reason or "-",
                blocker=blocker,
                rma=rma.name,
            ),
            subtype_xmlid="mail.mt_note",
        )
        return {"status": "aftersales", "message": message, "rma_id": rma.id}

    def _action_cancel_on_request(self, reason, source):
        """Cancel this order with its open deliveries, through Odoo's
        ``_action_cancel()`` (no wizard, no email), and its production not
        started yet; the chatter says who asked, through what and why."""
        self.ensure_one()
        order_sudo = self.sudo()
        productions = (
            order_sudo._get_fulfillment_productions()
            - order_sudo._get_cancellation_started_productions()
        ).filtered(lambda production: production.state != "cancel")
        self._action_cancel()
        if productions:
            productions.action_cancel()
        order = self._with_order_change_note_lang(source)
        order.message_post(
            body=order.env._(
                "Cancelled at the request of %(user)s (%(through)s): %(reason)s",
                user=self.env.user.name,
                through=order._get_order_change_source_label(source),
                reason=reason or "-",
            ),
            subtype_xmlid="mail.mt_note",
        )

    def _get_cancellation_rma_lines(self):
        """``(type, {sale line: quantity})`` of the after-sales request that
        cancels this order when it cannot be cancelled at once: while
        something is still to ship, a cancellation of every line's quantity
        not shipped; once everything has left, a return and refund of the
        goods delivered. Quantities already in open requests are left out."""
        self.ensure_one()
        lines = self.order_line.filtered(
            lambda line: not line.display_type and not line.is_downpayment
        )
        available = lines._get_rma_available_qty()
        if self._get_rma_open_shipments():
            rma_type, phase = "cancel", "pre"
        else:
            rma_type, phase = "return_refund", "post"
            lines = lines.filtered(lambda line: line.product_type == "consu")
        quantities = {
            line: available[line][phase]
            for line in lines
            if float_compare(
                available[line][phase],
                0.0,
                precision_rounding=line.product_uom.rounding,
            )
            > 0
        }
        return rma_type, quantities

    def _get_cancellation_rma_reason(self):
        """The after-sales reason of the requests a cancellation opens. Hook."""
        return (
            self.env.ref(
                "sale_fulfillment.sale_rma_reason_changed_mind",
                raise_if_not_found=False,
            )
            or self.env["sale.rma.reason"]
        )

    def _prepare_cancellation_rma_vals(self, rma_type, quantities, reason, source):
        """Values of the after-sales request a cancellation opens. Hook."""
        self.ensure_one()
        company = self.company_id
        handler = (
            self.env.user
            if source == "user" and not self.env.user.share
            else self._get_portal_rma_handler()
        )
        return {
            "order_id": self.id,
            "rma_type": rma_type,
            "reason_id": self._get_cancellation_rma_reason().id,
            "description": reason or False,
            "request_origin": "portal" if source == "portal" else "internal",
            "handler_id": handler.id,
            "refund_timing": company.rma_refund_timing,
            "exchange_policy": company.rma_exchange_policy,
            "line_ids": [
                Command.create({"sale_line_id": line.id, "quantity": quantity})
                for line, quantity in quantities.items()
            ],
        }

    def _open_cancellation_rma(self, rma_type, quantities, reason, source):
        """Create the draft after-sales request of a cancellation that cannot
        be done at once, post the customer's reason in it and tell its
        handler (a To-Do activity). Runs as superuser: the caller checked who
        asks."""
        self.ensure_one()
        rma = (
            self.env["sale.rma"]
            .sudo()
            .with_company(self.company_id)
            .create(
                self._prepare_cancellation_rma_vals(
                    rma_type, quantities, reason, source
                )
            )
        )
        if source == "portal":
            rma._portal_post_request(self.env.user.partner_id, reason, [])
            rma._portal_notify_team()
        else:
            if reason:
                rma.message_post(body=reason, subtype_xmlid="mail.mt_note")
            self._notify_cancellation_rma(rma, source)
        return rma

    def _notify_cancellation_rma(self, rma, source):
        """Give the handler of ``rma`` a To-Do activity about the cancellation
        asked through ``source`` (requests from the portal are announced by
        ``sale.rma._portal_notify_team()``)."""
        handler = rma.handler_id
        if not handler:
            return
        team_rma = rma.with_context(lang=handler.lang or self.env.lang)
        team_rma.activity_schedule(
            "mail.mail_activity_data_todo",
            summary=team_rma.env._(
                "Handle the cancellation of %(order)s", order=self.name
            ),
            note=team_rma.env._(
                "%(order)s was asked to be cancelled (%(through)s) after its "
                "delivery started: %(rma)s.",
                order=self.name,
                through=self.with_env(team_rma.env)._get_order_change_source_label(
                    source
                ),
                rma=rma.name,
            ),
            user_id=handler.id,
        )

    # Portal

    def _can_portal_change_order(self, user):
        """Whether ``user`` may change or cancel this order on the portal: its
        company lets customers do so (``sale_portal_order_changes_enabled``)
        and ``user`` is a logged-in user of the order's customer."""
        self.ensure_one()
        return bool(
            self.company_id.sale_portal_order_changes_enabled
            and self._can_portal_request_rma(user)
        )

    def _get_portal_order_changes(self, user):
        """What ``user`` may do with this order on its portal page:
        ``{"address": bool, "cancel": "cancel" | "request" | False}``.

        Confirmed orders and orders held for review only. The delivery address
        changes while no delivery has started. The order is cancelled at once
        while nothing stands in the way (``_get_cancellation_blockers()``);
        afterwards, until everything is delivered, the customer requests the
        cancellation (an after-sales request). Extension point."""
        self.ensure_one()
        result = {"address": False, "cancel": False}
        held = self.state in ("draft", "sent") and self.review_state == "to_review"
        if not (self.state == "sale" or held) or not self._can_portal_change_order(
            user
        ):
            return result
        result["address"] = self._has_portal_goods() and not (
            self._get_delivery_started_pickings()
        )
        if not self._get_cancellation_blockers().get(self):
            result["cancel"] = "cancel"
        elif not self.delivered_on and self._get_cancellation_rma_lines()[1]:
            result["cancel"] = "request"
        return result

    # Sources

    def _check_order_change_source(self, source):
        if source not in ORDER_CHANGE_SOURCES:
            raise UserError(
                self.env._(
                    "Unknown source of an order change: %(through)s.", through=source
                )
            )

    def _get_order_change_source_label(self, source):
        """What a change came through, as the chatter names it."""
        if source == "portal":
            return self.env._("customer portal")
        if source == "channel":
            medium = self[:1].medium_id
            if medium:
                return self.env._("sales channel %(channel)s", channel=medium.name)
            return self.env._("sales channel")
        return self.env._("back office")

    def _with_order_change_note_lang(self, source):
        """This order in the language its chatter notes are written in: the
        user's for a change made in the back office, else the salesperson's
        (else the company's) rather than the customer's or the connector's."""
        if source == "user":
            return self
        lang = self.user_id.lang or self.company_id.partner_id.lang
        return self.with_context(lang=lang) if lang else self
