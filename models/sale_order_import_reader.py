"""Reading marketplace order exports (CSV and XLSX), in plain Python.

No Odoo here: ``sale.order.import`` (``models/sale_order_import.py``) turns what
this module reads into orders and translates its errors. A file is read as a
stream of rows, never loaded whole into Python lists:

- :class:`SheetReader` opens a binary file object, tells CSV from XLSX by its
  content, detects the text encoding (:func:`detect_encoding`) and the
  delimiter (:func:`sniff_delimiter`) of a CSV, and yields ``(row number,
  [cell values])`` with the row numbers a spreadsheet shows (1-based, empty
  rows counted).
- :func:`match_columns` finds the template's columns in the header row.
- :func:`read_records` yields one :class:`Record` per non-empty row below the
  header: ``{target: value}`` with numbers and dates of XLSX cells as cells
  (``int``, ``float``, ``datetime``), text cleaned, and the row's own errors.

Errors are :class:`ReaderError` (the file cannot be read) or ``(code,
params)`` pairs on a record; the codes are listed in ``ERROR_CODES`` and
worded, in the reader's language, by ``sale.order.import``.
"""

import codecs
import csv
import datetime
import io
import re
import zipfile
from collections import Counter
from functools import lru_cache

# The contract's targets (ARCHITECTURE.md, Order intake), in the order a
# template lists them, and the platform's buyer id (买家ID), which the engine
# matches customers by.
ORDER_TARGETS = (
    "channel_order_ref",
    "date_order",
    "partner_name",
    "phone",
    "email",
    "country",
    "state",
    "city",
    "district",
    "street",
    "zip",
    "customer_note",
    "payment_method",
    "carrier",
    "buyer_ref",
)
LINE_TARGETS = ("sku", "quantity", "price_unit", "line_ref")
TARGETS = ORDER_TARGETS[:12] + LINE_TARGETS + ORDER_TARGETS[12:]
REQUIRED_TARGETS = ("channel_order_ref", "sku", "quantity")
# Read as cells (numbers, dates); every other target is text.
CELL_TARGETS = ("date_order", "quantity", "price_unit")
# Platform numbers of 18-19 digits: a spreadsheet that made a number of one
# kept only its first 15 significant digits.
NUMBER_TARGETS = ("channel_order_ref", "line_ref")

ERROR_CODES = (
    "xls",  # an Excel 97-2003 workbook
    "unreadable_xlsx",  # params: error
    "unreadable_csv",  # params: error
    "encoding",  # params: encoding, row
    "no_header",  # params: row
    "missing_columns",  # params: missing [(target, [headers])]
    # Record errors
    "no_order_ref",
    "number_lost",  # params: target, number
)

# Python codecs of the encodings a user chooses or the detection finds.
# GB2312 and GBK files are decoded as GB18030, their superset: names with
# characters outside GB2312 (喆, 镕, 𠮷) survive. Big5 as Microsoft's code
# page 950, which Excel writes in Taiwan and Hong Kong.
CODECS = {
    "utf-8": "utf-8",
    "utf-8-sig": "utf-8-sig",
    "utf-16": "utf-16",
    "gb18030": "gb18030",
    "gbk": "gb18030",
    "gb2312": "gb18030",
    "big5": "cp950",
}
DELIMITERS = (",", "\t", ";")
# Bytes of a CSV whose characters decide between GB18030 and Big5.
ENCODING_SAMPLE = 256 * 1024
BLOCK = 1024 * 1024

XLSX_MAGIC = b"PK\x03\x04"
XLS_MAGIC = b"\xd0\xcf\x11\xe0"
SCIENTIFIC = re.compile(r"^[+-]?\d+(?:[.,]\d+)?[eE][+]?\d+$")
# Digits a spreadsheet keeps exact: 15. A number of 16 digits or more lost some.
EXACT_LIMIT = 10**15


class ReaderError(Exception):
    """The file cannot be read: ``code`` (see ``ERROR_CODES``) and its
    ``params``."""

    def __init__(self, code, **params):
        super().__init__(code, params)
        self.code = code
        self.params = params


class Record:
    """One row below the header: ``values`` {target: value} (empty cells
    left out), ``errors`` [(code, params)] found by reading it alone."""

    __slots__ = ("errors", "row_number", "values")

    def __init__(self, row_number, values, errors):
        self.row_number = row_number
        self.values = values
        self.errors = errors

    def __repr__(self):
        return f"Record({self.row_number}, {self.values!r}, {self.errors!r})"


# Encoding


@lru_cache(maxsize=1)
def _common_characters():
    """The characters everyday Chinese text is made of, in both scripts: the
    3,755 level-1 hanzi of GB2312, the 5,401 frequent characters of Big5,
    CJK punctuation and full-width forms. Text decoded with the wrong one of
    GB18030 and Big5 turns into rare characters and symbols instead."""
    chars = set()
    for lead in range(0xB0, 0xD8):
        for trail in range(0xA1, 0xFF):
            chars.update(bytes((lead, trail)).decode("gb2312", "ignore"))
    for lead in range(0xA4, 0xC7):
        for trail in (*range(0x40, 0x7F), *range(0xA1, 0xFF)):
            chars.update(bytes((lead, trail)).decode("cp950", "ignore"))
    chars.update(map(chr, range(0x3000, 0x3040)))
    chars.update(map(chr, range(0xFF01, 0xFF5F)))
    chars.update("·—…“”‘’")
    return frozenset(chars)


def _decode_sample(sample, codec):
    """``sample`` decoded strictly (its last character may be cut: left
    out), or None when it is not text in ``codec``."""
    try:
        return codecs.getincrementaldecoder(codec)().decode(sample, final=False)
    except UnicodeDecodeError:
        return None


def _common_ratio(text):
    """The share of non-ASCII characters of ``text`` that are common ones."""
    common = _common_characters()
    others = [char for char in text if ord(char) > 127]
    if not others:
        return 1.0
    return sum(char in common for char in others) / len(others)


def detect_encoding(stream):
    """The encoding of the text in the binary ``stream`` (read from its start,
    left at its start): ``utf-8-sig`` or ``utf-16`` with a byte-order mark,
    ``utf-8`` when the whole file is valid UTF-8, else ``gb18030`` or
    ``big5``, whichever decodes the first bytes into the more common
    characters (GB18030 when both do equally well)."""
    stream.seek(0)
    head = stream.read(4)
    stream.seek(0)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    decoder = codecs.getincrementaldecoder("utf-8")()
    sample = b""
    is_utf8 = True
    while block := stream.read(BLOCK):
        if len(sample) < ENCODING_SAMPLE:
            sample += block[: ENCODING_SAMPLE - len(sample)]
        if is_utf8:
            try:
                decoder.decode(block)
            except UnicodeDecodeError:
                is_utf8 = False
        if not is_utf8 and len(sample) >= ENCODING_SAMPLE:
            break
    if is_utf8:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            is_utf8 = False
    stream.seek(0)
    if is_utf8:
        return "utf-8"
    return guess_chinese_encoding(sample)


def guess_chinese_encoding(sample):
    """``gb18030`` or ``big5`` for the bytes ``sample`` of a file that is not
    UTF-8."""
    gb_text = _decode_sample(sample, "gb18030")
    big5_text = _decode_sample(sample, CODECS["big5"])
    if big5_text is None:
        return "gb18030"
    if gb_text is None:
        return "big5"
    return "big5" if _common_ratio(big5_text) > _common_ratio(gb_text) else "gb18030"


def sniff_delimiter(lines):
    """The delimiter (comma, tab or semicolon) splitting most of ``lines``
    (the first lines of a CSV) into the same number of columns, more than
    one; a comma when none does."""
    best, best_score = ",", (0, 0)
    for delimiter in DELIMITERS:
        widths = [
            len(row)
            for row in csv.reader(lines, delimiter=delimiter)
            if any(cell.strip() for cell in row)
        ]
        if not widths:
            continue
        width, lines_of_width = Counter(widths).most_common(1)[0]
        score = (lines_of_width, width) if width > 1 else (0, 0)
        if score > best_score:
            best, best_score = delimiter, score
    return best


# Files


class SheetReader:
    """The rows of a CSV or XLSX file given as a binary file object that can
    seek. ``kind`` (``csv`` | ``xlsx``), and for a CSV its ``encoding`` and
    ``delimiter``, detected unless given."""

    SNIFF_LINES = 20

    def __init__(self, stream, encoding=None, delimiter=None):
        self.stream = stream
        stream.seek(0)
        head = stream.read(8)
        stream.seek(0)
        if head.startswith(XLS_MAGIC):
            raise ReaderError("xls")
        if head.startswith(XLSX_MAGIC):
            self.kind = "xlsx"
            self.encoding = self.delimiter = None
            return
        self.kind = "csv"
        self.encoding = encoding or detect_encoding(stream)
        self.delimiter = delimiter or self._sniff()

    def _text(self):
        self.stream.seek(0)
        return io.TextIOWrapper(
            self.stream,
            encoding=CODECS.get(self.encoding, self.encoding),
            newline="",
        )

    def _sniff(self):
        text = self._text()
        try:
            lines = []
            for line in text:
                lines.append(line)
                if len(lines) >= self.SNIFF_LINES:
                    break
        except UnicodeDecodeError as error:
            raise ReaderError(
                "encoding", encoding=self.encoding, row=self._bad_line()
            ) from error
        finally:
            # A reader left unfinished is closed after its file.
            if not text.closed:
                text.detach()
        return sniff_delimiter(lines)

    def _bad_line(self):
        """The number of the first line that is not text in the encoding
        (the text is decoded by blocks: the error does not say)."""
        codec = CODECS.get(self.encoding, self.encoding)
        self.stream.seek(0)
        try:
            for number, line in enumerate(self.stream, start=1):
                try:
                    line.decode(codec)
                except UnicodeDecodeError:
                    return number
            return 1
        finally:
            self.stream.seek(0)

    def rows(self):
        """Yield ``(row number, [values])`` for every row, empty ones too."""
        if self.kind == "xlsx":
            yield from self._xlsx_rows()
        else:
            yield from self._csv_rows()

    def _csv_rows(self):
        text = self._text()
        try:
            yield from enumerate(csv.reader(text, delimiter=self.delimiter), start=1)
        except UnicodeDecodeError as error:
            raise ReaderError(
                "encoding", encoding=self.encoding, row=self._bad_line()
            ) from error
        except csv.Error as error:
            raise ReaderError("unreadable_csv", error=str(error)) from error
        finally:
            # A reader left unfinished is closed after its file.
            if not text.closed:
                text.detach()

    def _xlsx_rows(self):
        # Imported here: the pure tests of the CSV reading need no openpyxl.
        import openpyxl

        self.stream.seek(0)
        try:
            workbook = openpyxl.load_workbook(
                self.stream, read_only=True, data_only=True
            )
        except (zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
            raise ReaderError("unreadable_xlsx", error=str(error)) from error
        try:
            sheet = workbook.worksheets[0]
            # Some exporters write a wrong sheet size: read up to the last row.
            sheet.reset_dimensions()
            for row_number, row in enumerate(sheet.iter_rows(values_only=True), 1):
                yield row_number, list(row)
        finally:
            workbook.close()


# Columns and records


def normalize_header(value):
    """A header as templates match it: trimmed, case-insensitive."""
    if value is None:
        return ""
    return " ".join(str(value).replace("\ufeff", "").split()).casefold()


def match_columns(header, columns):
    """Where the template's ``columns`` [(target, header)] are in the file's
    ``header`` row: ``({target: index}, missing)``, ``missing`` the required
    targets found under none of their headers, as [(target, [headers])].
    A target may be listed under several headers (订单编号 or 平台单号): the
    first one the file has wins."""
    positions = {}
    for index, value in enumerate(header):
        positions.setdefault(normalize_header(value), index)
    positions.pop("", None)
    found = {}
    for target, column_header in columns:
        index = positions.get(normalize_header(column_header))
        if index is not None and target not in found:
            found[target] = index
    missing = [
        (target, [header for t, header in columns if t == target])
        for target in REQUIRED_TARGETS
        if target not in found
    ]
    return found, missing


def clean_text(value):
    """A cell as text: numbers without a trailing ``.0`` (a phone number
    13800138000.0 is 13800138000), dates in ISO form, strings trimmed and
    freed of what exporters add to keep a spreadsheet from turning them into
    numbers (a leading apostrophe or tab, ``="..."``). None when empty."""
    if value is None:
        return None
    if isinstance(value, bool):
        value = str(value)
    elif isinstance(value, int):
        return str(value)
    elif isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    elif isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return (
            value.isoformat(sep=" ")
            if isinstance(value, datetime.datetime)
            else (value.isoformat())
        )
    text = str(value).replace("\ufeff", "").strip()
    if text.startswith('="') and text.endswith('"') and len(text) >= 3:
        text = text[2:-1].strip()
    if text.startswith("'"):
        text = text[1:].strip()
    return text or None


def clean_cell(value):
    """A number or date cell as it is; a string trimmed. None when empty."""
    if isinstance(value, str):
        return value.replace("\ufeff", "").strip() or None
    return value


def lost_number(value):
    """``1.23E+18`` when a spreadsheet made a number of the platform number
    ``value`` (a numeric cell of 16 digits or more, or a string in scientific
    notation): its last digits are lost. False otherwise."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int | float):
        if abs(value) >= EXACT_LIMIT:
            return f"{float(value):.2E}"
        return False
    if isinstance(value, str) and SCIENTIFIC.match(value.strip()):
        return f"{float(value.strip().replace(',', '.')):.2E}"
    return False


def prepare_value_maps(value_maps):
    """{target: {normalized source: value}} from [(target, source, value)]."""
    maps = {}
    for target, source, value in value_maps:
        maps.setdefault(target, {})[normalize_header(source)] = value
    return maps


def read_values(row, positions, value_maps=None):
    """``{target: value}`` of one ``row`` of cells and its errors: the
    ``positions`` {target: index} of the columns, and the template's
    ``value_maps`` {target: {normalized source: value}} applied."""
    values = {}
    errors = []
    for target, index in positions.items():
        raw = row[index] if index < len(row) else None
        if target in NUMBER_TARGETS and (number := lost_number(raw)):
            errors.append(("number_lost", {"target": target, "number": number}))
            continue
        value = clean_cell(raw) if target in CELL_TARGETS else clean_text(raw)
        if value is None:
            continue
        mapped = value_maps and value_maps.get(target)
        if mapped and isinstance(value, str):
            value = mapped.get(normalize_header(value), value)
        values[target] = value
    if "channel_order_ref" not in values and not any(
        error[1].get("target") == "channel_order_ref" for error in errors
    ):
        errors.append(("no_order_ref", {}))
    return values, errors


def read_records(rows, header_row, columns, value_maps=None):
    """Yield a :class:`Record` for every non-empty row below the header of
    ``rows`` (``(row number, cells)``, as :meth:`SheetReader.rows` yields
    them). ``header_row`` is 1-based, ``columns`` [(target, header)],
    ``value_maps`` [(target, source, value)]. Raises :class:`ReaderError`
    when the file has no header row or lacks a required column."""
    maps = prepare_value_maps(value_maps or ())
    rows = iter(rows)
    header = None
    for row_number, cells in rows:
        if row_number == header_row:
            header = cells
            break
    if not header or not any(normalize_header(cell) for cell in header):
        raise ReaderError("no_header", row=header_row)
    positions, missing = match_columns(header, columns)
    if missing:
        raise ReaderError("missing_columns", missing=missing)
    for row_number, cells in rows:
        if not any(clean_text(cell) for cell in cells):
            continue
        values, errors = read_values(cells, positions, maps)
        yield Record(row_number, values, errors)


# Storing values (JSON) and writing a sheet back


def dump_values(values):
    """``values`` JSON-ready: dates and times as tagged ISO strings."""
    dumped = {}
    for key, value in values.items():
        if isinstance(value, datetime.datetime):
            value = {"datetime": value.isoformat()}
        elif isinstance(value, datetime.date):
            value = {"date": value.isoformat()}
        elif isinstance(value, datetime.time):
            value = {"time": value.isoformat()}
        dumped[key] = value
    return dumped


def load_values(dumped):
    """The values :func:`dump_values` stored, dates as dates again."""
    values = {}
    for key, value in (dumped or {}).items():
        if isinstance(value, dict):
            if "datetime" in value:
                value = datetime.datetime.fromisoformat(value["datetime"])
            elif "date" in value:
                value = datetime.date.fromisoformat(value["date"])
            elif "time" in value:
                value = datetime.time.fromisoformat(value["time"])
        values[key] = value
    return values


def write_rows(reader, keep, extra, header_row, extra_header):
    """The file of ``reader`` again, in the same format (a CSV in its
    encoding and with its delimiter, or an XLSX with its cells), with only
    the rows up to the header row and the rows whose number is in ``keep``,
    and one more column: ``extra_header`` on the header row, ``extra[row
    number]`` on the rows kept. Returns bytes."""
    output = io.BytesIO()
    if reader.kind == "xlsx":
        import openpyxl

        workbook = openpyxl.Workbook(write_only=True)
        sheet = workbook.create_sheet()
        for cells in _rows_with_extra(reader, keep, extra, header_row, extra_header):
            sheet.append(cells)
        workbook.save(output)
        return output.getvalue()
    text = io.TextIOWrapper(
        output,
        encoding=CODECS.get(reader.encoding, reader.encoding),
        errors="replace",
        newline="",
    )
    writer = csv.writer(text, delimiter=reader.delimiter)
    writer.writerows(_rows_with_extra(reader, keep, extra, header_row, extra_header))
    text.flush()
    data = output.getvalue()
    text.detach()
    return data


def _rows_with_extra(reader, keep, extra, header_row, extra_header):
    width = 0
    for row_number, cells in reader.rows():
        cells = list(cells)
        if row_number < header_row:
            yield cells
        elif row_number == header_row:
            # The new column comes after the header's last title.
            while cells and cells[-1] in (None, ""):
                cells.pop()
            width = len(cells)
            yield [*cells, extra_header]
        elif row_number in keep:
            cells += [None] * (width - len(cells))
            yield [*cells, extra.get(row_number, "")]
