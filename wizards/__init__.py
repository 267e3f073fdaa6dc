"""Transient models (wizards) of Order Fulfillment, one file per wizard."""
