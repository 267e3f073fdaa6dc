import { registry } from "@web/core/registry";

const ROWS = ".o_list_view .o_data_row:contains('Tour Merge Customer')";

registry.category("web_tour.tours").add("sale_fulfillment_merge_tour", {
    steps: () => [
        {
            content: "Select the first delivery of the customer",
            trigger: `${ROWS}:eq(0) .o_list_record_selector input`,
            run: "click",
        },
        {
            content: "Select the second one",
            trigger: `${ROWS}:eq(1) .o_list_record_selector input`,
            run: "click",
        },
        {
            content: "Open the actions menu",
            trigger: ".o_cp_action_menus button:has(i.fa-cog)",
            run: "click",
        },
        {
            content: "Merge them",
            trigger: ".o-dropdown--menu span:contains('Merge Shipments')",
            run: "click",
        },
        {
            content: "The merged delivery opens and names both orders",
            trigger: ".o_form_view .o_field_widget[name='sale_order_ids'] .o_tag:eq(1)",
        },
    ],
});
