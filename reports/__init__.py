"""Report actions, QWeb templates and report.* parsers of Order Fulfillment."""

from . import production_plan
