import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("sale_fulfillment_portal_tracking_tour", {
    steps: () => [
        {
            content: "Open the order from the customer's order list",
            trigger: ".o_portal_my_doc_table tbody tr:first-child a",
            run: "click",
        },
        {
            content: "The order page shows its tracking timeline",
            trigger: "#sale_fulfillment_timeline li[data-step='received'][data-status='done']",
        },
        {
            content: "The goods left in two parcels",
            trigger:
                "#sale_fulfillment_timeline li[data-step='shipped'][data-status='done']:contains('Shipped in 2 parcels.')",
        },
        {
            content: "The shipment names its carrier",
            trigger:
                "#sale_fulfillment_timeline li[data-step='shipped'] .o_sale_fulfillment_carrier:contains('Tour Express')",
        },
        {
            content: "The tracking reference links to the carrier's tracking page",
            trigger:
                "#sale_fulfillment_timeline li[data-step='shipped'] a.o_sale_fulfillment_tracking[href='https://track.example.com/?ref=TOUR-TRACK-1']:contains('TOUR-TRACK-1')",
        },
        {
            content: "Both parcels are listed",
            trigger:
                "#sale_fulfillment_timeline li[data-step='shipped']:contains('TOUR-PARCEL-1'):contains('TOUR-PARCEL-2')",
        },
        {
            content: "The order was delivered",
            trigger: "#sale_fulfillment_timeline li[data-step='delivered'][data-status='done']",
        },
        {
            content: "Nothing is left to do: no step is pending",
            trigger:
                "#sale_fulfillment_timeline:not(:has(li[data-status='current'])):not(:has(li[data-status='todo']))",
        },
    ],
});
