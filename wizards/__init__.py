from . import (
    sale_review_reject_wizard,
    sale_review_simulation,
    stock_picking_split_wizard,
    stock_picking_wave_wizard,
)
