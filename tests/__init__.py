from . import (
    test_fulfillment_state,
    test_i18n,
    test_install,
    test_menus,
    test_security,
    test_ui,
)
