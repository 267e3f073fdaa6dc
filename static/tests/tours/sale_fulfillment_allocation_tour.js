import { registry } from "@web/core/registry";

const QUOTES = ".o_list_view .o_data_row:contains('Tour Allocation Customer')";

registry.category("web_tour.tours").add("sale_fulfillment_allocation_tour", {
    steps: () => [
        {
            content: "Open the Configuration menu",
            trigger: ".o_main_navbar .o_menu_sections button:contains('Configuration')",
            run: "click",
        },
        {
            content: "Open the allocation rules",
            trigger: ".dropdown-menu .dropdown-item:contains('Allocation Rules')",
            run: "click",
        },
        {
            content: "Create a rule",
            trigger: ".o_list_view .o_list_button_add",
            run: "click",
        },
        {
            content: "Name it",
            trigger: ".o_form_view .o_field_widget[name='name'] input",
            run: "edit Tour North First",
        },
        {
            content: "It chooses the warehouse",
            trigger: ".o_form_view .o_field_widget[name='rule_type'] label:contains('Warehouse')",
            run: "click",
        },
        {
            content: "Add the first preferred warehouse",
            trigger: ".o_form_view .o_field_widget[name='warehouse_ids'] .o_field_x2many_list_row_add a",
            run: "click",
        },
        {
            trigger: ".o_form_view .o_field_widget[name='warehouse_ids'] .o_data_row .o_field_widget[name='warehouse_id'] input",
            run: "edit Tour North",
        },
        {
            trigger: ".o-autocomplete--dropdown-item:contains('Tour North Warehouse')",
            run: "click",
        },
        {
            content: "Save the rule",
            trigger: ".o_form_view .o_form_button_save",
            run: "click",
        },
        {
            content: "The rule is saved",
            trigger: ".o_breadcrumb .active:contains('Tour North First')",
        },
        {
            content: "Open the Orders menu",
            trigger: ".o_main_navbar .o_menu_sections button:contains('Orders')",
            run: "click",
        },
        {
            content: "Open the quotations",
            trigger: ".dropdown-menu .dropdown-item:contains('Quotations')",
            run: "click",
        },
        {
            content: "Select the first quotation of the customer",
            trigger: `${QUOTES}:eq(0) .o_list_record_selector input`,
            run: "click",
        },
        {
            content: "Select the second one",
            trigger: `${QUOTES}:eq(1) .o_list_record_selector input`,
            run: "click",
        },
        {
            content: "Open the actions menu",
            trigger: ".o_cp_action_menus button:has(i.fa-cog)",
            run: "click",
        },
        {
            content: "Simulate their allocation",
            trigger: ".o-dropdown--menu span:contains('Simulate Allocation')",
            run: "click",
        },
        {
            content: "Each order would ship from the north warehouse",
            trigger: ".modal .o_field_widget[name='line_ids'] .o_data_row:eq(1):contains('Tour North Warehouse')",
        },
        {
            content: "The counts per warehouse",
            trigger: ".modal .nav-link:contains('Per Warehouse and Carrier')",
            run: "click",
        },
        {
            content: "Two orders for the north warehouse",
            trigger: ".modal .o_field_widget[name='count_ids'] .o_data_row:contains('Tour North Warehouse'):contains('2')",
        },
        {
            content: "Close the simulation: nothing was written",
            trigger: ".modal .modal-footer button:contains('Close')",
            run: "click",
        },
        {
            content: "Open the first quotation",
            trigger: `${QUOTES}:eq(0) .o_data_cell[name='partner_id']`,
            run: "click",
        },
        {
            content: "Confirm it",
            trigger: ".o_form_view button[name='action_confirm']:visible",
            run: "click",
        },
        {
            content: "The order is confirmed",
            trigger: ".o_form_view .o_statusbar_status button.o_arrow_button_current:contains('Sales Order')",
        },
        {
            content: "Open Other Info",
            trigger: ".o_form_view .nav-link:contains('Other Info')",
            run: "click",
        },
        {
            content: "The note says why the north warehouse ships it",
            trigger: `.o_form_view .o_field_widget[name='allocation_note']:contains("Tour North Warehouse: first with stock for the order's line (rule Tour North First)")`,
        },
    ],
});
