"""Report actions, QWeb templates and report.* parsers of Order Fulfillment."""

from . import production_plan
from . import sale_order_analysis
from . import order_statistics
