import { Component, onWillStart, useState } from "@odoo/owl";
import { scanBarcode } from "@web/core/barcode/barcode_dialog";
import { isBarcodeScannerSupported } from "@web/core/barcode/barcode_video_scanner";
import { deserializeDateTime, formatDateTime } from "@web/core/l10n/dates";
import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { useBus, useService } from "@web/core/utils/hooks";
import { standardActionServiceProps } from "@web/webclient/actions/action_service";

/** Outcome codes of the server's replies, by the colour and sound they get. */
const FEEDBACK_KINDS = {
    wrong_item: "danger",
    wrong_lot: "danger",
    weight_mismatch: "danger",
    closed: "danger",
    too_many: "warning",
    not_reserved: "warning",
    already_scanned: "warning",
    lot_required: "warning",
    nothing_to_pack: "warning",
    bad_weight: "warning",
    ambiguous: "warning",
    unknown: "dark",
};

/** Tone patterns ([frequency in Hz, duration in s], ...) per kind of feedback. */
const TONES = {
    success: [[880, 0.1]],
    done: [
        [880, 0.1],
        [1320, 0.18],
    ],
    warning: [
        [523, 0.12],
        [523, 0.12],
    ],
    danger: [[196, 0.45]],
    dark: [
        [330, 0.2],
        [247, 0.3],
    ],
};

let audioContext = null;

/** Play a short tone pattern; silently does nothing where audio is blocked. */
function playTones(kind) {
    try {
        const AudioContextClass = window.AudioContext || window.webkitAudioContext;
        if (!AudioContextClass) {
            return;
        }
        audioContext = audioContext || new AudioContextClass();
        let start = audioContext.currentTime;
        for (const [frequency, duration] of TONES[kind] || TONES.success) {
            const oscillator = audioContext.createOscillator();
            const gain = audioContext.createGain();
            oscillator.type = kind === "danger" ? "square" : "sine";
            oscillator.frequency.value = frequency;
            gain.gain.value = 0.08;
            oscillator.connect(gain);
            gain.connect(audioContext.destination);
            oscillator.start(start);
            oscillator.stop(start + duration);
            start += duration + 0.05;
        }
    } catch {
        // No sound on this device: the colour still tells.
    }
}

/**
 * Pack station (扫描验货 / 打包 / 称重): pick or scan a ready delivery, scan its
 * items, weigh the parcel, choose the box, validate and print the packing
 * slip. Every scan is one call to the server, which answers with what to show.
 */
export class PackStation extends Component {
    static template = "sale_fulfillment.PackStation";
    static props = { ...standardActionServiceProps };

    setup() {
        this.orm = useService("orm");
        this.action = useService("action");
        this.barcode = useService("barcode");
        this.cameraSupported = isBarcodeScannerSupported();
        this.state = useState({
            pickings: [],
            search: "",
            picking: null,
            feedback: null,
            manual: "",
            weight: "",
            overrideOpen: false,
            overrideReason: "",
            askBackorder: false,
            busy: false,
        });
        this.settings = {};
        // Scans are handled one after the other, none dropped: a scanner
        // can send the next barcode before the server answered the last one.
        this.scanQueue = Promise.resolve();
        this.lastError = null;
        useBus(this.barcode.bus, "barcode_scanned", (ev) => this.onBarcode(ev.detail.barcode));
        onWillStart(async () => {
            this.settings = await this.orm.call("stock.picking", "pack_station_settings", []);
            const params = this.props.action.params || {};
            const pickingId =
                params.picking_id || (this.props.action.context || {}).active_id;
            if (pickingId) {
                await this.call("pack_read", [Number(pickingId)], {}, { silent: true });
            }
            if (!this.state.picking) {
                await this.loadPickings();
            }
        });
    }

    // Reading ---------------------------------------------------------------

    get picking() {
        return this.state.picking;
    }

    get feedbackKind() {
        const feedback = this.state.feedback;
        if (!feedback) {
            return "";
        }
        if (feedback.status === "done") {
            return "done";
        }
        return FEEDBACK_KINDS[feedback.code] || (feedback.status === "error" ? "danger" : "success");
    }

    get feedbackClass() {
        const kind = this.feedbackKind;
        return kind ? `o_pack_feedback_${kind} alert-${kind === "done" ? "success" : kind}` : "";
    }

    get isCounting() {
        return this.picking && this.picking.total_counted > 0;
    }

    get hasShortfall() {
        const picking = this.picking;
        return picking.lines.some(
            (line) => (this.isCounting ? line.counted : line.reserved) < line.demand
        );
    }

    get weightClass() {
        const picking = this.picking;
        if (!picking.measured_weight) {
            return "";
        }
        return picking.weight_ok ? "text-success" : "text-danger";
    }

    lineClass(line) {
        return {
            done: "table-success o_pack_line_done",
            partial: "table-warning o_pack_line_partial",
            todo: "o_pack_line_todo",
        }[line.line_state];
    }

    formatDate(value) {
        return value ? formatDateTime(deserializeDateTime(value)) : "";
    }

    formatNumber(value) {
        return Number(value || 0)
            .toFixed(3)
            .replace(/\.?0+$/, "");
    }

    // Server calls ----------------------------------------------------------

    /**
     * Call a pack-station method of the open delivery (or of ``ids``) and show
     * its reply. A refusal raised by the server is shown like a refused scan.
     */
    async call(method, ids, kwargs = {}, { silent = false } = {}) {
        this.state.busy = true;
        this.lastError = null;
        try {
            const reply = await this.orm.call("stock.picking", method, [ids], kwargs);
            await this.applyReply(reply, { silent });
            return reply;
        } catch (error) {
            if (error.data && error.data.message) {
                this.lastError = error.data.name;
                this.showFeedback({ status: "error", code: "refused", message: error.data.message });
                return null;
            }
            throw error;
        } finally {
            this.state.busy = false;
        }
    }

    async applyReply(reply, { silent = false } = {}) {
        if (reply.code === "open_picking" && reply.open_picking_id) {
            return this.openPicking(reply.open_picking_id);
        }
        if (reply.picking) {
            this.setPicking(reply.picking);
        }
        if (!silent && reply.message) {
            this.showFeedback(reply);
        }
        if (reply.action) {
            await this.action.doAction(reply.action, {
                onClose: () => this.reload(),
            });
        }
    }

    setPicking(picking) {
        const changed = !this.picking || this.picking.id !== picking.id;
        this.state.picking = picking;
        if (changed) {
            this.state.weight = picking.measured_weight ? String(picking.measured_weight) : "";
            this.state.overrideOpen = false;
            this.state.overrideReason = "";
            this.state.askBackorder = false;
            this.props.updateActionState({ picking_id: picking.id });
        }
    }

    showFeedback(reply) {
        this.state.feedback = { status: reply.status, code: reply.code, message: reply.message };
        playTones(this.feedbackKind);
    }

    async loadPickings() {
        this.state.pickings = await this.orm.call("stock.picking", "pack_station_pickings", [], {
            search: this.state.search || null,
        });
    }

    async reload() {
        if (this.picking) {
            await this.call("pack_read", [this.picking.id], {}, { silent: true });
        }
    }

    // User actions ------------------------------------------------------------

    onBarcode(barcode) {
        if (!barcode) {
            return;
        }
        const run = this.scanQueue.then(() => this.handleBarcode(barcode));
        this.scanQueue = run.catch(() => {});
        return run;
    }

    async handleBarcode(barcode) {
        if (this.picking && this.picking.is_open) {
            return this.call("pack_scan", [this.picking.id], { barcode });
        }
        this.state.busy = true;
        try {
            const reply = await this.orm.call("stock.picking", "pack_station_find", [barcode]);
            await this.applyReply(reply);
        } finally {
            this.state.busy = false;
        }
    }

    async onManualSubmit() {
        const value = this.state.manual.trim();
        this.state.manual = "";
        await this.onBarcode(value);
    }

    async scanWithCamera() {
        let barcode;
        try {
            barcode = await scanBarcode(this.env);
        } catch {
            return;
        }
        await this.onBarcode(barcode);
    }

    async onSearch() {
        await this.loadPickings();
    }

    async openPicking(pickingId) {
        this.state.feedback = null;
        await this.call("pack_read", [pickingId], {}, { silent: true });
    }

    async backToList() {
        this.state.picking = null;
        this.state.feedback = null;
        this.props.updateActionState({ picking_id: undefined });
        await this.loadPickings();
    }

    async setWeight() {
        await this.call("pack_set_weight", [this.picking.id], {
            weight: Number(String(this.state.weight).replace(",", ".")),
        });
    }

    async choosePackageType(packageTypeId) {
        await this.call("pack_set_package_type", [this.picking.id], {
            package_type_id: packageTypeId,
        });
    }

    async putInPack() {
        await this.call("pack_put_in_pack", [this.picking.id]);
    }

    async resetCounts() {
        await this.call("pack_reset", [this.picking.id]);
    }

    async validate(backorder = null) {
        if (
            backorder === null &&
            this.picking.backorder_policy === "ask" &&
            this.hasShortfall
        ) {
            this.state.askBackorder = true;
            return;
        }
        this.state.askBackorder = false;
        this.backorderChoice = backorder;
        const kwargs = { backorder };
        if (this.state.overrideOpen && this.state.overrideReason.trim()) {
            kwargs.override_reason = this.state.overrideReason.trim();
        }
        const reply = await this.call("pack_validate", [this.picking.id], kwargs);
        if (reply) {
            this.state.overrideOpen = false;
            this.state.overrideReason = "";
        } else if (
            this.settings.can_override &&
            this.lastError === "odoo.exceptions.UserError" &&
            this.picking.problems.length
        ) {
            this.state.overrideOpen = true;
        }
    }

    async validateAnyway() {
        await this.validate(this.backorderChoice === undefined ? null : this.backorderChoice);
    }

    async printSlip() {
        const action = await this.orm.call("stock.picking", "pack_print_slip", [[this.picking.id]]);
        await this.action.doAction(action);
    }

    async nextDelivery() {
        await this.loadPickings();
        const next = this.state.pickings.find((picking) => picking.id !== this.picking.id);
        if (next) {
            await this.openPicking(next.id);
        } else {
            await this.backToList();
            this.showFeedback({
                status: "ok",
                code: "empty",
                message: _t("No other delivery is ready to pack."),
            });
        }
    }
}

registry.category("actions").add("sale_fulfillment.pack_station", PackStation);
