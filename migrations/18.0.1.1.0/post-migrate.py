"""18.0.1.1.0: capabilities that change what Odoo does became company
switches, off by default (principle 6). A database that had a capability in
use keeps it on: the switches follow what each company had set up.

The customer emails when shipped or delivered (``sale_notify_shipped``,
``sale_notify_delivered``) already were company fields: only their default
for new companies changed, every existing company keeps its value.
"""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {"active_test": True})
    for field, companies in _get_companies_using(env).items():
        companies.filtered(lambda company, field=field: not company[field]).write(
            {field: True}
        )


def _get_companies_using(env):
    """``{company switch: companies}``: the companies that had each capability
    set up before it got its switch."""
    picking_types = env["stock.picking.type"].search(
        [
            "|",
            "|",
            ("pack_verify_required", "=", True),
            ("pack_weigh_required", "=", True),
            ("auto_split_availability", "=", True),
        ]
    )
    cron = env.ref("sale_fulfillment.ir_cron_mrp_schedule", raise_if_not_found=False)
    return {
        # Active review rules held orders.
        "sale_review_enabled": env["sale.review.rule"].search([]).company_id,
        # Active numbering schemes numbered orders.
        "sale_numbering_enabled": env["sale.order.numbering"].search([]).company_id,
        # Operation types that required the pack station refused validation
        # elsewhere.
        "stock_pack_check_enabled": picking_types.filtered(
            lambda picking_type: (
                picking_type.pack_verify_required or picking_type.pack_weigh_required
            )
        ).company_id,
        # Operation types that split the ready part did so on reservation.
        "stock_auto_split_enabled": picking_types.filtered(
            "auto_split_availability"
        ).company_id,
        # The daily scheduling ran for the orders of every company.
        "mrp_auto_schedule_enabled": env["res.company"].search([])
        if cron and cron.active
        else env["res.company"],
    }
