import base64
import io
from itertools import chain

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from . import sale_order_import_reader as reader

# Rows of a sample file the test panel shows as they would be read.
PREVIEW_ROWS = 5


class SaleOrderImportTemplate(models.Model):
    """How the order export of one channel reads: its header row, which column
    holds what (``column_ids``) and the values to replace (``value_ids``)."""

    _name = "sale.order.import.template"
    _description = "Order Import Template"
    _order = "sequence, name, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        comodel_name="res.company",
        index=True,
        default=lambda self: self.env.company,
        help="Empty: the template serves every company.",
    )
    medium_id = fields.Many2one(
        comodel_name="utm.medium",
        string="Channel",
        required=True,
        ondelete="restrict",
        help="The channel of the imported orders: a platform order number is "
        "imported once per channel.",
    )
    header_row = fields.Integer(
        default=1,
        required=True,
        help="The row of the file holding the column titles (1 for the first "
        "row). The orders are read from the rows below it.",
    )
    encoding = fields.Selection(
        selection=[
            ("auto", "Detect"),
            ("utf-8", "UTF-8"),
            ("gb18030", "GB18030 / GBK / GB2312"),
            ("big5", "Big5"),
        ],
        string="CSV Encoding",
        default="auto",
        required=True,
        help="The encoding of CSV files. Detect: UTF-8 (with or without BOM), "
        "GB18030 (which covers GBK and GB2312) or Big5, from the file's content. "
        "XLSX files need none.",
    )
    column_ids = fields.One2many(
        comodel_name="sale.order.import.column",
        inverse_name="template_id",
        string="Columns",
        copy=True,
    )
    value_ids = fields.One2many(
        comodel_name="sale.order.import.value",
        inverse_name="template_id",
        string="Value Maps",
        copy=True,
    )
    sample_file = fields.Binary(
        attachment=True,
        copy=False,
        help="An export of the channel to try the template on. Nothing is "
        "imported from it.",
    )
    sample_filename = fields.Char(copy=False)
    sample_preview = fields.Html(
        compute="_compute_sample_preview",
        sanitize=False,
        help="How the sample file reads with this template.",
    )

    @api.depends(
        "sample_file",
        "header_row",
        "encoding",
        "column_ids.target",
        "column_ids.header",
        "value_ids.target",
        "value_ids.source",
        "value_ids.value",
    )
    def _compute_sample_preview(self):
        for template in self:
            if not template.sample_file:
                template.sample_preview = False
                continue
            # Rendered by QWeb, which escapes what the file holds.
            template.sample_preview = self.env["ir.qweb"]._render(
                "sale_fulfillment.sale_order_import_template_preview",
                template._get_sample_preview(),
            )

    @api.constrains("header_row")
    def _check_header_row(self):
        for template in self:
            if template.header_row < 1:
                raise ValidationError(
                    self.env._("The header row is 1 (the first row) or more.")
                )

    def action_import_file(self):
        """Open a new import of a file with this template."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "sale_fulfillment.sale_order_import_action"
        )
        action.update(
            views=[(False, "form")],
            view_mode="form",
            context={"default_template_id": self.id},
        )
        return action

    def _is_changed_since(self, date):
        """Whether the template, its columns or its value maps changed at or
        after ``date`` (a file read then may read otherwise now)."""
        self.ensure_one()
        if not date:
            return True
        return any(
            record.write_date >= date
            for record in chain(self, self.column_ids, self.value_ids)
        )

    def _get_columns(self):
        """The columns as the reader matches them: [(target, header)]."""
        self.ensure_one()
        return [(column.target, column.header) for column in self.column_ids]

    def _get_value_maps(self):
        """The value maps as the reader applies them: [(target, source,
        value)]."""
        self.ensure_one()
        return [(value.target, value.source, value.value) for value in self.value_ids]

    def _get_sheet_reader(self, data):
        """A reader of the file ``data`` (bytes) with this template's
        encoding. Raises ``reader.ReaderError`` when the file cannot be
        read."""
        self.ensure_one()
        encoding = None if self.encoding == "auto" else self.encoding
        return reader.SheetReader(io.BytesIO(data), encoding=encoding)

    def _get_sample_preview(self):
        """What the test panel shows of the sample file: its format, the
        headers found with the target each is read into, the template's
        columns the file lacks, and the first rows as they would be read."""
        self.ensure_one()
        Row = self.env["sale.order.import.row"]
        labels = dict(
            self.env["sale.order.import.column"]
            ._fields["target"]
            ._description_selection(self.env)
        )
        preview = {
            "error": False,
            "file_format": False,
            "headers": [],
            "missing": [],
            "absent": [],
            "targets": [],
            "target_labels": labels,
            "records": [],
        }
        try:
            sample = self.sample_file
            if self.env.context.get("bin_size"):
                # The file itself, not its size.
                sample = self.with_context(bin_size=False).sample_file
            sheet = self._get_sheet_reader(base64.b64decode(sample))
            preview["file_format"] = self._get_file_format_label(sheet)
            rows = sheet.rows()
            header = []
            for row_number, cells in rows:
                if row_number == self.header_row:
                    header = cells
                    break
            columns = self._get_columns()
            positions, missing = reader.match_columns(header, columns)
            by_index = {index: target for target, index in positions.items()}
            preview["headers"] = [
                {"header": reader.clean_text(cell) or "", "target": by_index.get(index)}
                for index, cell in enumerate(header)
                if reader.clean_text(cell) or index in by_index
            ]
            preview["missing"] = [
                {"target": target, "headers": ", ".join(headers)}
                for target, headers in missing
            ]
            absent = (
                {target for target, _header in columns}
                - set(positions)
                - {target for target, _headers in missing}
            )
            preview["absent"] = [
                target for target in reader.TARGETS if target in absent
            ]
            preview["targets"] = [
                target for target in reader.TARGETS if target in positions
            ]
            if header and not missing:
                records = reader.read_records(
                    self._iter_rows_from(header, rows),
                    self.header_row,
                    columns,
                    self._get_value_maps(),
                )
                for record in records:
                    preview["records"].append(
                        {
                            "row_number": record.row_number,
                            "values": {
                                target: reader.clean_text(value) or ""
                                for target, value in record.values.items()
                            },
                            "message": "\n".join(
                                Row._get_read_error_messages(record.errors)
                            ),
                        }
                    )
                    if len(preview["records"]) >= PREVIEW_ROWS:
                        break
            elif not header:
                preview["error"] = self._get_reader_error_message(
                    reader.ReaderError("no_header", row=self.header_row)
                )
        except reader.ReaderError as error:
            preview["error"] = self._get_reader_error_message(error)
        return preview

    def _iter_rows_from(self, header, rows):
        """The header row again, then the rest of ``rows``: the reader finds
        the header by its number."""
        yield self.header_row, header
        yield from rows

    @api.model
    def _get_csv_format_label(self, encoding, delimiter):
        """A CSV file's ``encoding`` and ``delimiter``, in words."""
        names = {
            "utf-8": "UTF-8",
            "utf-8-sig": self.env._("UTF-8 with BOM"),
            "utf-16": "UTF-16",
            "gb18030": "GB18030",
            "gbk": "GB18030",
            "gb2312": "GB18030",
            "big5": "Big5",
        }
        delimiters = {
            ",": self.env._("comma-separated"),
            "\t": self.env._("tab-separated"),
            ";": self.env._("semicolon-separated"),
        }
        return self.env._(
            "CSV, %(encoding)s, %(delimiter)s",
            encoding=names.get(encoding, encoding),
            delimiter=delimiters.get(delimiter, delimiter or ""),
        )

    @api.model
    def _get_file_format_label(self, sheet):
        """How the reader ``sheet`` reads its file, in words."""
        if sheet.kind == "xlsx":
            return self.env._("Excel workbook (XLSX)")
        return self._get_csv_format_label(sheet.encoding, sheet.delimiter)

    @api.model
    def _get_reader_error_message(self, error):
        """The words, in the reader's language, of a file that cannot be read
        (a ``reader.ReaderError``)."""
        params = error.params
        if error.code == "xls":
            return self.env._(
                "This is an Excel 97-2003 workbook (.xls): save it as an Excel "
                "workbook (.xlsx) or as CSV, and import that."
            )
        if error.code == "unreadable_xlsx":
            return self.env._(
                "The file cannot be read as an Excel workbook: %(error)s",
                error=params.get("error"),
            )
        if error.code == "unreadable_csv":
            return self.env._(
                "The file cannot be read as a CSV file: %(error)s",
                error=params.get("error"),
            )
        if error.code == "encoding":
            return self.env._(
                "Row %(row)s of the file is not %(encoding)s text: choose the "
                "file's encoding on the import template, or save the file as "
                "UTF-8 and import it again.",
                row=params.get("row"),
                encoding=params.get("encoding"),
            )
        if error.code == "no_header":
            return self.env._(
                "Row %(row)s of the file, the header row of the template, holds "
                "no column titles.",
                row=params.get("row"),
            )
        if error.code == "missing_columns":
            labels = dict(
                self.env["sale.order.import.column"]
                ._fields["target"]
                ._description_selection(self.env)
            )
            return self.env._(
                "The file lacks columns the import needs: %(columns)s. Check the "
                "header row of the template and the titles of its columns.",
                columns="; ".join(
                    self.env._(
                        "%(target)s (titled %(headers)s)",
                        target=labels[target],
                        headers=" / ".join(headers) or "-",
                    )
                    for target, headers in params.get("missing", ())
                ),
            )
        return error.code
