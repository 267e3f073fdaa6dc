import { registry } from "@web/core/registry";

// A 2×2 red PNG: the photo of the damaged goods.
const PHOTO =
    "iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAFklEQVR4nGP8z8DAwMDAxMDAwMDAAAANHQEDasKb6QAAAABJRU5ErkJggg==";

async function attachPhoto(input) {
    const blob = await (await fetch(`data:image/png;base64,${PHOTO}`)).blob();
    const transfer = new DataTransfer();
    transfer.items.add(new File([blob], "broken-handle.png", { type: "image/png" }));
    input.files = transfer.files;
    input.dispatchEvent(new Event("change", { bubbles: true }));
}

registry.category("web_tour.tours").add("sale_fulfillment_portal_aftersales_tour", {
    steps: () => [
        {
            content: "The delivered order offers an after-sales request",
            trigger: "#o_sale_fulfillment_request_aftersales",
            run: "click",
        },
        {
            content: "Only the delivered quantity can be requested",
            trigger: ".o_sale_rma_form_line:contains('Tour Teacup'):contains('3 Units')",
        },
        {
            content: "Request two teacups",
            trigger: ".o_sale_rma_form_line:contains('Tour Teacup') input[type='number']",
            run: "edit 2",
        },
        {
            content: "Ask for an exchange",
            trigger: "#rma_type_exchange",
            run: "click",
        },
        {
            content: "Say why",
            trigger: "#aftersales_reason",
            run: "selectByLabel Defective product",
        },
        {
            content: "Describe the problem",
            trigger: "#aftersales_description",
            run: "edit The handles broke off on the first use.",
        },
        {
            content: "Attach a photo",
            trigger: "#aftersales_photos",
            async run() {
                await attachPhoto(this.anchor);
            },
        },
        {
            content: "The photo is attached",
            trigger: "#aftersales_photos",
            run() {
                if (this.anchor.files.length !== 1) {
                    throw new Error("The photo was not attached to the form.");
                }
            },
        },
        {
            content: "Send the request",
            trigger: "#aftersales_submit",
            run: "click",
        },
        {
            content: "The request page thanks the customer",
            trigger: "#aftersales_content .alert-success:contains('was sent to our after-sales team')",
        },
        {
            content: "The request is a draft for the after-sales team",
            trigger: ".o_sale_rma_state[data-state='draft']",
        },
        {
            content: "It is an exchange of two teacups",
            trigger: "#aftersales_lines tr:contains('Tour Teacup'):contains('2.00')",
        },
        {
            content: "The customer's message carries the photo",
            trigger:
                "#chatterRoot:shadow .o-mail-Message:contains('The handles broke off') .o-mail-AttachmentImage img",
        },
    ],
});
