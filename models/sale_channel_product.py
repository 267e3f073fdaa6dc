from odoo import api, fields, models


class SaleChannelProduct(models.Model):
    _name = "sale.channel.product"
    _description = "Platform SKU"
    _order = "medium_id, channel_sku, id"
    _rec_name = "channel_sku"

    medium_id = fields.Many2one(
        comodel_name="utm.medium",
        string="Channel",
        required=True,
        ondelete="cascade",
        index=True,
    )
    channel_sku = fields.Char(
        string="Platform SKU",
        required=True,
        help="The SKU (商家编码) of the product in the channel's orders.",
    )
    product_id = fields.Many2one(
        comodel_name="product.product",
        required=True,
        ondelete="cascade",
        index=True,
        domain=[("sale_ok", "=", True)],
    )
    quantity = fields.Float(
        string="Units per Platform Unit",
        default=1.0,
        required=True,
        digits="Product Unit of Measure",
        # A ratio: its sum over a group means nothing.
        aggregator=None,
        help="Units of the product one unit of the platform SKU stands for: 6 "
        "for a six-pack sold as one item. Several products under the same SKU "
        "make a combo: each line of the order gets them all.",
    )
    company_id = fields.Many2one(
        comodel_name="res.company",
        default=lambda self: self.env.company,
        index=True,
    )
    active = fields.Boolean(default=True)

    _sql_constraints = [
        (
            "quantity_positive",
            "CHECK(quantity > 0)",
            "The units per platform unit must be more than zero.",
        ),
        (
            "sku_product_uniq",
            "UNIQUE(medium_id, channel_sku, product_id, company_id)",
            "This product is already mapped to this platform SKU.",
        ),
    ]

    @api.depends("medium_id", "channel_sku")
    def _compute_display_name(self):
        for mapping in self:
            mapping.display_name = (
                f"{mapping.medium_id.display_name} / {mapping.channel_sku}"
                if mapping.medium_id
                else mapping.channel_sku
            )
