from collections import defaultdict

from odoo import Command, api, fields, models
from odoo.exceptions import UserError, ValidationError

from odoo.addons.sale_fulfillment.models.record_order import id_key

GROUP_BY = [
    ("carrier", "Carrier"),
    ("product_category", "Product Category"),
    ("location", "Source Location"),
]


class StockPickingWaveWizard(models.TransientModel):
    _name = "stock.picking.wave.wizard"
    _description = "Build Waves"

    picking_ids = fields.Many2many(
        comodel_name="stock.picking",
        string="Deliveries",
        default=lambda self: self._default_picking_ids(),
        help="Deliveries to put in waves. Only those ready to ship and not yet in "
        "a batch or wave are used.",
    )
    group_by = fields.Selection(
        selection=GROUP_BY,
        string="Group by",
        required=True,
        default="carrier",
        help="Deliveries of one wave share this.",
    )
    max_pickings = fields.Integer(
        string="Max. Deliveries per Wave",
        default=20,
        help="0 means no limit.",
    )
    max_lines = fields.Integer(
        string="Max. Lines per Wave",
        default=0,
        help="0 means no limit. A delivery with more lines makes a wave on its own.",
    )
    user_id = fields.Many2one(
        comodel_name="res.users",
        string="Responsible",
        domain="[('share', '=', False)]",
    )
    start_waves = fields.Boolean(
        string="Start the Waves",
        default=True,
        help="Put the waves in progress at once; otherwise they are drafts.",
    )
    ready_picking_ids = fields.Many2many(
        comodel_name="stock.picking",
        compute="_compute_ready_picking_ids",
    )
    skipped_count = fields.Integer(compute="_compute_ready_picking_ids")
    preview = fields.Html(compute="_compute_preview", sanitize=False)

    @api.model
    def _default_picking_ids(self):
        context = self.env.context
        if context.get("active_model") == "stock.picking" and context.get("active_ids"):
            return self.env["stock.picking"].browse(context["active_ids"])
        return self.env["stock.picking"].search(self._get_ready_domain())

    @api.model
    def _get_ready_domain(self):
        """Deliveries that can go into a wave."""
        return [
            ("picking_type_code", "=", "outgoing"),
            ("state", "=", "assigned"),
            ("batch_id", "=", False),
            ("company_id", "in", self.env.companies.ids),
        ]

    @api.depends("picking_ids")
    def _compute_ready_picking_ids(self):
        domain = self._get_ready_domain()
        for wizard in self:
            ready = wizard.picking_ids.filtered_domain(domain)
            wizard.ready_picking_ids = ready
            wizard.skipped_count = len(wizard.picking_ids) - len(ready)

    @api.depends("ready_picking_ids", "group_by", "max_pickings", "max_lines")
    def _compute_preview(self):
        for wizard in self:
            wizard.preview = self.env["ir.qweb"]._render(
                "sale_fulfillment.stock_picking_wave_preview",
                {"waves": wizard._get_waves(), "wizard": wizard},
            )

    @api.constrains("max_pickings", "max_lines")
    def _check_limits(self):
        if any(wizard.max_pickings < 0 or wizard.max_lines < 0 for wizard in self):
            raise ValidationError(self.env._("Wave limits cannot be negative."))

    def action_build_waves(self):
        """Create one batch transfer per wave and open them."""
        self.ensure_one()
        waves = self._get_waves()
        if not waves:
            raise UserError(
                self.env._(
                    "None of the selected deliveries can go into a wave: only "
                    "deliveries that are ready and not yet in a batch can."
                )
            )
        batches = self.env["stock.picking.batch"].create(
            [self._prepare_batch_vals(label, pickings) for label, pickings in waves]
        )
        if self.start_waves:
            for batch in batches:
                batch.action_confirm()
        action = self.env["ir.actions.actions"]._for_xml_id(
            "stock_picking_batch.stock_picking_batch_action"
        )
        action["domain"] = [("id", "in", batches.ids)]
        action["context"] = {}
        return action

    def _prepare_batch_vals(self, label, pickings):
        """Values of the batch transfer of one wave."""
        return {
            "description": label,
            "user_id": self.user_id.id,
            "company_id": pickings.company_id.id,
            "picking_type_id": pickings.picking_type_id.id,
            "picking_ids": [Command.set(pickings.ids)],
        }

    def _get_waves(self):
        """``[(label, deliveries)]``: the ready deliveries grouped by the chosen
        key (and by company and operation type, which a batch needs to share),
        cut to the limits; oldest and most urgent first."""
        self.ensure_one()
        groups = defaultdict(lambda: self.env["stock.picking"])
        labels = {}
        for picking in self.ready_picking_ids._origin:
            key, label = self._get_wave_key(picking)
            group_key = (picking.company_id.id, picking.picking_type_id.id, key)
            groups[group_key] |= picking
            labels[group_key] = label
        waves = []
        for group_key in sorted(groups, key=lambda k: (k[0], k[1], labels[k])):
            chunks = self._cut_waves(groups[group_key])
            for number, chunk in enumerate(chunks, start=1):
                label = labels[group_key]
                if len(chunks) > 1:
                    label = self.env._(
                        "%(label)s (%(number)s/%(count)s)",
                        label=label,
                        number=number,
                        count=len(chunks),
                    )
                waves.append((label, chunk))
        return waves

    def _cut_waves(self, pickings):
        """Cut deliveries into waves within the limits."""
        chunks = []
        current = self.env["stock.picking"]
        lines = 0
        for picking in pickings.sorted(
            lambda p: (-int(p.priority or 0), p.scheduled_date, id_key(p))
        ):
            count = len(picking.move_ids)
            full = (self.max_pickings and len(current) >= self.max_pickings) or (
                self.max_lines and lines + count > self.max_lines
            )
            if current and full:
                chunks.append(current)
                current, lines = self.env["stock.picking"], 0
            current |= picking
            lines += count
        if current:
            chunks.append(current)
        return chunks

    def _get_wave_key(self, picking):
        """``(key, label)`` of the group a delivery belongs to."""
        if self.group_by == "carrier":
            carrier = picking.carrier_id
            return carrier.id, carrier.name or self.env._("No carrier")
        if self.group_by == "product_category":
            categories = picking.move_ids.product_id.categ_id
            if len(categories) == 1:
                return categories.id, categories.display_name
            return 0, self.env._("Mixed categories")
        location = picking._get_main_source_location()
        return location.id, location.display_name
