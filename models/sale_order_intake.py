"""Order intake (订单导入 / 订单接入): platform orders from files and connectors,
created once per company and channel, updated or cancelled when sent again."""

import logging
from collections import defaultdict

from psycopg2.errors import UniqueViolation

from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import SQL, float_compare, float_round
from odoo.tools.sql import index_exists

from .sale_order_intake_match import (
    SCIENTIFIC_NUMBER,
    IntakeLookup,
    intake_text,
    normalise_phone,
)

_logger = logging.getLogger(__name__)

# A platform order is imported once per company and channel, whoever imports it.
CHANNEL_ORDER_INDEX = "sale_order_channel_order_ref_uniq"

# The order-level keys of an intake order (ARCHITECTURE.md, Order intake), plus
# the platform buyer id that finds the customer again.
INTAKE_TEXT_KEYS = (
    "partner_name",
    "email",
    "city",
    "district",
    "street",
    "zip",
    "customer_note",
    "buyer_ref",
)


class SaleOrder(models.Model):
    _inherit = "sale.order"

    channel_order_ref = fields.Char(
        string="Platform Order No.",
        copy=False,
        index="btree_not_null",
        help="The order's number on the marketplace or shop it came from. An "
        "order of a channel is imported once: a second import of the same "
        "number updates or skips it.",
    )
    payment_method = fields.Selection(
        selection=[
            ("prepaid", "Prepaid"),
            ("cod", "Cash on Delivery"),
        ],
        default="prepaid",
        required=True,
        help="Cash on delivery (货到付款): the carrier collects the amount from "
        "the customer on delivery; the order ships without waiting for payment.",
    )

    def init(self):
        result = super().init()
        # Two imports of the same platform order at the same moment cannot
        # both save it: the second one fails and reports a duplicate.
        if not index_exists(self.env.cr, CHANNEL_ORDER_INDEX):
            self.env.cr.execute(
                SQL(
                    "CREATE UNIQUE INDEX %s ON sale_order "
                    "(company_id, COALESCE(medium_id, 0), channel_order_ref) "
                    "WHERE channel_order_ref IS NOT NULL",
                    SQL.identifier(CHANNEL_ORDER_INDEX),
                )
            )
        return result

    def _prepare_confirmation_values(self):
        # A platform order keeps the moment the customer ordered on the
        # platform; Odoo would date it with its confirmation.
        values = super()._prepare_confirmation_values()
        if self and all(order.channel_order_ref for order in self):
            values.pop("date_order", None)
        return values

    # Connector API

    @api.model
    def channel_intake(self, orders):
        """Create, update or cancel the platform orders ``orders`` (for
        marketplace connectors over JSON-RPC / XML-RPC).

        ``orders`` is a list of dicts: the import targets (``channel_order_ref``,
        ``date_order``, ``partner_name``, ``phone``, ``email``, ``country``,
        ``state``, ``city``, ``district``, ``street``, ``zip``,
        ``customer_note``, ``payment_method``, ``carrier``, and ``buyer_ref``,
        the platform buyer id), ``lines`` (dicts ``sku``, ``quantity``,
        ``price_unit``, ``line_ref``), ``channel`` (``utm.medium`` id or name)
        and optionally ``status`` (``cancelled``) and ``cancel_reason``.

        Returns, in the same order, dicts ``{channel_order_ref, status,
        order_id, message}`` with ``status`` ``created``, ``updated``,
        ``unchanged``, ``cancelled`` or ``error``. Each order is its own
        transaction (a savepoint): one bad order does not stop the others.
        An order sent again is never created twice: its new address, remark
        or lines update it while nothing has shipped; a cancelled one cancels
        it, or opens an after-sales request once something has shipped. The
        orders created are confirmed together, as one batch of the review
        and the allocation.
        """
        if not isinstance(orders, list | tuple) or not all(
            isinstance(order, dict) for order in orders
        ):
            raise UserError(self.env._("Send the orders as a list of dictionaries."))
        lookup = IntakeLookup(self.env)
        media = self._get_intake_media([order.get("channel") for order in orders])
        results = []
        created = self.browse()
        for order in orders:
            ref = intake_text(order.get("channel_order_ref"))
            result = {
                "channel_order_ref": ref,
                "status": "error",
                "order_id": False,
                "message": "",
            }
            medium = media.get(self._get_intake_medium_key(order))
            try:
                with self.env.cr.savepoint():
                    result.update(
                        self._channel_intake_one(order, medium, lookup)
                        if medium
                        else self._get_intake_error(
                            self.env._(
                                "Unknown channel %(channel)s.",
                                channel=intake_text(order.get("channel")) or "-",
                            )
                        )
                    )
            except UniqueViolation as error:
                if error.diag.constraint_name != CHANNEL_ORDER_INDEX:
                    raise
                result.update(
                    status="unchanged",
                    message=self.env._(
                        "Another import created this order at the same moment."
                    ),
                )
            except (UserError, ValidationError, AccessError) as error:
                result.update(status="error", message=error.args[0])
            if result["status"] == "created":
                created |= self.browse(result["order_id"])
            results.append(result)
        if created:
            self._confirm_intake_orders(created)
        return results

    @api.model
    def _get_intake_medium_key(self, order):
        channel = order.get("channel")
        return channel if isinstance(channel, int) else intake_text(channel)

    @api.model
    def _get_intake_media(self, channels):
        """``{channel as given: utm.medium}`` for the channels the orders of a
        connector name: an id, or a name or label in any language."""
        Medium = self.env["utm.medium"]
        ids = {channel for channel in channels if isinstance(channel, int)}
        names = {
            intake_text(channel)
            for channel in channels
            if channel and not isinstance(channel, int)
        }
        result = {medium.id: medium for medium in Medium.browse(ids).exists()}
        for name in names:
            medium = Medium.search(
                ["|", ("name", "=ilike", name), ("channel_name", "=ilike", name)],
                limit=1,
            )
            if medium:
                result[name] = medium
        return result

    @api.model
    def _get_intake_error(self, message, order=None):
        return {"status": "error", "message": message, "order_id": order or False}

    @api.model
    def _channel_intake_one(self, order, medium, lookup):
        """Take in one order of ``channel_intake``: returns the result's
        ``status``, ``order_id`` and ``message``."""
        prepared = self._prepare_intake_orders([order], medium, lookup)[0]
        existing = prepared["existing"]
        cancelled = intake_text(order.get("status")).casefold() == "cancelled"
        if existing:
            existing = existing.with_env(self.env)
            if cancelled:
                return existing._cancel_from_intake(order.get("cancel_reason"))
            if prepared["errors"] or any(prepared["line_errors"]):
                return self._get_intake_error(
                    self._get_intake_message(prepared), existing.id
                )
            return existing._update_from_intake(prepared)
        if cancelled:
            return {
                "status": "unchanged",
                "message": self.env._(
                    "Cancelled on the platform before it was taken in: nothing to do."
                ),
            }
        if prepared["errors"] or any(prepared["line_errors"]):
            return self._get_intake_error(self._get_intake_message(prepared))
        new_order = self._create_intake_orders([prepared], medium)
        return {"status": "created", "order_id": new_order.id, "message": ""}

    # File import engine (sale.order.import)

    @api.model
    def _intake_check(self, orders, medium):
        """Read and validate the platform orders ``orders`` (see
        ``channel_intake``) of ``medium``; create nothing.

        Returns a list aligned with ``orders`` of dicts ``status`` (``ok``,
        ``error`` or ``duplicate``), ``message``, ``line_messages`` (one per
        line: its error or ``False``) and ``order_id`` (the existing order of
        a duplicate).
        """
        prepared_list = self._prepare_intake_orders(
            orders, medium, IntakeLookup(self.env)
        )
        return [self._get_intake_check_result(prepared) for prepared in prepared_list]

    @api.model
    def _get_intake_check_result(self, prepared):
        if prepared["existing"]:
            return {
                "status": "duplicate",
                "message": self.env._(
                    "Already imported: %(order)s.",
                    order=prepared["existing"].name,
                ),
                "line_messages": [False] * len(prepared["lines"]),
                "order_id": prepared["existing"].id,
            }
        error = prepared["errors"] or any(prepared["line_errors"])
        return {
            "status": "error" if error else "ok",
            "message": "\n".join(prepared["errors"]),
            "line_messages": prepared["line_errors"],
            "order_id": False,
        }

    @api.model
    def _intake_create(self, orders, medium, confirm=True):
        """Create the valid new orders of ``orders`` (see ``_intake_check``)
        in one batch and, with ``confirm``, confirm them together.

        Returns a list aligned with ``orders`` of dicts ``status``
        (``imported``, ``error`` or ``duplicate``), ``message``,
        ``line_messages`` and ``order_id``. An order another import saved at
        the same moment is a duplicate (the database refuses the second
        one). Commits nothing.
        """
        prepared_list = self._prepare_intake_orders(
            orders, medium, IntakeLookup(self.env)
        )
        results = [
            self._get_intake_check_result(prepared) for prepared in prepared_list
        ]
        todo = [
            index for index, result in enumerate(results) if result["status"] == "ok"
        ]
        created = self._create_intake_orders_safely(
            [(index, prepared_list[index]) for index in todo], medium, results
        )
        if confirm and created:
            self._confirm_intake_orders(created)
        return results

    @api.model
    def _create_intake_orders_safely(self, indexed_prepared, medium, results):
        """Create the orders of ``indexed_prepared`` [(index, prepared)] and
        mark their ``results`` imported. When the database refuses the batch
        because another import saved one of them meanwhile, they are created
        one by one and that one becomes a duplicate. Returns the orders
        created."""
        if not indexed_prepared:
            return self.browse()
        try:
            with self.env.cr.savepoint():
                created = self._create_intake_orders(
                    [prepared for _index, prepared in indexed_prepared], medium
                )
        except UniqueViolation as error:
            if error.diag.constraint_name != CHANNEL_ORDER_INDEX:
                raise
            if len(indexed_prepared) == 1:
                results[indexed_prepared[0][0]].update(
                    status="duplicate",
                    message=self.env._(
                        "Another import saved this order at the same moment."
                    ),
                )
                return self.browse()
            return self.browse().union(
                *(
                    self._create_intake_orders_safely([pair], medium, results)
                    for pair in indexed_prepared
                )
            )
        for (index, _prepared), order in zip(indexed_prepared, created, strict=True):
            results[index].update(status="imported", order_id=order.id)
        return created

    @api.model
    def _confirm_intake_orders(self, orders):
        """Confirm the orders the intake just created, together: one review
        and allocation pass. When the batch fails, each order is confirmed
        on its own, and the ones that cannot be stay quotations."""
        try:
            with self.env.cr.savepoint():
                orders.action_confirm()
        except (UserError, ValidationError) as error:
            _logger.info("Intake batch confirmation failed (%s): one by one", error)
            for order in orders:
                try:
                    with self.env.cr.savepoint():
                        order.action_confirm()
                except (UserError, ValidationError) as order_error:
                    order.message_post(
                        body=self.env._(
                            "Not confirmed: %(reason)s", reason=order_error.args[0]
                        )
                    )

    # Reading and validating

    @api.model
    def _prepare_intake_orders(self, orders, medium, lookup):
        """Read the values of the platform orders ``orders`` of ``medium``:
        per order a dict ``data`` (order values, normalised), ``lines``
        (dicts ``products`` [(product, units)], ``quantity``, ``price_unit``,
        ``line_ref``, ``sku``), ``errors`` (order messages), ``line_errors``
        (one per line) and ``existing`` (the order already taken in). A few
        queries for the whole list."""
        prepared_list = [
            self._prepare_intake_order(order, medium, lookup) for order in orders
        ]
        skus = {line["sku"] for prepared in prepared_list for line in prepared["lines"]}
        products = self._get_intake_products(skus, medium) if medium else {}
        refs = {prepared["data"]["channel_order_ref"] for prepared in prepared_list}
        existing = self._get_intake_existing_orders(refs - {""}, medium)
        for prepared in prepared_list:
            prepared["existing"] = existing.get(
                prepared["data"]["channel_order_ref"], self.browse()
            )
            for line, errors in zip(
                prepared["lines"], prepared["line_errors"], strict=True
            ):
                if not line["sku"] or errors:
                    continue
                line["products"] = products.get(line["sku"], [])
                if not line["products"]:
                    prepared["line_errors"][prepared["lines"].index(line)] = self.env._(
                        "No product has the SKU %(sku)s: no platform SKU of "
                        "%(channel)s, internal reference or barcode.",
                        sku=line["sku"],
                        channel=medium.display_name,
                    )
        return prepared_list

    @api.model
    def _get_intake_existing_orders(self, refs, medium):
        """``{platform order number: order}`` of the orders of ``medium`` in
        the current company already taken in, whoever may read them."""
        if not refs or not medium:
            return {}
        orders = (
            self.sudo()
            .with_context(active_test=False)
            .search(
                [
                    ("company_id", "=", self.env.company.id),
                    ("medium_id", "=", medium.id),
                    ("channel_order_ref", "in", list(refs)),
                ]
            )
        )
        return {order.channel_order_ref: order for order in orders}

    @api.model
    def _prepare_intake_order(self, order, medium, lookup):
        """Read one platform order (see ``_prepare_intake_orders``); products
        and existing orders are looked up for the batch afterwards."""
        errors = []
        raw_ref = order.get("channel_order_ref")
        ref = intake_text(raw_ref)
        if not medium:
            errors.append(self.env._("The orders' channel is missing."))
        if not ref:
            errors.append(self.env._("The platform order number is missing."))
        elif isinstance(raw_ref, float) or SCIENTIFIC_NUMBER.match(ref):
            errors.append(
                self.env._(
                    "The platform order number %(number)s was turned into a "
                    "number by a spreadsheet: its last digits are lost. Format "
                    "the column as text and export again.",
                    number=ref,
                )
            )
            ref = ""
        data = {name: intake_text(order.get(name)) for name in INTAKE_TEXT_KEYS}
        data["channel_order_ref"] = ref
        data["email"] = data["email"].lower()
        data["phone"] = normalise_phone(order.get("phone"))
        data["payment_method"] = self._parse_intake_payment_method(
            order.get("payment_method")
        )
        data["date_order"] = False
        if intake_text(order.get("date_order")):
            data["date_order"] = self._parse_intake_date(order.get("date_order"))
            if not data["date_order"]:
                errors.append(
                    self.env._(
                        "The order date %(value)s is not a date (for example "
                        "2026-12-01 10:30).",
                        value=intake_text(order.get("date_order")),
                    )
                )
        if not data["partner_name"]:
            errors.append(self.env._("The recipient's name is missing."))
        country = self.env.company.country_id
        if intake_text(order.get("country")):
            country = lookup.country(order.get("country"))
            if not country:
                errors.append(
                    self.env._(
                        "Unknown country %(country)s.",
                        country=intake_text(order.get("country")),
                    )
                )
        state = lookup.state(country, order.get("state"))
        if not state and not intake_text(order.get("country")):
            state = lookup.state_anywhere(order.get("state"))
            country = state.country_id or country
        if intake_text(order.get("state")) and not state and country:
            errors.append(
                self.env._(
                    "Unknown province %(state)s in %(country)s.",
                    state=intake_text(order.get("state")),
                    country=country.display_name,
                )
            )
        data["country_id"] = country.id
        data["state_id"] = state.id
        data["carrier_id"] = False
        if intake_text(order.get("carrier")):
            carrier = lookup.carrier(order.get("carrier"))
            data["carrier_id"] = carrier.id
            if not carrier:
                errors.append(
                    self.env._(
                        "Unknown carrier %(carrier)s: create the shipping method, "
                        "or map the name to one in the import template.",
                        carrier=intake_text(order.get("carrier")),
                    )
                )
        lines = []
        line_errors = []
        raw_lines = order.get("lines") or []
        if not isinstance(raw_lines, list | tuple) or not raw_lines:
            errors.append(self.env._("The order has no lines."))
            raw_lines = []
        for raw_line in raw_lines:
            line, line_error = self._prepare_intake_line(raw_line)
            lines.append(line)
            line_errors.append(line_error)
        return {
            "data": data,
            "lines": lines,
            "errors": errors,
            "line_errors": line_errors,
            "existing": self.browse(),
        }

    @api.model
    def _prepare_intake_line(self, raw_line):
        """One line of a platform order: ``(line, error or False)``."""
        if not isinstance(raw_line, dict):
            raw_line = {}
        line = {
            "sku": intake_text(raw_line.get("sku")),
            "line_ref": intake_text(raw_line.get("line_ref")),
            "quantity": self._parse_intake_number(raw_line.get("quantity")),
            "price_unit": None,
            "products": [],
        }
        if not line["sku"]:
            return line, self.env._("The SKU is missing.")
        if not line["quantity"] or line["quantity"] <= 0:
            return line, self.env._(
                "The quantity %(quantity)s is not a number above zero.",
                quantity=intake_text(raw_line.get("quantity")) or "-",
            )
        if intake_text(raw_line.get("price_unit")):
            line["price_unit"] = self._parse_intake_number(raw_line.get("price_unit"))
            if line["price_unit"] is None or line["price_unit"] < 0:
                return line, self.env._(
                    "The unit price %(price)s is not an amount.",
                    price=intake_text(raw_line.get("price_unit")),
                )
        return line, False

    @api.model
    def _get_intake_message(self, prepared):
        """The errors of one platform order in one text."""
        messages = list(prepared["errors"])
        for line, error in zip(prepared["lines"], prepared["line_errors"], strict=True):
            if error:
                messages.append(
                    self.env._(
                        "Line %(sku)s: %(error)s", sku=line["sku"] or "-", error=error
                    )
                )
        return "\n".join(messages)

    # Creating

    @api.model
    def _create_intake_orders(self, prepared_list, medium):
        """Create the orders of ``prepared_list`` (valid, new) with their
        customers and delivery addresses, in a few batches of queries."""
        keys = [
            self._get_intake_partner_key(prepared["data"]) for prepared in prepared_list
        ]
        partners = self._get_intake_partners({key for key in keys if key}, medium)
        new_keys = []
        new_vals = []
        for prepared, key in zip(prepared_list, keys, strict=True):
            if key and (key in partners or key in new_keys):
                continue
            new_keys.append(key or object())
            new_vals.append(self._prepare_intake_partner_vals(prepared["data"], medium))
        # The intake creates the customers it needs whoever imports: sales
        # users without the "Contact Creation" right import orders too.
        new_partners = (
            self.env["res.partner"].sudo().create(new_vals).with_env(self.env)
            if new_vals
            else ()
        )
        partners.update(zip(new_keys, new_partners, strict=True))
        unkeyed = iter(
            partner
            for key, partner in zip(new_keys, new_partners, strict=True)
            if not isinstance(key, tuple)
        )
        customers = [partners[key] if key else next(unkeyed) for key in keys]
        addresses = self._get_intake_addresses(prepared_list, customers)
        vals_list = [
            self._prepare_intake_order_vals(prepared, customer, address, medium)
            for prepared, customer, address in zip(
                prepared_list, customers, addresses, strict=True
            )
        ]
        return self.create(vals_list)

    @api.model
    def _get_intake_addresses(self, prepared_list, customers):
        """The delivery contact of each order: the customer's delivery
        address with the same name, phone and address, else a new one."""
        Partner = self.env["res.partner"]
        customers_set = Partner.union(*customers)
        known = {}
        for child in customers_set.child_ids:
            if child.type == "delivery":
                vals = {
                    name: child[name]
                    for name in (
                        "name",
                        "phone",
                        "street",
                        "street2",
                        "city",
                        "zip",
                        "state_id",
                        "country_id",
                    )
                }
                known.setdefault(
                    (child.parent_id, self._get_intake_address_key(vals)), child
                )
        todo = []
        for prepared, customer in zip(prepared_list, customers, strict=True):
            vals = self._prepare_intake_address_vals(prepared["data"])
            key = (customer, self._get_intake_address_key(vals))
            if key not in known:
                known[key] = None
                todo.append(
                    (key, {**vals, "parent_id": customer.id, "type": "delivery"})
                )
        if todo:
            created = (
                Partner.sudo().create([vals for _key, vals in todo]).with_env(self.env)
            )
            known.update(zip([key for key, _vals in todo], created, strict=True))
        return [
            known[
                (
                    customer,
                    self._get_intake_address_key(
                        self._prepare_intake_address_vals(prepared["data"])
                    ),
                )
            ]
            for prepared, customer in zip(prepared_list, customers, strict=True)
        ]

    @api.model
    def _prepare_intake_order_vals(self, prepared, customer, address, medium):
        """Create values of an imported order. The customer's salesperson
        handles it, else nobody yet (the allocation's team rule gives one in
        turn when it is on)."""
        data = prepared["data"]
        vals = {
            "partner_id": customer.id,
            "partner_invoice_id": customer.id,
            "partner_shipping_id": address.id,
            "medium_id": medium.id,
            "channel_order_ref": data["channel_order_ref"],
            "payment_method": data["payment_method"],
            "customer_note": data["customer_note"] or False,
            "user_id": customer.user_id.id,
            "company_id": self.env.company.id,
            "order_line": [
                Command.create(line_vals)
                for line in prepared["lines"]
                for line_vals in self._prepare_intake_line_vals(line)
            ],
        }
        if data["date_order"]:
            vals["date_order"] = data["date_order"]
        if data["carrier_id"]:
            vals["carrier_id"] = data["carrier_id"]
        return vals

    @api.model
    def _prepare_intake_line_vals(self, line):
        """Create values of the order lines of one platform line: one per
        product of its SKU (several for a combo, the platform's price shared
        by their list prices, the last one taking what rounding left)."""
        products = line["products"]
        vals_list = []
        price = line["price_unit"]
        weights = [product.lst_price * units for product, units in products]
        total_weight = sum(weights)
        left = price
        precision = self.env["decimal.precision"].precision_get("Product Price")
        for index, (product, units) in enumerate(products):
            vals = {
                "product_id": product.id,
                "product_uom_qty": line["quantity"] * units,
                "channel_line_ref": line["line_ref"] or False,
            }
            if price is not None:
                if len(products) == 1:
                    share = price
                elif index == len(products) - 1:
                    share = left
                else:
                    share = float_round(
                        price
                        * (weights[index] / total_weight if total_weight else 0.0),
                        precision_digits=precision,
                    )
                    if not total_weight and index == 0:
                        share = price
                left -= share
                vals["price_unit"] = float_round(
                    share / units, precision_digits=precision
                )
            vals_list.append(vals)
        return vals_list

    # Updating and cancelling

    def _update_from_intake(self, prepared):
        """Apply to this order what a platform sent again: a new delivery
        address, remark, payment method or, on a quotation, new lines.
        Returns the result (``updated`` or ``unchanged``)."""
        self.ensure_one()
        changes = []
        data = prepared["data"]
        address_vals = self._prepare_intake_address_vals(data)
        if self._get_intake_address_key(address_vals) != self._get_intake_address_key(
            self.partner_shipping_id
        ):
            self._change_delivery_address(address_vals, source="channel")
            changes.append(self.env._("delivery address"))
        if (data["customer_note"] or False) != (self.customer_note or False):
            self.customer_note = data["customer_note"] or False
            changes.append(self.env._("remark"))
        if data["payment_method"] != self.payment_method:
            if self.picking_ids.filtered(lambda picking: picking.state == "done"):
                raise UserError(
                    self.env._(
                        "The payment method of %(order)s cannot change: goods "
                        "have shipped.",
                        order=self.name,
                    )
                )
            self.payment_method = data["payment_method"]
            changes.append(self.env._("payment method"))
        if self._get_intake_line_key(prepared) != self._get_order_line_key():
            if self.state not in ("draft", "sent"):
                raise UserError(
                    self.env._(
                        "The lines of %(order)s changed on the platform after it "
                        "was confirmed: change the order with an after-sales "
                        "request.",
                        order=self.name,
                    )
                )
            self.order_line = [Command.clear()] + [
                Command.create(line_vals)
                for line in prepared["lines"]
                for line_vals in self._prepare_intake_line_vals(line)
            ]
            changes.append(self.env._("lines"))
        if not changes:
            return {"status": "unchanged", "order_id": self.id, "message": ""}
        return {
            "status": "updated",
            "order_id": self.id,
            "message": self.env._("Updated: %(changes)s.", changes=", ".join(changes)),
        }

    @api.model
    def _get_intake_line_key(self, prepared):
        quantities = defaultdict(float)
        for line in prepared["lines"]:
            for product, units in line["products"]:
                quantities[product.id] += line["quantity"] * units
        return {product_id: qty for product_id, qty in quantities.items() if qty}

    def _get_order_line_key(self):
        quantities = defaultdict(float)
        for line in self.order_line:
            if line.display_type or line.is_delivery:
                continue
            quantities[line.product_id.id] += line.product_uom_qty
        result = {}
        for product_id, qty in quantities.items():
            if float_compare(qty, 0.0, precision_digits=6):
                result[product_id] = qty
        return result

    def _cancel_from_intake(self, reason):
        """Cancel this order as its platform did (see
        ``_request_cancellation``) and say what happened."""
        self.ensure_one()
        outcome = self._request_cancellation(
            intake_text(reason) or self.env._("Cancelled on the platform."),
            source="channel",
        )[self]
        # An after-sales request opened instead of the cancellation changes
        # the order: "updated", with the reason in the message.
        status = {
            "cancelled": "cancelled",
            "unchanged": "unchanged",
            "error": "error",
        }.get(outcome["status"], "updated")
        return {"status": status, "order_id": self.id, "message": outcome["message"]}
