import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("sale_fulfillment_state_tour", {
    steps: () => [
        {
            content: "Both orders are listed before filtering",
            trigger: ".o_list_view .o_data_row:contains('Tour Customer Shipped')",
        },
        {
            content: "Open the search options",
            trigger: ".o_searchview_dropdown_toggler",
            run: "click",
        },
        {
            content: "Filter the orders that are to ship",
            trigger: ".o_filter_menu .o_menu_item:contains('To Ship')",
            run: "click",
        },
        {
            content: "The shipped order is filtered out",
            trigger:
                ".o_list_view:not(:has(.o_data_row:contains('Tour Customer Shipped')))",
        },
        {
            content: "Open the order to ship",
            trigger: ".o_data_row .o_data_cell:contains('Tour Customer To Ship')",
            run: "click",
        },
        {
            content: "The order form shows its fulfillment state",
            trigger: ".o_form_view .o_field_widget[name='fulfillment_state']:contains('To Ship')",
        },
    ],
});
