from odoo import fields, models


class StockPickingType(models.Model):
    _inherit = "stock.picking.type"

    auto_split_availability = fields.Boolean(
        string="Ship Ready Part Separately",
        help='When a delivery whose shipping policy is "As soon as possible" '
        "becomes partially available, move what cannot be reserved to a new "
        "delivery so that the ready part can leave now. Only when the company "
        "has Ship Ready Parts Separately on in the Inventory settings.",
    )
    pack_verify_required = fields.Boolean(
        string="Verify by Scanning",
        help="At the pack station every item of a delivery of this type must be "
        "scanned before it can be validated. A stock manager may still validate "
        "an incomplete delivery, with a reason. Only when the company has the "
        "pack-station checks on in the Inventory settings.",
    )
    pack_weigh_required = fields.Boolean(
        string="Weigh Before Shipping",
        help="At the pack station a delivery of this type can only be validated "
        "once its parcel has been weighed within the tolerance. Only when the "
        "company has the pack-station checks on in the Inventory settings.",
    )
    stock_pack_check_enabled = fields.Boolean(
        related="company_id.stock_pack_check_enabled"
    )
    stock_auto_split_enabled = fields.Boolean(
        related="company_id.stock_auto_split_enabled"
    )
