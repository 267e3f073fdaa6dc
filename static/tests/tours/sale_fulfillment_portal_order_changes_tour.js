import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("sale_fulfillment_portal_order_changes_tour", {
    steps: () => [
        {
            content: "The order not shipped yet offers a new delivery address",
            trigger: "#o_sale_fulfillment_change_address",
            run: "click",
        },
        {
            content: "The form starts from the current address",
            trigger: "#modal_change_address.show input[name='street']:value(1 Test Street)",
        },
        {
            content: "Deliver to somebody else",
            trigger: "#modal_change_address.show #order_change_name",
            run: "edit Li Lei",
        },
        {
            content: "at another street",
            trigger: "#modal_change_address.show #order_change_street",
            run: "edit 88 Huaihai Road",
        },
        {
            content: "in another city",
            trigger: "#modal_change_address.show #order_change_city",
            run: "edit Shanghai",
        },
        {
            content: "The provinces offered are those of the country",
            trigger: "#modal_change_address.show #order_change_state:has(option[data-country_id]:not(.d-none))",
            run() {
                const country = document.querySelector("#order_change_country").value;
                const foreign = [...this.anchor.querySelectorAll("option[data-country_id]")].filter(
                    (option) => option.dataset.country_id !== country
                );
                if (foreign.length) {
                    throw new Error("Provinces of other countries are offered.");
                }
            },
        },
        {
            content: "Choose the province",
            trigger: "#modal_change_address.show #order_change_state",
            run: "selectByLabel Tour Province",
        },
        {
            content: "Send the new address",
            trigger: "#modal_change_address.show button[type='submit']",
            run: "click",
        },
        {
            content: "The order page confirms the new address",
            trigger: "#o_sale_fulfillment_order_change_message.alert-success:contains('will be delivered to the new address')",
        },
        {
            content: "The customer changes their mind: cancel the order",
            trigger: "#o_sale_fulfillment_cancel_order",
            run: "click",
        },
        {
            content: "Say why",
            trigger: "#modal_cancel_order.show #order_cancel_reason",
            run: "edit Ordered the wrong colour",
        },
        {
            content: "Cancel it",
            trigger: "#modal_cancel_order.show button[type='submit']",
            run: "click",
        },
        {
            content: "The order is cancelled",
            trigger: "#o_sale_fulfillment_order_change_message.alert-success:contains('is cancelled')",
        },
    ],
});
