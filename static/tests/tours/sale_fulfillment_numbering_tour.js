import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("sale_fulfillment_numbering_tour", {
    steps: () => [
        {
            content: "Open the Configuration menu",
            trigger: ".o_main_navbar .o_menu_sections button:contains('Configuration')",
            run: "click",
        },
        {
            content: "Open the order numbering schemes",
            trigger: ".dropdown-menu .dropdown-item:contains('Order Numbering')",
            run: "click",
        },
        {
            content: "Create a scheme",
            trigger: ".o_list_view .o_list_button_add",
            run: "click",
        },
        {
            content: "Name it",
            trigger: ".o_form_view .o_field_widget[name='name'] input",
            run: "edit Tour Phone Orders",
        },
        {
            content: "Number by day",
            trigger: ".o_form_view .o_field_widget[name='numbering_type'] label:contains('Dated Sequence')",
            run: "click",
        },
        {
            content: "Prefix",
            trigger: ".o_form_view .o_field_widget[name='prefix'] input",
            run: "edit TOUR-",
        },
        {
            content: "Separator between the date and the counter",
            trigger: ".o_form_view .o_field_widget[name='separator'] input",
            run: "edit -",
        },
        {
            content: "Three digits",
            trigger: ".o_form_view .o_field_widget[name='padding'] input",
            run: "edit 3",
        },
        {
            content: "For the orders of one channel",
            trigger: ".o_form_view .o_field_widget[name='medium_id'] input",
            run: "edit Tour Channel",
        },
        {
            trigger: ".o-autocomplete--dropdown-item:contains('Tour Channel')",
            run: "click",
        },
        {
            content: "The preview shows the next number",
            trigger: ".o_form_view .o_field_widget[name='next_number_preview']:contains('TOUR-'):contains('-001')",
        },
        {
            content: "Save the scheme",
            trigger: ".o_form_view .o_form_button_save",
            run: "click",
        },
        {
            content: "The scheme is saved",
            trigger: ".o_breadcrumb .active:contains('Tour Phone Orders')",
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
            content: "Create a quotation",
            trigger: ".o_list_view .o_list_button_add",
            run: "click",
        },
        {
            content: "Choose the customer",
            trigger: ".o_form_view .o_field_widget[name='partner_id'] input",
            run: "edit Tour Numbering Customer",
        },
        {
            trigger: ".o-autocomplete--dropdown-item:contains('Tour Numbering Customer')",
            run: "click",
        },
        {
            content: "The order came in by the tour's channel",
            trigger: ".o_form_view .o_field_widget[name='medium_id'] input",
            run: "edit Tour Channel",
        },
        {
            trigger: ".o-autocomplete--dropdown-item:contains('Tour Channel')",
            run: "click",
        },
        {
            content: "Save the quotation",
            trigger: ".o_form_view .o_form_button_save",
            run: "click",
        },
        {
            content: "The quotation has its number from the scheme",
            trigger: ".o_form_view .o_field_widget[name='name']:contains('TOUR-'):contains('-001')",
        },
    ],
});
