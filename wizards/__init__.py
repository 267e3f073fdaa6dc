from . import (
    choose_delivery_carrier,
    mrp_schedule_wizard,
    sale_allocation_simulation,
    sale_fulfillment_statistics_wizard,
    sale_review_reject_wizard,
    sale_review_simulation,
    sale_rma_wizard,
    stock_picking_split_wizard,
    stock_picking_wave_wizard,
    stock_return_picking,
)
