from odoo import fields, models


class ProductTemplate(models.Model):
    _inherit = "product.template"

    min_sale_price = fields.Float(
        string="Minimum Sale Price",
        digits="Product Price",
        help="Net unit price (after discount, in the company currency) under which "
        "the price review rule holds an order. 0 means no minimum.",
    )
