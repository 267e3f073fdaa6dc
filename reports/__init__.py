"""Report actions, QWeb templates and report.* parsers of Order Fulfillment."""
