import { registry } from "@web/core/registry";
import { RadioField, radioField } from "@web/views/fields/radio/radio_field";

/**
 * Radio buttons of an after-sales type that offer only the types the record's
 * ``allowed_rma_types`` (comma-separated keys) lists.
 */
export class SaleRmaTypeRadioField extends RadioField {
    get items() {
        const allowed = (this.props.record.data.allowed_rma_types || "").split(",");
        return super.items.filter(([value]) => allowed.includes(value));
    }
}

registry.category("fields").add("sale_rma_type_radio", {
    ...radioField,
    component: SaleRmaTypeRadioField,
});
