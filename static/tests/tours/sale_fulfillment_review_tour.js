import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("sale_fulfillment_review_tour", {
    steps: () => [
        {
            content: "The queue tells why the first order is held",
            trigger: ".o_data_row:contains('Tour Held Alpha'):contains('Order total')",
        },
        {
            content: "Open the first held order",
            trigger: ".o_data_row .o_data_cell:contains('Tour Held Alpha')",
            run: "click",
        },
        {
            content: "The banner lists the issue and who clears it",
            trigger: ".o_sale_review_banner:contains('Order total'):contains('cleared by')",
        },
        {
            content: "Approve it",
            trigger: ".o_form_view button[name='action_review_approve']",
            run: "click",
        },
        {
            content: "The approved order is confirmed and to ship",
            trigger: ".o_field_widget[name='fulfillment_state']:contains('To Ship')",
        },
        {
            content: "Back to the queue",
            trigger: ".o_breadcrumb a:contains('To Review')",
            run: "click",
        },
        {
            content: "Open the second held order",
            trigger: ".o_data_row .o_data_cell:contains('Tour Held Beta')",
            run: "click",
        },
        {
            content: "Reject it",
            trigger: ".o_form_view button[name='action_open_review_reject_wizard']",
            run: "click",
        },
        {
            content: "Say why",
            trigger: ".modal .o_field_widget[name='reason'] textarea",
            run: "edit Customer asked to wait",
        },
        {
            content: "Confirm the rejection",
            trigger: ".modal button[name='action_reject']",
            run: "click",
        },
        {
            content: "The order shows the rejection and its reason",
            trigger: ".o_sale_review_banner:contains('Customer asked to wait')",
        },
    ],
});
