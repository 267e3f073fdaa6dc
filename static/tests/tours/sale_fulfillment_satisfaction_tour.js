import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("sale_fulfillment_satisfaction_tour", {
    steps: () => [
        {
            content: "The analysis pivots the orders",
            trigger: ".o_pivot .o_pivot_cell_value",
        },
        {
            content: "Open the search options",
            trigger: ".o_searchview_dropdown_toggler",
            run: "click",
        },
        {
            content: "Group the orders by channel",
            trigger: ".o_group_by_menu .o_menu_item:contains('Channel')",
            run: "click",
        },
        {
            content: "The channel of the rated order is a row",
            trigger: ".o_pivot .o_pivot_header_cell_closed:contains('Tour Marketplace')",
        },
        {
            content: "Open the measures",
            trigger: ".o_pivot_buttons button:contains('Measures')",
            run: "click",
        },
        {
            content: "Show the average rating",
            trigger: ".dropdown-menu .o_menu_item:contains('Average Rating')",
            run: "click",
        },
        {
            content: "The pivot reads the average rating of the channel",
            trigger:
                ".o_pivot thead:contains('Average Rating') ~ tbody tr:contains('Tour Marketplace') .o_pivot_cell_value:contains('5.00')",
        },
        {
            content: "Open the Orders menu",
            trigger: ".o_main_navbar .o_menu_sections button:contains('Orders')",
            run: "click",
        },
        {
            content: "Open the sales orders",
            trigger: ".dropdown-menu .dropdown-item:contains('Orders')",
            run: "click",
        },
        {
            content: "Open the rated order",
            trigger: ".o_data_row .o_data_cell:contains('Rating Customer')",
            run: "click",
        },
        {
            content: "Open the Other Info tab",
            trigger: ".o_notebook .nav-link:contains('Other Info')",
            run: "click",
        },
        {
            content: "The Satisfaction area shows the customer's rating",
            trigger:
                ".o_group:contains('Satisfaction') .o_field_widget[name='rating_last_text']:contains('Satisfied')",
        },
        {
            content: "And the comment",
            trigger: ".o_field_widget[name='rating_last_feedback']:contains('Tour says thanks')",
        },
        {
            content: "Open the order's ratings",
            trigger: ".o_form_view button[name='action_view_ratings']",
            run: "click",
        },
        {
            content: "The rating is listed with its comment",
            trigger: ".o_kanban_record:contains('Tour says thanks')",
        },
    ],
});
