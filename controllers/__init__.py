from . import portal, portal_order_changes
