"""Report actions, QWeb templates and report.* parsers of Order Fulfillment."""

from . import (
    mrp_workcenter_load,
    order_statistics,
    packing_slip,
    picking_list,
    production_plan,
    rma_slip,
    sale_order_analysis,
)
