import { registry } from "@web/core/registry";

const LINES = ".modal .o_field_widget[name='line_ids'] .o_data_row";

registry.category("web_tour.tours").add("sale_fulfillment_split_tour", {
    steps: () => [
        {
            content: "Open the Split Shipment wizard",
            trigger: ".o_form_view button[name='action_open_split_wizard']",
            run: "click",
        },
        {
            content: "The preview says nothing moves yet",
            trigger: ".modal .o_sale_fulfillment_split_preview:contains('Nothing yet')",
        },
        {
            content: "Edit the quantity of the first line",
            trigger: `${LINES}:contains('Tour Split Cup') .o_data_cell[name='quantity']`,
            run: "click",
        },
        {
            content: "Move 4 cups",
            trigger: `${LINES}:contains('Tour Split Cup') .o_field_widget[name='quantity'] input`,
            run: "edit 4",
        },
        {
            content: "Edit the second line",
            trigger: `${LINES}:contains('Tour Split Tray') .o_data_cell[name='product_id']`,
            run: "click",
        },
        {
            content: "Move the whole tray line",
            trigger: `${LINES}:contains('Tour Split Tray') .o_field_widget[name='whole_line'] input`,
            run: "click",
        },
        {
            content: "The tray line is marked whole",
            trigger: `${LINES}:contains('Tour Split Tray') .o_field_widget[name='whole_line'] input:checked`,
        },
        {
            content: "Leave the line",
            trigger: ".modal p.text-muted",
            run: "click",
        },
        {
            content: "The preview shows the trays and the cups leaving",
            trigger: ".modal .o_split_preview_new:contains('Tour Split Tray'):contains('Tour Split Cup')",
        },
        {
            content: "and the rest of the cups staying",
            trigger: ".modal .o_split_preview_stays:contains('Tour Split Cup'):not(:contains('Tour Split Tray'))",
        },
        {
            content: "Split",
            trigger: ".modal button[name='action_split']",
            run: "click",
        },
        {
            content: "The new shipment opens with the cups and the trays",
            trigger: ".o_form_view .o_field_widget[name='backorder_id']:contains('WH/OUT')",
        },
        {
            content: "Its lines are there",
            trigger: ".o_form_view .o_data_row:contains('Tour Split Tray')",
        },
    ],
});
