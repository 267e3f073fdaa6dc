from odoo.tools.sql import drop_index

from . import controllers, models, reports, wizards


def uninstall_hook(env):
    """Drop the counters of the order numbering schemes with the addon (their
    ``ir.sequence`` records, date ranges and PostgreSQL sequences), and the
    index on order names numbering added to ``sale_order``."""
    sequences = (
        env["sale.order.numbering"]
        .with_context(active_test=False)
        .search([("sequence_id", "!=", False)])
        .sequence_id
    )
    # Date ranges first: a sequence's unlink drops only its main PostgreSQL
    # sequence.
    sequences.date_range_ids.unlink()
    sequences.unlink()
    drop_index(env.cr, "sale_order_company_id_name_index", "sale_order")
