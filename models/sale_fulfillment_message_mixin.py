"""Texts the addon stores for people to read later — review issues, the pack
station log — kept as a message code and its parameters, and written out in the
language of whoever reads them.

A writer builds a message with :func:`message` from a code registered with
:func:`define_messages` and typed parameters (:func:`amount_param`,
:func:`number_param`, :func:`date_param`, :func:`datetime_param`,
:func:`words_param`, :func:`clauses_param`, :func:`translations_param`, another
:func:`message`, or a plain string for names, which stay as they were
written); :func:`text_message` stores a text as it is. A model that stores
such texts inherits ``sale.fulfillment.message.mixin``: its ``message`` field
renders them in the reader's language and falls back on ``message_text``, the
plain text of rows written before messages had codes or given by a person.
"""

import logging

from odoo import api, fields, models
from odoo.tools import LazyTranslate, format_amount, format_date, format_datetime
from odoo.tools import formatLang as format_lang
from odoo.tools.i18n import format_list

_logger = logging.getLogger(__name__)
_lt = LazyTranslate(__name__)

# {code: lazy translated template}, filled by define_messages() at import.
TEMPLATES = {}


def define_messages(prefix, templates):
    """Register ``{name: _lt(template)}`` under the codes ``prefix.name`` and
    return ``{name: code}``."""
    codes = {}
    for name, template in templates.items():
        code = f"{prefix}.{name}"
        TEMPLATES[code] = template
        codes[name] = code
    return codes


CODES = define_messages(
    "sale_fulfillment",
    {
        # Joins two clauses of one message: "A; B" (Chinese: "A；B").
        "clauses": _lt("%(first)s; %(second)s"),
    },
)


# The code of a message that is one parameter's text (see text_message()).
TEXT_CODE = "sale_fulfillment.text"


def message(code, **params):
    """A stored message: its code and its (typed) parameters, JSON-ready."""
    if code not in TEMPLATES and code != TEXT_CODE:
        raise KeyError(f"Unknown message code {code!r}")
    return {"type": "message", "code": code, "params": params}


def text_message(text):
    """A message that is ``text`` alone: plain, or :func:`translations_param`."""
    return message(TEXT_CODE, text=text)


def amount_param(value, currency):
    """An amount, written with the currency's symbol and decimals."""
    return {"type": "amount", "value": value, "currency_id": currency.id}


def number_param(value, digits=None):
    """A quantity, a weight or a percentage, written as people write it (3,
    2.5, 0.125) or with ``digits`` decimals, in the reader's number format."""
    return {"type": "number", "value": value, "digits": digits}


def date_param(value):
    """A day, in the reader's date format."""
    return {"type": "date", "value": fields.Date.to_string(value)}


def datetime_param(value):
    """A moment, in the reader's date format and time zone."""
    return {"type": "datetime", "value": fields.Datetime.to_string(value)}


def words_param(items):
    """Items listed the way the reader's language lists them ("a, b and c",
    "a、b和c")."""
    return {"type": "list", "style": "words", "items": list(items)}


def clauses_param(items):
    """Clauses of one message, separated the way the reader's language
    separates them ("a; b", "a；b")."""
    return {"type": "list", "style": "clauses", "items": list(items)}


def translations_param(record, field_name):
    """The value of a translatable field of ``record`` in every language it has
    now: the reader reads theirs (an administrator's custom text)."""
    field = record._fields[field_name]
    values = dict(field._get_stored_translations(record) or {})
    if not values and record[field_name]:
        values = {"en_US": record[field_name]}
    return {"type": "text", "value": values}


def record_param(record, field_name="name"):
    """A record named in a message: written out with its ``field_name`` as
    the reader reads it then (in their language, renamed since), else as it
    read when the message was stored (the record is gone)."""
    return {
        "type": "record",
        "model": record._name,
        "id": record.id,
        "field": field_name,
        "value": record[field_name] or "",
    }


class SaleFulfillmentMessageMixin(models.AbstractModel):
    _name = "sale.fulfillment.message.mixin"
    _description = "Message Read in the Reader's Language"

    message_code = fields.Char(
        readonly=True,
        help="What the message says, as a code its parameters complete.",
    )
    message_params = fields.Json(readonly=True)
    message_text = fields.Text(
        readonly=True,
        help="The message as plain text: written by a person, or stored before "
        "messages had codes.",
    )
    message = fields.Text(
        compute="_compute_message",
        inverse="_inverse_message",
        help="In the reader's language.",
    )

    @api.depends("message_code", "message_params", "message_text")
    @api.depends_context("lang")
    def _compute_message(self):
        renderer = MessageRenderer(self.env)
        for record in self:
            record.message = (
                renderer.render_code(record.message_code, record.message_params)
                if record.message_code
                else record.message_text
            ) or False

    def _inverse_message(self):
        for record in self:
            record.write(
                {
                    "message_text": record.message,
                    "message_code": False,
                    "message_params": False,
                }
            )

    @api.model
    def _prepare_message_vals(self, msg):
        """The stored values of ``msg``: a :func:`message`, or plain text."""
        if isinstance(msg, dict):
            return {
                "message_code": msg["code"],
                "message_params": msg["params"],
                "message_text": False,
            }
        return {"message_code": False, "message_params": False, "message_text": msg}

    @api.model
    def _render_message(self, msg):
        """``msg`` (a :func:`message` or plain text) in this environment's
        language."""
        if isinstance(msg, dict):
            return MessageRenderer(self.env).render(msg)
        return msg or ""


class MessageRenderer:
    """Writes messages out in the language of ``env``. One renderer per batch
    of records: the currencies it meets are read once."""

    def __init__(self, env):
        self.env = env
        self.currencies = {}
        self.records = {}

    def render_code(self, code, params):
        return self.render({"type": "message", "code": code, "params": params or {}})

    def render(self, value):
        if isinstance(value, dict):
            return getattr(self, f"_render_{value.get('type')}", self._render_unknown)(
                value
            )
        if isinstance(value, float):
            return self._render_number({"value": value})
        return str(value)

    def _render_message(self, value):
        params = {
            key: self.render(param) for key, param in (value["params"] or {}).items()
        }
        if value["code"] == TEXT_CODE:
            return params["text"]
        template = TEMPLATES.get(value["code"])
        if template is None:
            # A code of an addon since uninstalled: say what we know.
            _logger.warning("Unknown message code %s", value["code"])
            return " ".join([value["code"], *params.values()])
        translated = self.env._(template)
        try:
            return translated % params if params else translated
        except (KeyError, TypeError, ValueError):
            # A broken translation must not hide the message: the English one.
            _logger.warning("Bad translation %r of message %s", translated, value)
            source = self.env(context=dict(self.env.context, lang="en_US"))._(template)
            return source % params if params else source

    def _render_amount(self, value):
        currency_id = value["currency_id"]
        if currency_id not in self.currencies:
            self.currencies[currency_id] = self.env["res.currency"].browse(currency_id)
        return format_amount(self.env, value["value"], self.currencies[currency_id])

    def _render_number(self, value):
        digits = value.get("digits")
        if digits is None:
            decimals = f"{value['value']:.6f}".rstrip("0").split(".")[1]
            digits = min(len(decimals), 6)
        return format_lang(self.env, value["value"], digits=digits)

    def _render_date(self, value):
        return format_date(self.env, value["value"])

    def _render_datetime(self, value):
        return format_datetime(self.env, value["value"])

    def _render_list(self, value):
        items = [self.render(item) for item in value["items"]]
        if value.get("style") != "clauses":
            return format_list(self.env, items)
        text, *others = items or [""]
        for other in others:
            text = self._render_message(
                {
                    "code": CODES["clauses"],
                    "params": {"first": text, "second": other},
                }
            )
        return text

    def _render_text(self, value):
        texts = value["value"] or {}
        return (
            texts.get(self.env.lang or "en_US")
            or texts.get("en_US")
            or next(iter(texts.values()), "")
        )

    def _render_record(self, value):
        key = (value["model"], value["id"])
        if key not in self.records:
            record = (
                self.env[value["model"]].sudo().browse(value["id"]).exists()
                if value["model"] in self.env.registry
                else None
            )
            self.records[key] = (
                record[value["field"]] if record else value.get("value")
            ) or ""
        return self.records[key]

    def _render_unknown(self, value):
        return str(value)
