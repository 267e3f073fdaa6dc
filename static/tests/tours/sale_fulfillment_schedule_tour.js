import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("sale_fulfillment_schedule_tour", {
    steps: () => [
        {
            content: "Open Schedule Production from the Planning menu",
            trigger: ".o_menu_sections button:contains('Planning')",
            run: "click",
        },
        {
            trigger: ".dropdown-menu .dropdown-item:contains('Schedule Production')",
            run: "click",
        },
        {
            content: "The wizard lists the make-to-order production",
            trigger: ".modal .o_field_widget[name='production_ids'] .o_data_row:contains('Tour Bench')",
        },
        {
            content: "Look two weeks ahead",
            trigger: ".modal .o_field_widget[name='horizon_days'] input",
            run: "edit 14",
        },
        {
            content: "Schedule",
            trigger: ".modal button[name='action_schedule']",
            run: "click",
        },
        {
            content: "The production plan opens by week, per work center",
            trigger: ".o_pivot th:contains('Tour Bench Assembly')",
        },
        {
            content: "Columns are weeks",
            trigger: ".o_pivot thead th:contains('W')",
        },
        {
            content: "Open the planned work orders from the Planning menu",
            trigger: ".o_menu_sections button:contains('Planning')",
            run: "click",
        },
        {
            trigger: ".dropdown-menu .dropdown-item:contains('Planned Work Orders')",
            run: "click",
        },
        {
            // Wait for the new action (it opens on its calendar) before
            // switching views: a switch on the plan still shown would win.
            content: "The planned work orders open on their calendar",
            trigger: ".o_calendar_view",
        },
        {
            content: "Show them as a list",
            trigger: ".o_switch_view.o_list",
            run: "click",
        },
        {
            content: "Our work center has planned work",
            trigger: ".o_list_view .o_group_header:contains('Tour Bench Assembly')",
            run: "click",
        },
        {
            content: "Our work order is planned",
            trigger: ".o_list_view .o_data_row:contains('Assemble')",
        },
        {
            content: "Select every planned work order",
            trigger: ".o_list_view thead .o_list_record_selector input",
            run: "click",
        },
        {
            content: "Open the print menu",
            trigger: ".o_control_panel .o_cp_action_menus button:has(.fa-print)",
            run: "click",
        },
        {
            content: "Print the daily production plan",
            trigger: ".dropdown-menu .dropdown-item:contains('Daily Production Plan')",
            run: "click",
        },
        {
            content: "Printed without an error",
            trigger: ".o_list_view:not(:has(.o_error_dialog))",
        },
    ],
});
