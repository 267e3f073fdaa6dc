import { registry } from "@web/core/registry";

// A marketplace export: one order to import, one with a SKU nobody knows.
const EXPORT = [
    "Order ID,Recipient,Phone,Province,City,Address,SKU,Quantity,Unit Price",
    "TOUR-1001,王小明,13800138000,浙江,杭州市,文三路 90 号,TOUR-CUP,2,9.5",
    "TOUR-1002,李四,13900139000,浙江,杭州市,西湖路 1 号,NO-SUCH-SKU,1,5",
].join("\r\n");
const ROWS = ".o_form_view .o_field_widget[name='row_ids'] .o_data_row";

registry.category("web_tour.tours").add("sale_fulfillment_order_import_tour", {
    steps: () => [
        {
            content: "Open the Orders menu",
            trigger: ".o_main_navbar .o_menu_sections button:contains('Orders')",
            run: "click",
        },
        {
            content: "Open the order imports",
            trigger: ".dropdown-menu .dropdown-item:contains('Import Orders')",
            run: "click",
        },
        {
            content: "Import a new file",
            trigger: ".o_control_panel .o_list_button_add",
            run: "click",
        },
        {
            content: "Choose the channel's template",
            trigger: ".o_form_view .o_field_widget[name='template_id'] input",
            run: "edit Tour Mall",
        },
        {
            trigger: ".o-autocomplete--dropdown-item:contains('Tour Mall export')",
            run: "click",
        },
        {
            content: "Upload the export",
            trigger: ".o_form_view .o_field_widget[name='file'] .o_select_file_button",
            run() {
                const input = document.querySelector(
                    ".o_form_view .o_field_widget[name='file'] input[type='file']"
                );
                const transfer = new DataTransfer();
                transfer.items.add(
                    new File([EXPORT], "tour_orders.csv", { type: "text/csv" })
                );
                input.files = transfer.files;
                input.dispatchEvent(new Event("change", { bubbles: true }));
            },
        },
        {
            content: "The file is there",
            trigger: ".o_form_view .o_field_widget[name='file'] input.o_input",
        },
        {
            content: "Check it",
            trigger: ".o_form_view .o_statusbar_buttons button[name='action_check']",
            run: "click",
        },
        {
            content: "The first order is valid",
            trigger: `${ROWS}:contains('TOUR-1001') .badge:contains('Valid')`,
        },
        {
            content: "The second says what is wrong",
            trigger: `${ROWS}:contains('TOUR-1002'):contains('No product has the SKU NO-SUCH-SKU')`,
        },
        {
            content: "Import the valid orders",
            trigger: ".o_form_view .o_statusbar_buttons button[name='action_import']",
            run: "click",
        },
        {
            content: "The first order is imported",
            trigger: `${ROWS}:contains('TOUR-1001') .badge:contains('Imported')`,
        },
        {
            content: "Open the order",
            trigger: ".o_form_view .oe_stat_button[name='action_view_orders']",
            run: "click",
        },
        {
            content: "It is the customer's confirmed order",
            trigger:
                ".o_form_view .o_field_widget[name='partner_id']:contains('王小明')",
        },
    ],
});
