# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "Order Fulfillment",
    "summary": "Order review, make-to-order scheduling, split and merged shipments, "
    "pack-and-verify, after-sales and order reports on top of Odoo",
    "version": "18.0.1.0.0",
    "category": "Sales/Sales",
    "license": "LGPL-3",
    "author": "sale_fulfillment developers",
    "website": "https://github.com/sale-fulfillment/sale_fulfillment",
    "depends": [
        "sale_management",
        "sale_stock",
        "sale_mrp",
        "stock_account",
        "stock_delivery",
        "stock_picking_batch",
        "barcodes",
    ],
    "data": [
        "security/sale_fulfillment_security.xml",
        "security/ir.model.access.csv",
        "views/sale_order_views.xml",
        "views/stock_picking_views.xml",
        "views/mrp_production_views.xml",
        "views/menus.xml",
    ],
    "demo": [
        "data/demo/res_partner_demo.xml",
        "data/demo/product_demo.xml",
        "data/demo/mrp_demo.xml",
        "data/demo/sale_order_demo.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "sale_fulfillment/static/tests/tours/*.js",
        ],
    },
    "installable": True,
    "application": False,
}
