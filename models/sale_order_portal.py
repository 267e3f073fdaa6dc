"""Customer portal: the order's tracking timeline and after-sales requests."""

from datetime import timedelta

from odoo import SUPERUSER_ID, Command, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import float_compare

from ..const import OPEN_STATES as RMA_OPEN_STATES
from ..const import PORTAL_RMA_TYPES
from .record_order import id_key

# A portal request sent again within these minutes with the same content is
# the same request (double click, reload): it is not filed twice.
PORTAL_RMA_RESUBMIT_MINUTES = 10


class SaleOrder(models.Model):
    _inherit = "sale.order"

    # Portal: order tracking (订单查询)

    def _get_portal_timeline(self):
        """``{order: [step, ...]}``: the fulfillment timeline customers follow
        on the portal, for orders confirmed or held for review; other orders
        get an empty list.

        A step is a dict: ``code`` (``received``, ``review``, ``production``,
        ``shipped``, ``delivered``, ``aftersales``), ``label``, ``status``
        (``done`` | ``current`` | ``todo``), ``date`` (or ``False``),
        ``date_label`` (what the date is, when it is not the step's own),
        ``description``, and ``details``: dicts with a ``name`` and, as they
        apply, ``url``, ``date``, ``state``, ``carrier``, ``tracking`` (list of
        ``(reference, url)``) and ``parcels`` (package names).

        Only what the customer may know: never a review issue or reason, a
        cost or an internal note. The documents are read for the whole batch
        at once. Extension point: call ``super()``, then add or change steps.
        """
        orders = self.sudo()
        orders._prefetch_portal_timeline()
        result = {}
        for order in orders:
            result[order] = order._get_portal_timeline_steps()
        return result

    def _prefetch_portal_timeline(self):
        """Read the documents the timeline of these orders shows, in a few
        queries for the whole batch."""
        shipments = self._get_shipments()
        shipments.fetch(
            [
                "name",
                "state",
                "picking_type_id",
                "location_dest_id",
                "date_done",
                "delivered_on",
                "carrier_id",
                "carrier_tracking_ref",
            ]
        )
        shipments.picking_type_id.fetch(["code"])
        shipments.location_dest_id.fetch(["usage"])
        shipments.carrier_id.fetch(["name", "delivery_type", "tracking_url"])
        shipments.move_line_ids.fetch(["picking_id", "result_package_id", "quantity"])
        shipments.move_line_ids.result_package_id.fetch(["name"])
        self._get_fulfillment_productions().fetch(["state", "date_finished"])
        self.rma_ids.fetch(["name", "state", "rma_type", "create_date"])

    def _get_portal_timeline_steps(self):
        """The timeline of one order (see ``_get_portal_timeline``): its steps
        in order, the first one not reached yet marked as current when no
        step is under way."""
        self.ensure_one()
        if self.state == "cancel" or (
            self.state != "sale" and self.review_state not in ("to_review", "rejected")
        ):
            return []
        if self.state != "sale" and self.review_state == "rejected":
            # Nothing will be shipped as the order stands: no delivery steps.
            return [self._get_portal_step_received(), self._get_portal_step_review()]
        steps = [
            step
            for step in (
                self._get_portal_step_received(),
                self._get_portal_step_review(),
                self._get_portal_step_production(),
                self._get_portal_step_shipped(),
                self._get_portal_step_delivered(),
            )
            if step
        ]
        if not any(step["status"] == "current" for step in steps):
            for step in steps:
                if step["status"] == "todo":
                    step["status"] = "current"
                    break
        aftersales = self._get_portal_step_aftersales()
        if aftersales:
            steps.append(aftersales)
        return steps

    @api.model
    def _prepare_portal_step(self, code, label, status, **values):
        """A timeline step (see ``_get_portal_timeline``)."""
        return {
            "code": code,
            "label": label,
            "status": status,
            "date": False,
            "date_label": "",
            "description": "",
            "details": [],
            **values,
        }

    def _get_portal_step_received(self):
        """The order received: when it was confirmed (or, held, placed)."""
        self.ensure_one()
        held = self.state != "sale"
        return self._prepare_portal_step(
            "received",
            self.env._("Order Received"),
            "done",
            date=(held and self.review_held_on) or self.date_order,
        )

    def _get_portal_step_review(self):
        """Only for orders held for review: under review, then accepted. The
        issues, the reviewer and a rejection reason stay internal."""
        self.ensure_one()
        if not self.review_held_on and self.review_state not in (
            "to_review",
            "rejected",
        ):
            return None
        if self.state == "sale":
            return self._prepare_portal_step(
                "review",
                self.env._("Under Review"),
                "done",
                date=self.reviewed_on or False,
                description=self.env._("Your order was accepted."),
            )
        if self.review_state == "rejected":
            return self._prepare_portal_step(
                "review",
                self.env._("Not Accepted"),
                "current",
                date=self.reviewed_on or False,
                description=self.env._(
                    "We could not accept your order as it stands. Your contact "
                    "will get in touch with you."
                ),
            )
        return self._prepare_portal_step(
            "review",
            self.env._("Under Review"),
            "current",
            date=self.review_held_on or False,
            description=self.env._(
                "We are checking your order and confirm it as soon as possible."
            ),
        )

    def _get_portal_step_production(self):
        """Only when goods are made for the order (make-to-order)."""
        self.ensure_one()
        if self.state != "sale":
            return None
        productions = self._get_fulfillment_productions().filtered(
            lambda production: production.state != "cancel"
        )
        if not productions:
            return None
        if any(production.state != "done" for production in productions):
            return self._prepare_portal_step(
                "production",
                self.env._("In Production"),
                "current",
                description=self.env._("Your goods are being made for you."),
            )
        return self._prepare_portal_step(
            "production",
            self.env._("In Production"),
            "done",
            date=max(productions.mapped("date_finished"), default=False),
            description=self.env._("Your goods are made."),
        )

    def _get_portal_step_shipped(self):
        """Shipped in N parcels: each shipment with its date, carrier, tracking
        references and parcels (its packages, or itself when unpacked)."""
        self.ensure_one()
        if not self._has_portal_goods():
            return None
        deliveries = self._get_customer_deliveries()
        done = deliveries.filtered(lambda picking: picking.state == "done")
        details = []
        parcel_count = 0
        for picking in done.sorted(
            lambda picking: (picking.date_done, id_key(picking))
        ):
            parcels = picking._get_portal_parcels()
            parcel_count += len(parcels)
            details.append(
                {
                    "name": picking.name,
                    "date": picking.date_done,
                    "state": self.env._("Shipped"),
                    "carrier": picking.carrier_id.name or "",
                    "tracking": picking._get_portal_tracking(),
                    "parcels": parcels,
                }
            )
        for picking in deliveries - done:
            details.append(
                {"name": picking.name, "state": self.env._("Being prepared")}
            )
        if not done:
            status = "todo"
            description = (
                self.env._("We are preparing your shipment.")
                if self.state == "sale"
                else ""
            )
        elif deliveries - done:
            status = "current"
            description = (
                self.env._("1 parcel shipped, more to follow.")
                if parcel_count == 1
                else self.env._(
                    "%(count)s parcels shipped, more to follow.", count=parcel_count
                )
            )
        else:
            status = "done"
            description = (
                self.env._("Shipped in 1 parcel.")
                if parcel_count == 1
                else self.env._("Shipped in %(count)s parcels.", count=parcel_count)
            )
        return self._prepare_portal_step(
            "shipped",
            self.env._("Shipped"),
            status,
            date=max(done.mapped("date_done"), default=False),
            description=description,
            details=details,
        )

    def _get_portal_step_delivered(self):
        """Delivered when the customer received every delivery; until then the
        date is the one promised (see ``_get_portal_promised_date``)."""
        self.ensure_one()
        if not self._has_portal_goods():
            return None
        if self.delivered_on:
            status, date, date_label = "done", self.delivered_on, ""
        else:
            promise = self._get_portal_promised_date()
            status = "todo"
            date = promise and promise["date"]
            date_label = promise and promise["label"]
        received = self._get_customer_deliveries().filtered("delivered_on")
        if received and not self.delivered_on:
            status = "current"
        return self._prepare_portal_step(
            "delivered",
            self.env._("Delivered"),
            status,
            date=date or False,
            date_label=date_label or "",
            description=(
                self.env._("Part of your order was delivered.")
                if status == "current"
                else ""
            ),
            details=[
                {
                    "name": picking.name,
                    "date": picking.delivered_on,
                    "state": self.env._("Delivered"),
                }
                for picking in received.sorted("delivered_on")
            ],
        )

    def _get_portal_step_aftersales(self):
        """Only when the order has after-sales requests: each with its
        reference, type, state and portal link."""
        self.ensure_one()
        rmas = self.rma_ids.sorted(id_key)
        if not rmas:
            return None
        return self._prepare_portal_step(
            "aftersales",
            self.env._("After-Sales Requests"),
            "current" if any(rma.state in RMA_OPEN_STATES for rma in rmas) else "done",
            date=max(rmas.mapped("create_date")),
            details=[
                {
                    "name": f"{rma.name} · {rma._get_type_label()}",
                    "url": rma.access_url,
                    "date": rma.create_date,
                    "state": rma._get_state_label(),
                }
                for rma in rmas
            ],
        )

    def _get_portal_promised_date(self):
        """The delivery date customers are told, as ``{"date", "source",
        "label"}``, or ``None``: the commitment date, else the earliest
        delivery computed by When Can We Deliver?, else Odoo's expected date.
        ``source`` says which (``commitment`` | ``promised`` | ``expected``).
        Hook."""
        self.ensure_one()
        if self.commitment_date:
            return {
                "date": self.commitment_date,
                "source": "commitment",
                "label": self.env._("Promised delivery date"),
            }
        if self.promised_date:
            return {
                "date": self.promised_date,
                "source": "promised",
                "label": self.env._("Earliest delivery date"),
            }
        if self.expected_date:
            return {
                "date": self.expected_date,
                "source": "expected",
                "label": self.env._("Expected delivery date"),
            }
        return None

    def _has_portal_goods(self):
        """Whether the order has goods to ship (not only services)."""
        self.ensure_one()
        return any(
            not line.display_type and line.product_type == "consu"
            for line in self.order_line
        )

    # Portal: after-sales requests (售后申请)

    def _get_portal_rma_types(self):
        """The after-sales types the customer may request on the portal for
        this order, among refund only, return and refund, and exchange, as far
        as they fit what the order shipped. Extension point."""
        self.ensure_one()
        allowed = self._get_rma_allowed_types()
        return [rma_type for rma_type in PORTAL_RMA_TYPES if rma_type in allowed]

    def _get_portal_rma_lines(self):
        """``{sale line: quantity}``: the order's goods the customer may still
        request after-sales for on the portal, in the line's unit: delivered,
        less what was returned, refunded or is in another open request."""
        self.ensure_one()
        if self.state != "sale":
            return {}
        lines = self.order_line.filtered(
            lambda line: (
                not line.display_type
                and not line.is_downpayment
                and line.product_type == "consu"
            )
        )
        available = lines._get_rma_available_qty()
        return {
            line: available[line]["post"]
            for line in lines
            if float_compare(
                available[line]["post"],
                0.0,
                precision_rounding=line.product_uom.rounding,
            )
            > 0
        }

    def _get_portal_rma_reasons(self):
        """The reasons a customer may give on the portal: the active reasons
        of the order's company and of every company."""
        self.ensure_one()
        return (
            self.env["sale.rma.reason"]
            .sudo()
            .search([("company_id", "in", [False, self.company_id.id])])
        )

    def _get_portal_rma_handler(self):
        """Who handles the requests customers file on the portal for this
        order: the company's Portal Requests Handled by, else the order's
        salesperson, else the leader of its sales team, else an after-sales
        manager of the company (internal, active users only), so that a
        request is never filed with nobody told. Hook."""
        self.ensure_one()
        users = (
            self.company_id.rma_portal_user_id | self.user_id | self.team_id.user_id
        ).sudo()
        handler = users.filtered(
            lambda user: (
                user.active and not user.share and self.company_id in user.company_ids
            )
        )[:1]
        if handler:
            return handler
        managers = (
            self.env.ref("sale_fulfillment.group_aftersales_manager").sudo().users
        )
        return managers.filtered(
            lambda user: (
                user.active
                and not user.share
                and user.id != SUPERUSER_ID
                and self.company_id in user.company_ids
            )
        ).sorted(id_key)[:1]

    def _check_portal_rma_request(self, quantities, rma_type, reason):
        """Refuse a portal request the customer may not file: no line, a line
        of another order or more than can still be requested, a type the order
        does not offer, a reason of another company. ``quantities`` maps sale
        lines to quantities. ``sale.rma.create`` checks again under lock."""
        self.ensure_one()
        available = self._get_portal_rma_lines()
        if not available:
            raise UserError(
                self.env._(
                    "Nothing of %(order)s can be requested now: after-sales "
                    "requests are for delivered goods that are not returned or "
                    "requested yet.",
                    order=self.name,
                )
            )
        if not quantities:
            raise UserError(
                self.env._("Enter the quantity of at least one product to request.")
            )
        for line, quantity in quantities.items():
            if line not in available:
                raise UserError(
                    self.env._(
                        "%(order)s has no product you can request with this "
                        "reference: reload the page and try again.",
                        order=self.name,
                    )
                )
            rounding = line.product_uom.rounding
            if float_compare(quantity, 0.0, precision_rounding=rounding) <= 0:
                raise UserError(
                    self.env._(
                        "Enter a quantity above zero for %(product)s.",
                        product=line.product_id.display_name,
                    )
                )
            if (
                float_compare(quantity, available[line], precision_rounding=rounding)
                > 0
            ):
                left = f"{available[line]:g}"
                raise UserError(
                    self.env._(
                        "You can request at most %(quantity)s %(uom)s of %(product)s.",
                        quantity=left,
                        uom=line.product_uom.name,
                        product=line.product_id.display_name,
                    )
                )
        if rma_type not in self._get_portal_rma_types():
            raise UserError(
                self.env._("Choose one of the request types offered for this order.")
            )
        reasons = self._get_portal_rma_reasons()
        if reasons and reason not in reasons:
            raise UserError(self.env._("Choose one of the reasons offered."))

    def _prepare_portal_rma_vals(self, quantities, rma_type, reason, description):
        """Values of the draft request a customer files on the portal. Hook."""
        self.ensure_one()
        company = self.company_id
        return {
            "order_id": self.id,
            "rma_type": rma_type,
            "reason_id": reason.id,
            "description": description or False,
            "request_origin": "portal",
            # Not the default: that would be the customer (or OdooBot).
            "handler_id": self._get_portal_rma_handler().id,
            "refund_timing": company.rma_refund_timing,
            "exchange_policy": company.rma_exchange_policy,
            "line_ids": [
                Command.create({"sale_line_id": line.id, "quantity": quantity})
                for line, quantity in quantities.items()
            ],
        }

    def _create_portal_rma(
        self, quantities, rma_type, reason, description, photos, author
    ):
        """File the after-sales request a customer entered on the portal.

        ``quantities`` maps sale lines to quantities, ``photos`` is a list of
        ``(file name, content)``, ``author`` the customer's partner. Everything
        is checked first; then the request is created in draft, the
        description and photos are posted in its chatter as the customer's
        message, and its handler is told (activity). Runs as superuser: the
        caller checks that the customer owns the order. All or nothing.
        """
        self.ensure_one()
        order = self.sudo().with_company(self.company_id)
        Rma = self.env["sale.rma"].sudo().with_company(self.company_id)
        reason = reason.sudo()
        duplicate = order._get_portal_rma_duplicate(
            quantities, rma_type, reason, description
        )
        if duplicate:
            return duplicate
        with self.env.cr.savepoint():
            order._check_portal_rma_request(quantities, rma_type, reason)
            photos = Rma._check_portal_photos(photos)
            rma = Rma.create(
                order._prepare_portal_rma_vals(
                    quantities, rma_type, reason, description
                )
            )
            rma._portal_notify_team()
            rma._portal_post_request(author, description, photos)
        return rma

    def _get_portal_rma_duplicate(self, quantities, rma_type, reason, description):
        """The draft request the current user filed on the portal for this
        order in the last minutes with the same content, if any: a form sent
        twice (a double click, a reload) files one request."""
        self.ensure_one()
        since = fields.Datetime.now() - timedelta(minutes=PORTAL_RMA_RESUBMIT_MINUTES)
        candidates = (
            self.env["sale.rma"]
            .sudo()
            .search(
                [
                    ("order_id", "=", self.id),
                    ("request_origin", "=", "portal"),
                    ("state", "=", "draft"),
                    ("create_uid", "=", self.env.uid),
                    ("create_date", ">=", since),
                ]
            )
        )
        wanted = {(line.id, quantity) for line, quantity in quantities.items()}
        return candidates.filtered(
            lambda rma: (
                rma.rma_type == rma_type
                and rma.reason_id == reason
                and (rma.description or "") == (description or "")
                and {(line.sale_line_id.id, line.quantity) for line in rma.line_ids}
                == wanted
            )
        )[:1]

    def _can_portal_request_rma(self, user):
        """Whether ``user`` may file after-sales requests for this order on
        the portal: a logged-in user of the order's customer (its commercial
        partner or one of its contacts)."""
        self.ensure_one()
        return (
            not user._is_public()
            and self.partner_id.commercial_partner_id
            == user.partner_id.commercial_partner_id
        )
