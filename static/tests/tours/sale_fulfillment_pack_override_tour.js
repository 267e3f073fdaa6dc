import { registry } from "@web/core/registry";

/** Type ``barcode`` the way a keyboard-wedge scanner does, then Enter. */
function scan(barcode) {
    for (const key of barcode) {
        document.body.dispatchEvent(new KeyboardEvent("keydown", { key, bubbles: true }));
    }
    document.body.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter", bubbles: true }));
}

registry.category("web_tour.tours").add("sale_fulfillment_pack_override_tour", {
    steps: () => [
        {
            content: "Search the ready deliveries",
            trigger: ".o_pack_station .o_pack_search",
            run: "edit Tour Override",
        },
        {
            content: "Search",
            trigger: ".o_pack_list form button[type='submit']",
            run: "click",
        },
        {
            content: "Only the customer's delivery is left: open it",
            trigger: ".o_pack_list:not(:has(.o_pack_picking:not(:contains('Tour Override Customer')))) .o_pack_picking:contains('Tour Override Customer')",
            run: "click",
        },
        {
            content: "Scan one cup",
            trigger: ".o_pack_picking_view .o_pack_line:contains('Tour Override Cup')",
            run: () => scan("TOUR-OV-CUP"),
        },
        {
            content: "The cup is counted",
            trigger: ".o_pack_feedback.alert-success:contains('1 of 2')",
        },
        {
            content: "Put it in a pack",
            trigger: ".o_pack_put_in_pack",
            run: "click",
        },
        {
            content: "The parcel is made",
            trigger: ".o_pack_packages .badge",
        },
        {
            content: "Start over",
            trigger: ".o_pack_reset",
            run: "click",
        },
        {
            content: "Nothing is counted any more",
            trigger: ".o_pack_feedback:contains('scan again') ~ .o_pack_picking_view .o_pack_total_counted:contains('0')",
        },
        {
            content: "Scan the cup again",
            trigger: ".o_pack_station",
            run: () => scan("TOUR-OV-CUP"),
        },
        {
            content: "It is counted again",
            trigger: ".o_pack_total_counted:contains('1')",
        },
        {
            content: "Validate with a cup and the tray missing",
            trigger: ".o_pack_validate",
            run: "click",
        },
        {
            content: "Ship the rest later",
            trigger: ".o_pack_ask_backorder .o_pack_backorder_yes",
            run: "click",
        },
        {
            content: "The station refuses: not everything is scanned",
            trigger: ".o_pack_feedback.alert-danger:contains('not completely scanned')",
        },
        {
            content: "The manager gives a reason",
            trigger: ".o_pack_override .o_pack_override_reason",
            run: "edit The customer takes the cup now, the rest next week",
        },
        {
            content: "and validates anyway",
            trigger: ".o_pack_validate_anyway:enabled",
            run: "click",
        },
        {
            content: "Validated, the rest waits in a backorder",
            trigger: ".o_pack_feedback_done:contains('the rest waits in')",
        },
        {
            content: "Back to the deliveries",
            trigger: ".o_pack_back",
            run: "click",
        },
        {
            content: "The list is shown again",
            trigger: ".o_pack_list",
        },
    ],
});
