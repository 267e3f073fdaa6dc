"""Order intake: reading the values of platform orders and matching them to
Odoo's records (countries, provinces, carriers, customers, products)."""

import re
from collections import defaultdict
from datetime import date, datetime, time

import pytz

from odoo import api, models

# Payment methods that mean cash on delivery in any import or API call, whatever
# the template's value maps (compared case-insensitively).
COD_ALIASES = frozenset({"cod", "货到付款", "貨到付款", "cash on delivery"})

# The suffixes of Chinese province names that exports often leave out ("浙江",
# "广西", "内蒙"), longest first.
PROVINCE_SUFFIXES = (
    "维吾尔自治区",
    "壮族自治区",
    "回族自治区",
    "特别行政区",
    "特別行政區",
    "自治区",
    "自治區",
    "省",
    "市",
)

DATE_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y-%m-%d",
    "%Y/%m/%d",
    "%Y.%m.%d %H:%M:%S",
    "%Y.%m.%d",
    "%Y年%m月%d日 %H:%M:%S",
    "%Y年%m月%d日 %H:%M",
    "%Y年%m月%d日",
)

# A number written the way a spreadsheet shows a long number it rounded:
# 1.23457E+18.
SCIENTIFIC_NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?[eE][+-]?\d+$")
# What may surround an amount in an export: currency signs, thousands
# separators, "元".
AMOUNT_NOISE = re.compile(r"[¥￥$,\s元]")


def intake_text(value):
    """The text of a raw value: stripped, a whole number read from a cell
    without its ".0", empty values as ""."""
    if value is None or value is False:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def province_core(name):
    """A province name without its suffix (浙江省 → 浙江)."""
    name = name.strip()
    for suffix in PROVINCE_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name


def normalise_phone(value):
    """A phone number as the intake stores and matches it: its digits (and a
    leading +), without the +86 of a Chinese mobile number."""
    text = intake_text(value)
    digits = re.sub(r"[^\d+]", "", text)
    if digits.startswith("+86") and len(digits) == 14:
        digits = digits[3:]
    elif digits.startswith("0086") and len(digits) == 15:
        digits = digits[4:]
    return digits


class IntakeLookup:
    """What the intake of one batch has looked up: countries, provinces and
    carriers, read once per batch rather than once per order."""

    def __init__(self, env):
        self.env = env
        self._countries = None
        self._states = {}
        self._carriers = None
        self._all_states = None

    def country(self, value):
        """The country named or coded ``value`` (in any installed language),
        or an empty recordset."""
        if self._countries is None:
            self._countries = {}
            Country = self.env["res.country"]
            countries = Country.search([])
            langs = [code for code, _name in self.env["res.lang"].get_installed()]
            for lang in {"en_US", *langs}:
                for country in countries.with_context(lang=lang):
                    self._countries.setdefault(country.name.casefold(), country.id)
            for country in countries:
                self._countries[country.code.casefold()] = country.id
            self._countries.setdefault("中国", self.env.ref("base.cn").id)
            self._countries.setdefault("中國", self.env.ref("base.cn").id)
        country_id = self._countries.get(intake_text(value).casefold())
        return self.env["res.country"].browse(country_id or ())

    def state(self, country, value):
        """The province of ``country`` named ``value``: by its name, its
        code, its name without suffix ("浙江" for 浙江省) or, when only one
        province starts so, the beginning of its name ("内蒙")."""
        text = intake_text(value)
        if not text or not country:
            return self.env["res.country.state"]
        if country.id not in self._states:
            names = {}
            cores = {}
            for state in self.env["res.country.state"].search(
                [("country_id", "=", country.id)]
            ):
                names[state.name.casefold()] = state.id
                names.setdefault(state.code.casefold(), state.id)
                cores[province_core(state.name).casefold()] = state.id
            self._states[country.id] = (names, cores)
        names, cores = self._states[country.id]
        key = text.casefold()
        state_id = names.get(key) or cores.get(province_core(key))
        if not state_id and len(key) >= 2:
            starting = {sid for core, sid in cores.items() if core.startswith(key)}
            if len(starting) == 1:
                state_id = starting.pop()
        return self.env["res.country.state"].browse(state_id or ())

    def state_anywhere(self, value):
        """The province named ``value`` (by its name, or its name without
        suffix) when only one country has it: an export without a country
        column still finds 浙江 in China, whatever the company's country."""
        text = province_core(intake_text(value)).casefold()
        if not text:
            return self.env["res.country.state"]
        if self._all_states is None:
            self._all_states = defaultdict(set)
            for state in self.env["res.country.state"].search_fetch([], ["name"]):
                self._all_states[province_core(state.name).casefold()].add(state.id)
        found = self._all_states.get(text) or (
            len(text) >= 2
            and set().union(
                *(
                    ids
                    for core, ids in self._all_states.items()
                    if core.startswith(text)
                )
            )
        )
        return self.env["res.country.state"].browse(
            next(iter(found)) if found and len(found) == 1 else ()
        )

    def carrier(self, value):
        """The shipping method named ``value`` (in any installed language),
        or an empty recordset."""
        if self._carriers is None:
            self._carriers = {}
            carriers = self.env["delivery.carrier"].search(
                [
                    "|",
                    ("company_id", "=", False),
                    ("company_id", "=", self.env.company.id),
                ]
            )
            langs = [code for code, _name in self.env["res.lang"].get_installed()]
            for lang in {"en_US", *langs}:
                for carrier in carriers.with_context(lang=lang):
                    self._carriers.setdefault(carrier.name.casefold(), carrier.id)
        carrier_id = self._carriers.get(intake_text(value).casefold())
        return self.env["delivery.carrier"].browse(carrier_id or ())


class SaleOrder(models.Model):
    _inherit = "sale.order"

    # Values

    @api.model
    def _parse_intake_date(self, value):
        """The UTC moment of an order date given as a cell (datetime, date)
        or text, read in the user's time zone; ``None`` when unreadable."""
        if isinstance(value, datetime):
            moment = value
        elif isinstance(value, date):
            moment = datetime.combine(value, time())
        else:
            text = intake_text(value)
            moment = None
            for pattern in DATE_FORMATS:
                try:
                    moment = datetime.strptime(text, pattern)
                    break
                except ValueError:
                    continue
            if moment is None:
                try:
                    moment = datetime.fromisoformat(text)
                except ValueError:
                    return None
        if moment.tzinfo is None:
            tz = pytz.timezone(self.env.context.get("tz") or self.env.user.tz or "UTC")
            moment = tz.localize(moment)
        return moment.astimezone(pytz.utc).replace(tzinfo=None)

    @api.model
    def _parse_intake_number(self, value):
        """A quantity or amount given as a cell or text ("¥1,280.00"), or
        ``None`` when it is not a number."""
        if isinstance(value, bool):
            return None
        if isinstance(value, int | float):
            return float(value)
        text = AMOUNT_NOISE.sub("", intake_text(value))
        try:
            return float(text)
        except ValueError:
            return None

    @api.model
    def _parse_intake_payment_method(self, value):
        """``cod`` for the cash-on-delivery aliases, else ``prepaid``."""
        return "cod" if intake_text(value).casefold() in COD_ALIASES else "prepaid"

    # Products

    @api.model
    def _get_intake_products(self, skus, medium):
        """``{sku: [(product, units per platform unit), ...]}`` for the
        platform SKUs ``skus`` of ``medium``: the channel's mappings (several
        products make a combo), else the product with that internal
        reference, else with that barcode. A SKU no product or several
        products answer is left out. Three queries whatever the number of
        SKUs."""
        skus = {sku for sku in skus if sku}
        result = {}
        if not skus:
            return result
        company_domain = [
            "|",
            ("company_id", "=", False),
            ("company_id", "=", self.env.company.id),
        ]
        mappings = self.env["sale.channel.product"].search(
            [("medium_id", "=", medium.id), ("channel_sku", "in", list(skus))]
            + company_domain
        )
        for mapping in mappings:
            result.setdefault(mapping.channel_sku, []).append(
                (mapping.product_id, mapping.quantity)
            )
        for field_name in ("default_code", "barcode"):
            todo = skus - result.keys()
            if not todo:
                break
            found = defaultdict(list)
            for product in self.env["product.product"].search(
                [(field_name, "in", list(todo)), ("sale_ok", "=", True)]
                + company_domain
            ):
                found[product[field_name]].append(product)
            for sku, products in found.items():
                result[sku] = [(products[0], 1.0)] if len(products) == 1 else None
        return {sku: products for sku, products in result.items() if products}

    # Customers

    @api.model
    def _get_intake_partner_key(self, data):
        """What identifies the buyer of one order within its channel: the
        platform buyer id, else the phone, else the email."""
        if data["buyer_ref"]:
            return ("buyer_ref", data["buyer_ref"])
        if data["phone"]:
            return ("phone", data["phone"])
        if data["email"]:
            return ("email", data["email"])
        return None

    @api.model
    def _get_intake_partners(self, keys, medium):
        """``{key: partner}`` for the buyer keys ``keys`` (see
        ``_get_intake_partner_key``): the customers of ``medium`` that the
        intake created before, found in one query."""
        by_field = defaultdict(set)
        for field_name, value in keys:
            by_field[field_name].add(value)
        if not by_field:
            return {}
        domain = []
        for field_name, values in by_field.items():
            target = {
                "buyer_ref": "channel_buyer_ref",
                "phone": "phone",
                "email": "email_normalized",
            }[field_name]
            domain = [*(["|"] if domain else []), *domain, (target, "in", list(values))]
        partners = (
            self.env["res.partner"]
            .sudo()
            .search(
                [("channel_medium_id", "=", medium.id), ("parent_id", "=", False)]
                + domain,
                order="id",
            )
        )
        result = {}
        for partner in partners:
            for key in (
                ("buyer_ref", partner.channel_buyer_ref),
                ("phone", partner.phone),
                ("email", partner.email_normalized),
            ):
                if key[1]:
                    result.setdefault(key, partner)
        return {key: result[key] for key in keys if key in result}

    @api.model
    def _prepare_intake_partner_vals(self, data, medium):
        """Create values of the customer of an imported order whom the
        channel had not brought before."""
        return {
            "name": data["partner_name"],
            "phone": data["phone"] or False,
            "email": data["email"] or False,
            "channel_medium_id": medium.id,
            "channel_buyer_ref": data["buyer_ref"] or False,
            "customer_rank": 1,
            "country_id": data["country_id"] or False,
        }

    @api.model
    def _prepare_intake_address_vals(self, data):
        """The delivery address of an imported order, as contact values."""
        return {
            "name": data["partner_name"],
            "phone": data["phone"] or False,
            "email": data["email"] or False,
            "street": data["street"] or False,
            "street2": data["district"] or False,
            "city": data["city"] or False,
            "zip": data["zip"] or False,
            "state_id": data["state_id"] or False,
            "country_id": data["country_id"] or False,
        }

    @api.model
    def _get_intake_address_key(self, vals):
        """What makes two delivery addresses the same one."""
        return tuple(
            intake_text(
                vals[name].id
                if isinstance(vals[name], models.BaseModel)
                else vals[name] or ""
            )
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
        )
