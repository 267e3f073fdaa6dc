from . import (
    test_fulfillment_state,
    test_i18n,
    test_install,
    test_menus,
    test_review_concurrency,
    test_review_rules,
    test_review_workflow,
    test_security,
    test_ui,
)
