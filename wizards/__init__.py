# The simulation mixin first: Odoo builds the models in the order their classes
# are imported, and the review and allocation simulations inherit it.
from . import sale_order_simulation

# isort: split
from . import (
    choose_delivery_carrier,
    mrp_schedule_wizard,
    sale_allocation_simulation,
    sale_fulfillment_statistics_wizard,
    sale_order_address_change,
    sale_review_reject_wizard,
    sale_review_simulation,
    sale_rma_wizard,
    stock_picking_split_wizard,
    stock_picking_wave_wizard,
    stock_return_picking,
)
