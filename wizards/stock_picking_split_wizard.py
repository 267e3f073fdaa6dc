from odoo import Command, api, fields, models
from odoo.exceptions import UserError
from odoo.tools.misc import formatLang


class StockPickingSplitWizard(models.TransientModel):
    _name = "stock.picking.split.wizard"
    _description = "Split Shipment"

    picking_id = fields.Many2one(
        comodel_name="stock.picking",
        string="Shipment",
        required=True,
        readonly=True,
        ondelete="cascade",
    )
    scheduled_date = fields.Datetime(
        string="New Shipment Date",
        compute="_compute_scheduled_date",
        compute_sudo=False,
        store=True,
        readonly=False,
        help="When the new shipment is planned to leave. Leave it as it is to "
        "keep each line's own date.",
    )
    line_ids = fields.One2many(
        comodel_name="stock.picking.split.wizard.line",
        inverse_name="wizard_id",
        string="Lines",
        compute="_compute_line_ids",
        compute_sudo=False,
        store=True,
        readonly=False,
    )
    preview = fields.Html(compute="_compute_preview", sanitize=False)

    @api.depends("picking_id")
    def _compute_scheduled_date(self):
        self._check_preview_access()
        for wizard in self:
            wizard.scheduled_date = wizard.picking_id.scheduled_date

    @api.depends("picking_id")
    def _compute_line_ids(self):
        self._check_preview_access()
        for wizard in self:
            wizard.line_ids = [Command.clear()] + [
                Command.create({"move_id": move.id})
                for move in wizard.picking_id._get_splittable_moves()
            ]

    @api.depends("line_ids.quantity", "line_ids.whole_line", "picking_id")
    def _compute_preview(self):
        self._check_preview_access()
        for wizard in self:
            stays, leaves = [], []
            for line in wizard.line_ids:
                moved = max(line._get_split_quantity(), 0.0)
                remaining = max(line.demand - moved, 0.0)
                if remaining:
                    stays.append((line, wizard._format_quantity(remaining)))
                if moved:
                    leaves.append((line, wizard._format_quantity(moved)))
            wizard.preview = self.env["ir.qweb"]._render(
                "sale_fulfillment.stock_picking_split_preview",
                {"wizard": wizard, "stays": stays, "leaves": leaves},
            )

    def _check_preview_access(self):
        """Refuse the preview to who may not split this shipment: a client's
        onchange computes it without checking any access."""
        self.browse().check_access("create")
        self.picking_id._origin.check_access("read")

    def _format_quantity(self, quantity):
        return formatLang(self.env, quantity, dp="Product Unit of Measure")

    def action_split(self):
        """Split the shipment as entered and open the new one."""
        self.ensure_one()
        quantities = {
            line.move_id.id: line._get_split_quantity()
            for line in self.line_ids
            if line._get_split_quantity()
        }
        date_changed = self.scheduled_date != self.picking_id.scheduled_date
        new_picking = self.picking_id._split_shipment(
            quantities, scheduled_date=date_changed and self.scheduled_date or None
        )
        return new_picking.get_formview_action()

    def action_select_all(self):
        """Mark every line as going whole to the new shipment."""
        for line in self.line_ids:
            line.write({"whole_line": True, "quantity": line.demand})
        return self._reopen()

    def action_select_unreserved(self):
        """Move what is not reserved: the ready part stays."""
        unreserved = self.picking_id._get_unreserved_quantities()
        if not unreserved:
            raise UserError(
                self.env._(
                    "Everything in %(picking)s is reserved: there is no unreserved "
                    "part to move.",
                    picking=self.picking_id.name,
                )
            )
        for line in self.line_ids:
            line.whole_line = False
            line.quantity = unreserved.get(line.move_id.id, 0.0)
        return self._reopen()

    def _reopen(self):
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Split Shipment"),
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
        }


class StockPickingSplitWizardLine(models.TransientModel):
    _name = "stock.picking.split.wizard.line"
    _description = "Split Shipment Line"

    wizard_id = fields.Many2one(
        comodel_name="stock.picking.split.wizard", required=True, ondelete="cascade"
    )
    move_id = fields.Many2one(
        comodel_name="stock.move", required=True, readonly=True, ondelete="cascade"
    )
    # Read with the reader's rights: an onchange may name any move.
    product_id = fields.Many2one(related="move_id.product_id", compute_sudo=False)
    product_uom_id = fields.Many2one(
        related="move_id.product_uom", string="Unit", compute_sudo=False
    )
    demand = fields.Float(
        related="move_id.product_uom_qty",
        digits="Product Unit of Measure",
        compute_sudo=False,
    )
    reserved = fields.Float(
        related="move_id.quantity",
        string="Reserved",
        digits="Product Unit of Measure",
        compute_sudo=False,
    )
    whole_line = fields.Boolean(
        help="Move the whole line to the new shipment.",
    )
    quantity = fields.Float(
        string="To New Shipment",
        digits="Product Unit of Measure",
        help="How much of the line goes to the new shipment.",
    )

    @api.onchange("whole_line")
    def _onchange_whole_line(self):
        for line in self:
            if line.whole_line:
                line.quantity = line.demand
            elif line.quantity == line.demand:
                line.quantity = 0.0

    def _get_split_quantity(self):
        """What this line moves: all of it when marked whole."""
        self.ensure_one()
        return self.demand if self.whole_line else self.quantity
