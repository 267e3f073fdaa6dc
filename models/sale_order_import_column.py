from odoo import api, fields, models

from ..const import ORDER_IMPORT_TARGETS
from .sale_order_import_reader import REQUIRED_TARGETS


class SaleOrderImportColumn(models.Model):
    """A column of an import template: the file's column titled ``header``
    holds ``target``. A target may be listed under several headers (订单编号
    or 平台单号): the first one the file has is read."""

    _name = "sale.order.import.column"
    _description = "Order Import Column"
    _order = "template_id, sequence, id"

    template_id = fields.Many2one(
        comodel_name="sale.order.import.template",
        required=True,
        ondelete="cascade",
        index=True,
    )
    sequence = fields.Integer(default=10)
    target = fields.Selection(
        selection=ORDER_IMPORT_TARGETS,
        string="Reads Into",
        required=True,
    )
    header = fields.Char(
        string="Column Title",
        required=True,
        help="The title of the column in the file's header row (spaces around "
        "it and the case of its letters do not matter).",
    )
    is_required = fields.Boolean(
        string="Required",
        compute="_compute_is_required",
        help="A file without this column cannot be imported.",
    )

    @api.depends("target")
    def _compute_is_required(self):
        for column in self:
            column.is_required = column.target in REQUIRED_TARGETS
