"""Constants shared by several layers of the addon (models, reports,
controllers, wizards): stages, types, states and timings. Each layer imports
them from here rather than from another layer's module."""

from odoo.tools import LazyTranslate

_lt = LazyTranslate(__name__)

# Sales orders

FULFILLMENT_STATES = [
    ("quotation", "Quotation"),
    ("to_review", "To Review"),
    ("rejected", "Rejected"),
    ("to_pay", "Awaiting Payment"),
    ("in_production", "In Production"),
    ("to_ship", "To Ship"),
    ("partially_shipped", "Partially Shipped"),
    ("shipped", "Shipped"),
    ("aftersales", "In After-Sales"),
    ("done", "Done"),
    ("cancel", "Cancelled"),
]

# The company field holding the service level (hours) of each open stage.
SLA_FIELDS = {
    "to_review": "sale_sla_to_review_hours",
    "to_pay": "sale_sla_to_pay_hours",
    "in_production": "sale_sla_in_production_hours",
    "to_ship": "sale_sla_to_ship_hours",
    "partially_shipped": "sale_sla_partially_shipped_hours",
    "shipped": "sale_sla_shipped_hours",
    "aftersales": "sale_sla_aftersales_hours",
}

# Order review

SEVERITIES = [("block", "Hold the order"), ("warning", "Record a warning")]

# Names of the default rules a company gets when it switches the review on
# without any rule (``res.company._prepare_default_review_rule_vals_list``).
DEFAULT_REVIEW_RULE_NAMES = {
    "incomplete_address": _lt("Incomplete delivery address"),
    "duplicate_order": _lt("Duplicate order within 24 hours"),
    "credit_limit": _lt("Credit limit exceeded"),
    "stock_shortage": _lt("Stock shortage"),
    "customer_note": _lt("Customer remark"),
}

# After-sales requests

RMA_TYPES = [
    ("cancel", "Cancel Order"),
    ("modify", "Modify Order"),
    ("refund", "Refund Only"),
    ("return_refund", "Return and Refund"),
    ("exchange", "Exchange"),
    ("reship", "Re-ship"),
]
# When a return is credited, and when an exchange's replacement ships: company
# defaults that a request may override.
REFUND_TIMINGS = [
    ("on_receipt", "When the Return Is Received"),
    ("immediate", "At Once"),
]
EXCHANGE_POLICIES = [
    ("after_return", "After the Return Is Received"),
    ("immediate", "At Once"),
]
# Types that act on goods not shipped yet, and types that act on shipped goods.
PRE_SHIPMENT_TYPES = ("cancel", "modify")
POST_SHIPMENT_TYPES = ("refund", "return_refund", "exchange", "reship")
# Types whose goods come back, and types that send goods again.
RETURN_TYPES = ("return_refund", "exchange")
REPLACEMENT_TYPES = ("exchange", "reship")
# Requests in these states still count against what is left to request.
OPEN_STATES = ("draft", "confirmed", "waiting_return", "received")
# What a customer may request on the portal, in the order the form offers them.
PORTAL_RMA_TYPES = ("return_refund", "exchange", "refund")

# Order allocation

ALLOCATION_RULE_TYPES = [
    ("warehouse", "Warehouse"),
    ("carrier", "Carrier"),
    ("team", "Sales Team"),
]
ALLOCATION_SPLIT_POLICIES = [
    ("never", "Never: the first warehouse ships everything"),
    ("by_line", "By line: each line from the first warehouse covering it"),
]

# Changes before shipment (拦截 / 改地址)

# What a new delivery address may give, as partner fields (the many-2-ones as
# ids), in the order forms show them.
DELIVERY_ADDRESS_FIELDS = (
    "name",
    "phone",
    "email",
    "street",
    "street2",
    "city",
    "zip",
    "state_id",
    "country_id",
)
# Where a change of an order comes from: the back office, the customer portal
# or a sales channel's connector.
ORDER_CHANGE_SOURCES = ("user", "portal", "channel")

# Order import

# What a column of an import template holds: the order intake's targets
# (models/sale_order_import_reader.py lists the same keys, in this order).
ORDER_IMPORT_TARGETS = [
    ("channel_order_ref", "Platform Order No."),
    ("date_order", "Order Date"),
    ("partner_name", "Recipient"),
    ("phone", "Phone"),
    ("email", "Email"),
    ("country", "Country"),
    ("state", "Province / State"),
    ("city", "City"),
    ("district", "District"),
    ("street", "Address"),
    ("zip", "ZIP"),
    ("sku", "SKU"),
    ("quantity", "Quantity"),
    ("price_unit", "Unit Price"),
    ("line_ref", "Platform Line No."),
    ("customer_note", "Buyer Note"),
    ("payment_method", "Payment Method"),
    ("carrier", "Carrier"),
    ("buyer_ref", "Buyer ID"),
]
ORDER_IMPORT_ROW_STATUSES = [
    ("ok", "Valid"),
    ("error", "Error"),
    ("duplicate", "Already Imported"),
    ("imported", "Imported"),
]
