import { registry } from "@web/core/registry";

/** Type ``barcode`` the way a keyboard-wedge scanner does, then Enter. */
function scan(barcode) {
    for (const key of barcode) {
        document.body.dispatchEvent(new KeyboardEvent("keydown", { key, bubbles: true }));
    }
    document.body.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter", bubbles: true }));
}

function scanStep(barcode, content) {
    return {
        content,
        trigger: ".o_pack_station",
        run: () => scan(barcode),
    };
}

registry.category("web_tour.tours").add("sale_fulfillment_pack_tour", {
    steps: () => [
        {
            content: "The pack station lists the ready delivery",
            trigger: ".o_pack_station .o_pack_picking:contains('Tour Pack Customer')",
        },
        {
            content: "Scan the delivery's reference",
            trigger: ".o_pack_station .o_pack_picking:contains('Tour Pack Customer')",
            run() {
                const item = [...document.querySelectorAll(".o_pack_picking")].find((el) =>
                    el.textContent.includes("Tour Pack Customer")
                );
                scan(item.dataset.pickingName);
            },
        },
        {
            content: "The delivery opens with its lines to verify",
            trigger: ".o_pack_picking_view .o_pack_line:contains('Tour Pack Cup')",
        },
        scanStep("TOUR-CUP", "Scan a cup"),
        {
            content: "The cup is counted",
            trigger: ".o_pack_feedback.alert-success:contains('1 of 2')",
        },
        scanStep("TOUR-VASE", "Scan a vase that belongs to another order"),
        {
            content: "The wrong item is refused in red",
            trigger: ".o_pack_feedback.alert-danger:contains('Wrong item')",
        },
        {
            content: "and nothing more was counted",
            trigger: ".o_pack_total_counted:contains('1')",
        },
        scanStep("TOUR-CUP", "Scan the second cup"),
        {
            content: "Both cups are counted",
            trigger: ".o_pack_line.o_pack_line_done:contains('Tour Pack Cup')",
        },
        scanStep("TOUR-TRAY", "Scan the tray"),
        {
            content: "Every item is counted; the parcel still has to be weighed",
            trigger: ".o_pack_line.o_pack_line_done:contains('Tour Pack Tray')",
        },
        scanStep("TOUR-BOX", "Scan the carton's barcode"),
        {
            content: "The carton is the chosen box",
            trigger: ".o_pack_box.btn-primary:contains('Tour Carton')",
        },
        {
            content: "Type the weight shown by the scale",
            trigger: ".o_pack_weight_input",
            run: "edit 2.25",
        },
        {
            content: "Weigh",
            trigger: ".o_pack_set_weight",
            run: "click",
        },
        {
            content: "The weight is within the tolerance",
            trigger: ".o_pack_feedback:contains('OK')",
        },
        {
            content: "The delivery is verified",
            trigger: ".o_pack_verify_state[data-state='verified']",
        },
        {
            content: "Validate",
            trigger: ".o_pack_validate",
            run: "click",
        },
        {
            content: "The delivery is validated",
            trigger: ".o_pack_feedback_done:contains('validated')",
        },
        {
            content: "Print the packing slip",
            trigger: ".o_pack_print",
            run: "click",
        },
        {
            content: "The next delivery waits",
            trigger: ".o_pack_next",
            run: "click",
        },
        {
            content: "The next ready delivery opens, ready to scan",
            trigger: ".o_pack_picking_view:has(.o_pack_validate) .o_pack_line",
        },
    ],
});
