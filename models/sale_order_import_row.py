from odoo import api, fields, models

from ..const import ORDER_IMPORT_ROW_STATUSES
from .batch_write import write_per_record


class SaleOrderImportRow(models.Model):
    """A row of an imported file (an order line): what became of it."""

    _name = "sale.order.import.row"
    _description = "Order Import Row"
    _order = "import_id, row_number, id"
    _rec_name = "row_number"

    import_id = fields.Many2one(
        comodel_name="sale.order.import",
        required=True,
        ondelete="cascade",
        index=True,
    )
    row_number = fields.Integer(
        string="Row",
        readonly=True,
        help="The row's number in the file, as a spreadsheet shows it.",
    )
    channel_order_ref = fields.Char(string="Platform Order No.", readonly=True)
    status = fields.Selection(
        selection=ORDER_IMPORT_ROW_STATUSES,
        required=True,
        default="ok",
        readonly=True,
    )
    message = fields.Text(readonly=True)
    order_id = fields.Many2one(
        comodel_name="sale.order",
        readonly=True,
        ondelete="set null",
        index="btree_not_null",
    )
    values = fields.Json(
        readonly=True,
        help="Technical: the row's values as read from the file, by target.",
    )
    read_errors = fields.Json(
        readonly=True,
        help="Technical: what is wrong with the row on its own.",
    )
    is_processed = fields.Boolean(
        string="Done",
        readonly=True,
        help="The import is done with the row: imported, found imported "
        "already, or refused.",
    )
    medium_id = fields.Many2one(related="import_id.medium_id", string="Channel")

    @api.model
    def _write_outcome(self, entries, results, processed=False):
        """Write on the rows of ``entries`` ({rows, order, errors}, as
        ``sale.order.import._build_orders`` returns them) their outcome:
        their own errors, else the order intake's ``results`` {id(entry):
        result}, in one query. ``processed``: the import is done with the
        rows (imported, duplicate or refused)."""
        duplicates = self.env["sale.order"].browse(
            result["order_id"]
            for result in results.values()
            if result["status"] == "duplicate" and result.get("order_id")
        )
        names = dict(
            zip(duplicates.ids, duplicates.mapped("display_name"), strict=True)
        )
        row_ids = []
        vals_list = []
        for entry in entries:
            outcome = self._get_outcome(entry, results.get(id(entry)), names)
            for row, vals in zip(entry["rows"], outcome, strict=True):
                row_ids.append(row.id)
                vals_list.append({**vals, "is_processed": processed})
        write_per_record(self.browse(row_ids), vals_list)

    @api.model
    def _get_outcome(self, entry, result, names):
        """The values written on each row of ``entry``: its status, message
        and order, from the intake's ``result``; ``names`` {order id:
        name} of the orders imported already."""
        rows = entry["rows"]
        if entry["errors"]:
            return self._get_error_outcome(
                rows, {row.id: entry["errors"].get(row.id) for row in rows}
            )
        status = result["status"]
        order_id = result.get("order_id") or None
        if status == "error":
            line_messages = result.get("line_messages") or []
            own = {}
            for index, row in enumerate(rows):
                messages = [result.get("message")]
                if index < len(line_messages):
                    messages.append(line_messages[index])
                own[row.id] = [message for message in messages if message]
            return self._get_error_outcome(rows, own)
        message = result.get("message") or None
        if status == "duplicate" and not message:
            message = self.env._(
                "Already imported: %(order)s.", order=names.get(order_id, "")
            )
        return [
            {"status": status, "message": message, "order_id": order_id}
            for _row in rows
        ]

    @api.model
    def _get_error_outcome(self, rows, messages):
        """Error values for ``rows`` of one order, ``messages`` {row id:
        [messages] or None}: a row without a message of its own says which
        rows of its order have one."""
        bad = [row.row_number for row in rows if messages.get(row.id)]
        if len(bad) == 1:
            other = self.env._("Row %(rows)s of this order has an error.", rows=bad[0])
        else:
            other = self.env._(
                "Rows %(rows)s of this order have errors.",
                rows=", ".join(map(str, bad)),
            )
        return [
            {
                "status": "error",
                "message": "\n".join(messages.get(row.id) or [other]),
                "order_id": None,
            }
            for row in rows
        ]

    @api.model
    def _get_read_error_messages(self, errors):
        """The words of the errors a row has on its own (``[(code,
        params)]``, see ``sale_order_import_reader.ERROR_CODES``)."""
        messages = []
        for code, params in errors:
            if code == "no_order_ref":
                messages.append(self.env._("The row has no platform order number."))
            elif code == "number_lost" and params.get("target") == "line_ref":
                messages.append(
                    self.env._(
                        "The platform line number %(number)s was turned into a "
                        "number by a spreadsheet: its last digits are lost. Format "
                        "the column as text and export again.",
                        number=params.get("number"),
                    )
                )
            elif code == "number_lost":
                messages.append(
                    self.env._(
                        "The platform order number %(number)s was turned into a "
                        "number by a spreadsheet: its last digits are lost. Format "
                        "the column as text and export again.",
                        number=params.get("number"),
                    )
                )
            else:
                messages.append(code)
        return messages
