import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("sale_fulfillment_rma_tour", {
    steps: () => [
        {
            content: "Open the after-sales wizard from the order",
            trigger: ".o_form_view .o_statusbar_buttons button[name='action_open_rma_wizard']",
            run: "click",
        },
        {
            content: "Before shipment types are not offered on a shipped order",
            trigger: ".modal .o_field_widget[name='rma_type']:not(:contains('Cancel'))",
        },
        {
            content: "Choose Return and Refund",
            trigger: ".modal .o_field_widget[name='rma_type'] label:contains('Return and Refund')",
            run: "click",
        },
        {
            content: "The delivered quantity is pre-filled",
            trigger: ".modal .o_field_widget[name='line_ids'] .o_data_row:contains('Tour Return Vase') .o_data_cell[name='quantity']:contains('3')",
        },
        {
            content: "Return two vases only",
            trigger: ".modal .o_field_widget[name='line_ids'] .o_data_row:contains('Tour Return Vase') .o_data_cell[name='quantity']",
            run: "click",
        },
        {
            trigger: ".modal .o_field_widget[name='line_ids'] .o_field_widget[name='quantity'] input",
            run: "edit 2",
        },
        {
            content: "Say why",
            trigger: ".modal .o_field_widget[name='description'] textarea",
            run: "edit The glaze is cracked",
        },
        {
            content: "Create and confirm the request",
            trigger: ".modal button[name='action_create_and_confirm']",
            run: "click",
        },
        {
            content: "The request waits for the goods",
            trigger: ".o_form_view .o_statusbar_status button.o_arrow_button_current:contains('Waiting for Return')",
        },
        {
            content: "Open the return",
            trigger: ".o_form_view button[name='action_view_returns']",
            run: "click",
        },
        {
            content: "Receive the goods",
            trigger: ".o_form_view .o_statusbar_buttons button[name='button_validate']",
            run: "click",
        },
        {
            content: "The return is done",
            trigger: ".o_form_view .o_statusbar_status button.o_arrow_button_current:contains('Done')",
        },
        {
            content: "Back to the request",
            trigger: ".o_breadcrumb a:contains('RMA/')",
            run: "click",
        },
        {
            content: "The goods are received and credited",
            trigger: ".o_form_view .o_statusbar_status button.o_arrow_button_current:contains('Return Received')",
        },
        {
            content: "Open the credit note",
            trigger: ".o_form_view button[name='action_view_refunds']",
            run: "click",
        },
        {
            content: "The credit note gives the two vases back",
            trigger: ".o_form_view .o_field_widget[name='invoice_line_ids'] .o_data_row:contains('Tour Return Vase') .o_data_cell[name='quantity']:contains('2')",
        },
    ],
});
