from odoo import fields, models

PACK_EVENTS = [
    ("count", "Item Counted"),
    ("weight", "Weighed"),
    ("package_type", "Box Chosen"),
    ("pack", "Put in Pack"),
    ("reset", "Counts Reset"),
    ("override", "Manager Override"),
    ("validate", "Validated"),
]
PACK_RESULTS = [
    ("ok", "Passed"),
    ("mismatch", "Mismatch"),
]


class StockPackScan(models.Model):
    """One line of a delivery's pack-station log: who did what, when, and with
    which result. The log is append-only; refused scans change nothing and are
    therefore not logged."""

    _name = "stock.pack.scan"
    # ``message`` reads in the reader's language (see the mixin).
    _inherit = ["sale.fulfillment.message.mixin"]
    _description = "Pack Station Log"
    _order = "scanned_on desc, id desc"
    _rec_name = "barcode"

    picking_id = fields.Many2one(
        comodel_name="stock.picking",
        string="Delivery",
        required=True,
        index=True,
        ondelete="cascade",
        readonly=True,
    )
    company_id = fields.Many2one(
        comodel_name="res.company",
        required=True,
        index=True,
        readonly=True,
        default=lambda self: self.env.company,
    )
    user_id = fields.Many2one(
        comodel_name="res.users",
        required=True,
        readonly=True,
        default=lambda self: self.env.user,
    )
    scanned_on = fields.Datetime(
        string="Date",
        required=True,
        readonly=True,
        default=fields.Datetime.now,
    )
    event = fields.Selection(
        selection=PACK_EVENTS,
        required=True,
        readonly=True,
    )
    result = fields.Selection(
        selection=PACK_RESULTS,
        required=True,
        readonly=True,
        default="ok",
    )
    barcode = fields.Char(readonly=True)
    product_id = fields.Many2one(
        comodel_name="product.product",
        readonly=True,
    )
    lot_id = fields.Many2one(
        comodel_name="stock.lot",
        string="Lot/Serial Number",
        readonly=True,
    )
    quantity = fields.Float(
        digits="Product Unit of Measure",
        readonly=True,
        help="Quantity counted by this scan, in the product's unit of measure.",
    )
    weight = fields.Float(
        digits="Stock Weight",
        readonly=True,
        help="Measured weight of the parcel, for a weighing.",
    )
