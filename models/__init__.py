from . import (
    payment_transaction,
    product_template,
    res_company,
    res_config_settings,
    res_partner,
    sale_order,
    sale_order_line,
    sale_review_issue,
    sale_review_rule,
)
