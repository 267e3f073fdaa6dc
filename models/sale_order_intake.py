"""Order intake (订单导入 / 订单接入): platform order numbers and payment method."""

from odoo import fields, models
from odoo.tools import SQL
from odoo.tools.sql import index_exists

# A platform order is imported once per company and channel, whoever imports it.
CHANNEL_ORDER_INDEX = "sale_order_channel_order_ref_uniq"


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
