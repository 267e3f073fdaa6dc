import base64
import io
import logging
import os
import threading
from collections import Counter, defaultdict
from urllib.parse import quote

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import split_every

from . import sale_order_import_reader as reader

_logger = logging.getLogger(__name__)

# Rows created at once when a file is read.
ROW_BATCH = 1000
# Files of more rows are imported in the background (system parameter
# sale_fulfillment.order_import_background_rows).
BACKGROUND_ROWS = 2000
# Orders checked or imported at once; in the background, each chunk is
# committed on its own (system parameter sale_fulfillment.order_import_chunk).
CHUNK_ORDERS = 200
# Chunks one run of the cron imports before it reports its progress.
CRON_CHUNKS = 5


class SaleOrderImport(models.Model):
    """One uploaded file of orders: ``action_check`` reads and validates it
    row by row without creating anything, ``action_import`` creates the
    orders whose every row is valid."""

    _name = "sale.order.import"
    _description = "Order Import"
    _order = "id desc"
    _check_company_auto = True

    template_id = fields.Many2one(
        comodel_name="sale.order.import.template",
        required=True,
        check_company=True,
        ondelete="restrict",
        help="How the file reads: its header row, its columns, its values.",
    )
    medium_id = fields.Many2one(
        related="template_id.medium_id",
        store=True,
        string="Channel",
    )
    company_id = fields.Many2one(
        comodel_name="res.company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
    )
    user_id = fields.Many2one(
        comodel_name="res.users",
        string="Imported By",
        required=True,
        index=True,
        default=lambda self: self.env.user,
    )
    file = fields.Binary(
        required=True,
        attachment=True,
        copy=False,
        help="A CSV file (UTF-8, GB18030/GBK or Big5) or an Excel workbook "
        "(XLSX), one row per order line.",
    )
    filename = fields.Char(copy=False)
    state = fields.Selection(
        selection=[
            ("draft", "Draft"),
            ("checked", "Checked"),
            ("done", "Done"),
        ],
        default="draft",
        required=True,
        readonly=True,
        copy=False,
    )
    row_ids = fields.One2many(
        comodel_name="sale.order.import.row",
        inverse_name="import_id",
        string="Rows",
        readonly=True,
        copy=False,
    )
    file_encoding = fields.Char(
        readonly=True,
        copy=False,
        help="Technical: the encoding the CSV file was read with.",
    )
    file_delimiter = fields.Char(
        readonly=True,
        copy=False,
        help="Technical: the delimiter the CSV file was read with.",
    )
    file_format = fields.Char(compute="_compute_file_format")
    read_on = fields.Datetime(
        readonly=True,
        copy=False,
        help="Technical: when the rows were read from the file.",
    )
    row_count = fields.Integer(string="Rows Read", compute="_compute_counts")
    ok_count = fields.Integer(string="Valid Rows", compute="_compute_counts")
    error_count = fields.Integer(string="Errors", compute="_compute_counts")
    duplicate_count = fields.Integer(
        string="Already Imported", compute="_compute_counts"
    )
    imported_count = fields.Integer(string="Imported Rows", compute="_compute_counts")
    processed_count = fields.Integer(string="Rows Done", compute="_compute_counts")
    progress = fields.Float(
        compute="_compute_counts",
        help="The share of the rows imported so far (percent).",
    )
    order_count = fields.Integer(string="Orders", compute="_compute_order_count")
    in_background = fields.Boolean(
        string="Importing in the Background",
        readonly=True,
        copy=False,
    )
    background_error = fields.Text(
        string="Interrupted",
        readonly=True,
        copy=False,
        help="Why the background import stopped. The orders imported until then "
        "are kept; Import goes on with the rows not imported yet.",
    )
    error_file = fields.Binary(
        string="Errors File",
        attachment=True,
        readonly=True,
        copy=False,
    )
    error_filename = fields.Char(readonly=True, copy=False)

    @api.depends("file_encoding", "file_delimiter", "row_count")
    def _compute_file_format(self):
        for record in self:
            if not record.row_count and not record.file_encoding:
                record.file_format = False
            elif not record.file_encoding:
                record.file_format = self.env._("Excel workbook (XLSX)")
            else:
                record.file_format = record.template_id._get_csv_format_label(
                    record.file_encoding, record.file_delimiter
                )

    @api.depends("row_ids.status", "row_ids.is_processed")
    def _compute_counts(self):
        counts = defaultdict(Counter)
        ids = [record_id for record_id in self._origin.ids if record_id]
        if ids:
            for import_, status, processed, count in self.env[
                "sale.order.import.row"
            ]._read_group(
                [("import_id", "in", ids)],
                groupby=["import_id", "status", "is_processed"],
                aggregates=["__count"],
            ):
                counts[import_.id][status] += count
                counts[import_.id]["rows"] += count
                if processed:
                    counts[import_.id]["processed"] += count
        for record in self:
            count = counts[record._origin.id]
            record.row_count = count["rows"]
            record.ok_count = count["ok"]
            record.error_count = count["error"]
            record.duplicate_count = count["duplicate"]
            record.imported_count = count["imported"]
            record.processed_count = count["processed"]
            record.progress = (
                100.0 * count["processed"] / count["rows"] if count["rows"] else 0.0
            )

    @api.depends("row_ids.order_id")
    def _compute_order_count(self):
        ids = [record_id for record_id in self._origin.ids if record_id]
        counts = dict(
            self.env["sale.order.import.row"]._read_group(
                [("import_id", "in", ids), ("order_id", "!=", False)],
                groupby=["import_id"],
                aggregates=["order_id:count_distinct"],
            )
            if ids
            else ()
        )
        for record in self:
            record.order_count = counts.get(record._origin, 0)

    @api.depends("filename", "create_date")
    def _compute_display_name(self):
        for record in self:
            record.display_name = record.filename or self.env._("Order Import")

    def write(self, vals):
        if {"file", "template_id"} & set(vals):
            if self.filtered(lambda i: i.state == "done" or i.in_background):
                raise UserError(
                    self.env._(
                        "The file of an import that has started cannot change: "
                        "upload it in a new import."
                    )
                )
            # Another file or template: what was read no longer holds.
            self.row_ids.unlink()
            vals = {
                **vals,
                "state": "draft",
                "file_encoding": False,
                "file_delimiter": False,
                "error_file": False,
                "error_filename": False,
                "read_on": False,
            }
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_in_background(self):
        if self.filtered("in_background"):
            raise UserError(
                self.env._("An import running in the background cannot be deleted.")
            )

    # Buttons

    def action_check(self):
        """Read the file and validate every row, as the import would, without
        creating anything: each row gets its status and message."""
        for record in self:
            record._check_can_start()
            record = record.with_company(record.company_id)
            record._action_read()
            record._action_check_orders()
            record.state = "checked"
        return True

    def action_import(self):
        """Create the orders whose every row is valid; an order with a bad
        row is not created and each of its rows says why. Rows of orders
        imported before become duplicates. A large file is imported in the
        background, by chunks of orders."""
        threshold = self._get_background_threshold()
        for record in self:
            if record.in_background:
                continue
            record._check_can_start()
            record = record.with_company(record.company_id)
            # Rows read before the template changed are read again, unless
            # the import has started (it goes on where it stopped).
            if not record.row_count or (
                not record.processed_count
                and record.template_id._is_changed_since(record.read_on)
            ):
                record._action_read()
            record.background_error = False
            if record.row_count > threshold:
                record.in_background = True
                self.env.ref("sale_fulfillment.ir_cron_sale_order_import")._trigger()
                continue
            while groups := record._get_order_groups(
                pending=True, limit=record._get_chunk_size()
            ):
                record._import_chunk(groups)
                record.env.flush_all()
                record.env.invalidate_all()
            record._finish_import()
        return True

    def action_download_errors(self):
        """The uploaded file again, in its format, with only its header and
        the rows in error, and one more column saying what is wrong."""
        self.ensure_one()
        rows = self.env["sale.order.import.row"].search_fetch(
            [("import_id", "=", self.id), ("status", "=", "error")],
            ["row_number", "message"],
        )
        if not rows:
            raise UserError(self.env._("No row of this import is in error."))
        messages = {row.row_number: row.message or "" for row in rows}
        with self._open_file() as stream:
            sheet = self._get_sheet_reader(stream)
            data = reader.write_rows(
                sheet,
                set(messages),
                messages,
                self.template_id.header_row,
                self.env._("Error"),
            )
        stem, extension = os.path.splitext(self.filename or "")
        if not extension:
            extension = ".xlsx" if sheet.kind == "xlsx" else ".csv"
        self.write(
            {
                "error_file": base64.b64encode(data),
                "error_filename": self.env._(
                    "%(name)s-errors%(extension)s",
                    name=stem or "orders",
                    extension=extension,
                ),
            }
        )
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/{self._name}/{self.id}/error_file/"
            f"{quote(self.error_filename)}?download=true",
            "target": "download",
        }

    def action_view_orders(self):
        """The orders this import created or found already imported."""
        self.ensure_one()
        orders = self.env["sale.order"].union(
            *(
                order
                for [order] in self.env["sale.order.import.row"]._read_group(
                    [("import_id", "=", self.id), ("order_id", "!=", False)],
                    groupby=["order_id"],
                )
            )
        )
        action = self.env["ir.actions.act_window"]._for_xml_id("sale.action_orders")
        action.update(
            domain=[("id", "in", orders.ids)],
            context={"create": False},
        )
        if len(orders) == 1:
            action.update(views=[(False, "form")], view_mode="form", res_id=orders.id)
        return action

    def action_view_rows(self):
        """The rows of this import, filtered by the status in the context
        (``row_status``)."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "sale_fulfillment.sale_order_import_row_action"
        )
        context = {"default_import_id": self.id, "create": False}
        if status := self.env.context.get("row_status"):
            context[f"search_default_{status}"] = 1
        action.update(domain=[("import_id", "=", self.id)], context=context)
        return action

    # Reading the file

    def _check_can_start(self):
        self.ensure_one()
        if self.state == "done":
            raise UserError(
                self.env._(
                    "%(name)s is imported already: upload the file in a new import "
                    "to import it again.",
                    name=self.display_name,
                )
            )
        # Its size only: the file itself is read as a stream.
        if not self.with_context(bin_size=True).file:
            raise UserError(self.env._("Upload the file to import first."))

    def _open_file(self):
        """The uploaded file as a binary stream: from the file store when the
        attachment is there, so that a large file is not held in memory."""
        self.ensure_one()
        attachment = (
            self.env["ir.attachment"]
            .sudo()
            .search(
                [
                    ("res_model", "=", self._name),
                    ("res_id", "=", self.id),
                    ("res_field", "=", "file"),
                ],
                limit=1,
            )
        )
        if attachment.store_fname:
            return open(attachment._full_path(attachment.store_fname), "rb")
        return io.BytesIO(attachment.raw or base64.b64decode(self.file or b""))

    def _get_sheet_reader(self, stream):
        """A reader of ``stream``, with the encoding and delimiter it was
        read with before, or the template's."""
        self.ensure_one()
        if self.file_encoding:
            return reader.SheetReader(
                stream,
                encoding=self.file_encoding,
                delimiter=self.file_delimiter,
            )
        encoding = self.template_id.encoding
        return reader.SheetReader(
            stream, encoding=None if encoding == "auto" else encoding
        )

    def _action_read(self):
        """Read the file into rows (again): their order number, their values
        and what is wrong with a row on its own. Raises a UserError when the
        file cannot be read or lacks a required column."""
        self.ensure_one()
        template = self.template_id
        Row = self.env["sale.order.import.row"]
        Row.search([("import_id", "=", self.id)]).unlink()
        try:
            with self._open_file() as stream:
                sheet = self._get_sheet_reader(stream)
                records = reader.read_records(
                    sheet.rows(),
                    template.header_row,
                    template._get_columns(),
                    template._get_value_maps(),
                )
                for batch in split_every(ROW_BATCH, records):
                    Row.create([self._prepare_row_vals(record) for record in batch])
                    # Memory stays flat in the file's size.
                    Row.flush_model()
                    Row.invalidate_model()
                    self.invalidate_recordset(["row_ids"])
        except reader.ReaderError as error:
            raise UserError(
                self.template_id._get_reader_error_message(error)
            ) from error
        self.write(
            {
                "file_encoding": sheet.encoding or False,
                "file_delimiter": sheet.delimiter or False,
                "read_on": self.env.cr.now(),
            }
        )

    def _prepare_row_vals(self, record):
        """The values of the ``sale.order.import.row`` of ``record``, a row
        as the reader read it."""
        messages = self.env["sale.order.import.row"]._get_read_error_messages(
            record.errors
        )
        return {
            "import_id": self.id,
            "row_number": record.row_number,
            "channel_order_ref": record.values.get("channel_order_ref"),
            "values": reader.dump_values(record.values),
            "read_errors": [[code, params] for code, params in record.errors],
            "status": "error" if messages else "ok",
            "message": "\n".join(messages) or False,
        }

    # Checking and importing orders

    def _get_order_groups(self, pending=False, limit=None):
        """The rows of each order, as lists of row ids, orders in the order
        of their first row: the next ``limit`` orders whose rows are not
        imported yet with ``pending``."""
        self.ensure_one()
        domain = [("import_id", "=", self.id), ("channel_order_ref", "!=", False)]
        if pending:
            domain.append(("is_processed", "=", False))
        groups = self.env["sale.order.import.row"]._read_group(
            domain,
            groupby=["channel_order_ref"],
            aggregates=["row_number:min", "id:array_agg"],
            order="row_number:min",
            limit=limit,
        )
        return [ids for _ref, _first, ids in groups]

    def _action_check_orders(self):
        """Validate the orders of the rows, by chunks, with the order intake's
        check: rows get their status, nothing else is written."""
        Order = self.env["sale.order"]
        chunk_size = self._get_chunk_size()
        for groups in split_every(chunk_size, self._get_order_groups()):
            entries = self._build_orders(groups)
            valid = [entry for entry in entries if not entry["errors"]]
            results = Order._intake_check(
                [entry["order"] for entry in valid], self.medium_id
            )
            self.env["sale.order.import.row"]._write_outcome(
                entries, dict(zip(map(id, valid), results, strict=True))
            )
            self.env.flush_all()
            self.env.invalidate_all()

    def _import_chunk(self, groups):
        """Import the orders of ``groups`` (lists of row ids) with the order
        intake, in one batch, and write their rows' outcome. Returns the
        number of rows done."""
        self.ensure_one()
        entries = self._build_orders(groups)
        valid = [entry for entry in entries if not entry["errors"]]
        results = self.env["sale.order"]._intake_create(
            [entry["order"] for entry in valid], self.medium_id, confirm=True
        )
        self.env["sale.order.import.row"]._write_outcome(
            entries, dict(zip(map(id, valid), results, strict=True)), processed=True
        )
        return sum(len(entry["rows"]) for entry in entries)

    def _build_orders(self, groups):
        """[{rows, order, errors}] for ``groups`` (lists of row ids): the
        rows of an order in file order, the order as the intake takes it,
        and {row id: messages} of the rows that keep it from being
        imported (errors of the row alone, order values that differ between
        rows)."""
        rows = self.env["sale.order.import.row"].browse(
            [row_id for ids in groups for row_id in ids]
        )
        by_id = {row.id: row for row in rows}
        entries = []
        for ids in groups:
            order_rows = sorted(
                (by_id[row_id] for row_id in ids), key=lambda r: r.row_number
            )
            values = [reader.load_values(row.values) for row in order_rows]
            errors = {}
            for row in order_rows:
                if row.read_errors:
                    errors[row.id] = self.env[
                        "sale.order.import.row"
                    ]._get_read_error_messages(row.read_errors)
            for row, messages in self._get_conflicts(order_rows, values).items():
                errors.setdefault(row.id, []).extend(messages)
            entries.append(
                {
                    "rows": order_rows,
                    "order": self._prepare_intake_order(values),
                    "errors": errors,
                }
            )
        return entries

    def _get_conflicts(self, rows, values):
        """{row: messages} of the rows of one order whose order values
        (date, recipient, address...) differ from those of an earlier row.
        An empty cell differs from nothing: many exports fill the order
        columns on the order's first line only."""
        labels = dict(
            self.env["sale.order.import.column"]
            ._fields["target"]
            ._description_selection(self.env)
        )
        first = {}
        conflicts = defaultdict(list)
        for row, row_values in zip(rows, values, strict=True):
            for target in reader.ORDER_TARGETS:
                value = row_values.get(target)
                if value is None or target == "channel_order_ref":
                    continue
                if target not in first:
                    first[target] = (row, value)
                    continue
                first_row, first_value = first[target]
                if reader.clean_text(value) != reader.clean_text(first_value):
                    conflicts[row].append(
                        self.env._(
                            "%(column)s is %(value)s here but %(other)s on row "
                            "%(row)s of the same order.",
                            column=labels[target],
                            value=reader.clean_text(value),
                            other=reader.clean_text(first_value),
                            row=first_row.row_number,
                        )
                    )
        return conflicts

    def _prepare_intake_order(self, values):
        """The order dict the order intake takes, from the ``values``
        {target: value} of its rows in file order: the order's values from
        the first row that has each, a line per row."""
        order = {}
        for row_values in values:
            for target in reader.ORDER_TARGETS:
                if target in row_values and target not in order:
                    order[target] = row_values[target]
        order["lines"] = [
            self._prepare_intake_line(row_values) for row_values in values
        ]
        return order

    def _prepare_intake_line(self, values):
        """The line dict the order intake takes, from the ``values`` {target:
        value} of one row."""
        return {
            target: values[target] for target in reader.LINE_TARGETS if target in values
        }

    def _finish_import(self):
        """Mark the rows that belong to no order done, and the import done."""
        self.ensure_one()
        leftovers = self.env["sale.order.import.row"].search(
            [("import_id", "=", self.id), ("is_processed", "=", False)]
        )
        leftovers.is_processed = True
        self.write({"state": "done", "in_background": False})

    @api.model
    def _cron_process_imports(self):
        """Import the files queued for the background, by chunks of orders,
        each committed on its own with the progress reported to the cron. A
        chunk that fails is rolled back and stops its import, with the
        reason: the chunks before it stay imported, and Import goes on with
        the rows not imported yet."""
        auto_commit = not getattr(threading.current_thread(), "testing", False)
        imports = self.search([("in_background", "=", True)], order="id")
        Row = self.env["sale.order.import.row"]
        remaining = Row.search_count(
            [("import_id", "in", imports.ids), ("is_processed", "=", False)]
        )
        done = chunks = 0
        for record in imports:
            record = record.with_user(record.user_id).with_company(record.company_id)
            while chunks < CRON_CHUNKS:
                groups = record._get_order_groups(
                    pending=True, limit=record._get_chunk_size()
                )
                if not groups:
                    record._finish_import()
                    break
                try:
                    with self.env.cr.savepoint():
                        count = record._import_chunk(groups)
                except Exception as error:
                    _logger.exception("Order import %s stopped", record.id)
                    record.sudo().write(
                        {
                            "in_background": False,
                            "background_error": self.env._(
                                "The import stopped: %(error)s\nThe orders imported "
                                "until then are kept. Import goes on with the rows "
                                "not imported yet.",
                                error=str(error),
                            ),
                        }
                    )
                    break
                chunks += 1
                done += count
                remaining -= count
                self.env["ir.cron"]._notify_progress(
                    done=done, remaining=max(remaining, 0)
                )
                if auto_commit:
                    # Each chunk stays imported whatever happens to the next.
                    self.env.cr.commit()  # pylint: disable=invalid-commit
                self.env.invalidate_all()
            if auto_commit:
                self.env.cr.commit()  # pylint: disable=invalid-commit
            if chunks >= CRON_CHUNKS:
                break
        self.env["ir.cron"]._notify_progress(done=done, remaining=max(remaining, 0))

    # Settings and messages

    def _get_background_threshold(self):
        """Files of more rows than this are imported in the background."""
        return int(
            self.env["ir.config_parameter"]
            .sudo()
            .get_param("sale_fulfillment.order_import_background_rows", BACKGROUND_ROWS)
        )

    def _get_chunk_size(self):
        """Orders checked or imported at once (and in the background,
        committed at once)."""
        return max(
            1,
            int(
                self.env["ir.config_parameter"]
                .sudo()
                .get_param("sale_fulfillment.order_import_chunk", CHUNK_ORDERS)
            ),
        )
