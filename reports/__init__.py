"""Report actions, QWeb templates and report.* parsers of Order Fulfillment."""

from . import packing_slip, picking_list, production_plan, rma_slip
