from odoo import fields, models


class StockPickingType(models.Model):
    _inherit = "stock.picking.type"

    auto_split_availability = fields.Boolean(
        string="Ship Ready Part Separately",
        help='When a delivery whose shipping policy is "As soon as possible" '
        "becomes partially available, move what cannot be reserved to a new "
        "delivery so that the ready part can leave now.",
    )
