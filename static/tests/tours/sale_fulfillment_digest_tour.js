import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("sale_fulfillment_digest_tour", {
    steps: () => [
        {
            content: "Open the orders waiting to ship",
            trigger: ".o_list_view .o_group_header:contains('To Ship')",
            run: "click",
        },
        {
            content: "The backlog lists the order waiting too long, highlighted",
            trigger: ".o_list_view .o_data_row.text-danger:contains('Tour Backlog Customer')",
        },
        {
            content: "Open the Reporting menu",
            trigger: ".o_main_navbar .o_menu_sections button:contains('Reporting')",
            run: "click",
        },
        {
            content: "Open the Order Analysis",
            trigger: ".dropdown-menu .dropdown-item:contains('Order Analysis')",
            run: "click",
        },
        {
            content: "The analysis pivots the orders",
            trigger: ".o_pivot .o_pivot_cell_value",
        },
        {
            content: "Switch to the graph",
            trigger: ".o_switch_view.o_graph",
            run: "click",
        },
        {
            content: "The graph is drawn",
            trigger: ".o_graph_renderer canvas",
        },
        {
            content: "Open the Configuration menu",
            trigger: ".o_main_navbar .o_menu_sections button:contains('Configuration')",
            run: "click",
        },
        {
            content: "Open the order digests",
            trigger: ".dropdown-menu .dropdown-item:contains('Order Digests')",
            run: "click",
        },
        {
            content: "Open the tour's digest",
            trigger: ".o_data_row .o_data_cell:contains('Tour Digest')",
            run: "click",
        },
        {
            content: "Send it now",
            trigger: ".o_form_view button[name='action_send_now']",
            run: "click",
        },
        {
            content: "Odoo confirms the sending",
            trigger: ".o_notification:contains('Digest sent to 1 recipient(s).')",
        },
    ],
});
