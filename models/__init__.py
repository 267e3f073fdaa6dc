# The order matters: Odoo builds the models in the order their classes are
# defined, that is, imported.
# - The rating mixin first: sale_order.py and sale_rma.py inherit it, and a
#   module imported before it may import one of them for a constant or a
#   helper.
# - sale_order.py (which adds the mixin to sale.order) before the
#   sale_order_<capability>.py files: their classes must come before the
#   mixin's in sale.order's method order, or the mixin's hooks would win over
#   their overrides (sale_order_rating.py). The alphabetical order gives it;
#   a capability file must not be imported earlier by another module.
from . import sale_fulfillment_rating_mixin

# isort: split
from . import (
    account_move,
    account_move_line,
    crm_team,
    delivery_carrier,
    delivery_carrier_zone,
    ir_actions_report,
    ir_module_module,
    mrp_production,
    mrp_workcenter,
    mrp_workorder,
    payment_transaction,
    product_template,
    res_company,
    res_config_settings,
    res_partner,
    sale_allocation_rule,
    sale_channel_product,
    sale_fulfillment_demo,
    sale_fulfillment_digest,
    sale_fulfillment_message_mixin,
    sale_order,
    sale_order_aftersales,
    sale_order_allocation,
    sale_order_changes,
    sale_order_channel,
    sale_order_cod,
    sale_order_fulfillment_state,
    sale_order_import,
    sale_order_import_column,
    sale_order_import_row,
    sale_order_import_template,
    sale_order_import_value,
    sale_order_intake,
    sale_order_intake_match,
    sale_order_line,
    sale_order_line_allocation,
    sale_order_line_intake,
    sale_order_numbering,
    sale_order_portal,
    sale_order_promise,
    sale_order_rating,
    sale_order_review,
    sale_order_shipment,
    sale_order_tracking,
    sale_review_issue,
    sale_review_rule,
    sale_rma,
    sale_rma_line,
    sale_rma_reason,
    stock_move,
    stock_move_line,
    stock_pack_scan,
    stock_picking,
    stock_picking_auto_receipt,
    stock_picking_cod,
    stock_picking_pack,
    stock_picking_pack_scan,
    stock_picking_shipment,
    stock_picking_type,
    stock_quant,
    stock_rule,
    utm_medium,
)
