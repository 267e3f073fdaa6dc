from odoo import fields, models

from ..const import ORDER_IMPORT_TARGETS


class SaleOrderImportValue(models.Model):
    """A value map of an import template: in the column of ``target``, the
    cell ``source`` is read as ``value`` (货到付款 → cod, 顺丰 → SF Express),
    before the order is checked."""

    _name = "sale.order.import.value"
    _description = "Order Import Value Map"
    _order = "template_id, target, source, id"

    template_id = fields.Many2one(
        comodel_name="sale.order.import.template",
        required=True,
        ondelete="cascade",
        index=True,
    )
    target = fields.Selection(
        selection=ORDER_IMPORT_TARGETS,
        string="Column",
        required=True,
    )
    source = fields.Char(
        string="File Value",
        required=True,
        help="The value as the file has it (spaces around it and the case of "
        "its letters do not matter).",
    )
    value = fields.Char(
        string="Read As",
        required=True,
        help="The value the order gets: e.g. cod for a cash-on-delivery payment "
        "method, a carrier's name in Odoo.",
    )
