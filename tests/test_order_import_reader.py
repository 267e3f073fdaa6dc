"""Unit tests of the file reader of the order import (plain Python, no
database): encodings, delimiters, XLSX cells, headers and writing back."""

import codecs
import csv
import datetime
import io
import types
import unittest

import openpyxl

from ..models import sale_order_import_reader as reader

COLUMNS = (
    ("channel_order_ref", "Order ID"),
    ("channel_order_ref", "订单编号"),
    ("date_order", "Order Date"),
    ("partner_name", "Recipient"),
    ("phone", "Phone"),
    ("street", "Address"),
    ("sku", "SKU"),
    ("quantity", "Quantity"),
    ("price_unit", "Unit Price"),
    ("line_ref", "Line ID"),
    ("payment_method", "Payment Method"),
)
HEADER = ["Order ID", "Order Date", "Recipient", "Phone", "Address", "SKU", "Quantity"]

# Realistic exports: mainland addresses in Simplified Chinese, Taiwanese ones in
# Traditional Chinese, with the characters each script uses most.
SIMPLIFIED = (
    "订单编号,收货人,省,市,详细地址,买家留言\n"
    "202401010001,张伟,浙江,杭州市,西湖区文三路90号东部软件园3号楼,请尽快发货\n"
    "202401010002,王芳,广东省,深圳市,南山区科技园南区高新南七道,周末不在家\n"
    "202401010003,李娜,北京,北京市,朝阳区建国路88号现代城,\n"
)
TRADITIONAL = (
    "訂單編號,收貨人,縣市,詳細地址,買家留言\n"
    "TW0001,陳志明,臺北市,大安區忠孝東路四段100號5樓,請盡快出貨\n"
    "TW0002,林美玲,新北市,板橋區文化路一段188巷,週末不在家\n"
    "TW0003,黃家豪,高雄市,前鎮區中山二路2號,\n"
)


def xlsx(rows):
    """An XLSX file of ``rows`` (lists of cells), as bytes."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def records(data, columns=COLUMNS, header_row=1, value_maps=None):
    sheet = reader.SheetReader(io.BytesIO(data))
    return list(reader.read_records(sheet.rows(), header_row, columns, value_maps))


class TestEncoding(unittest.TestCase):
    def test_gb18030_keeps_characters_outside_gb2312(self):
        text = "订单编号,收货人,详细地址\n1,王喆,𠮷野家路1号\n2,朱镕,杭州\n"
        data = text.encode("gb18030")
        with self.assertRaises(UnicodeDecodeError):
            data.decode("gb2312")
        self.assertEqual(reader.detect_encoding(io.BytesIO(data)), "gb18030")
        rows = list(reader.SheetReader(io.BytesIO(data)).rows())
        self.assertEqual(rows[1], (2, ["1", "王喆", "𠮷野家路1号"]))
        self.assertEqual(rows[2][1][1], "朱镕")

    def test_gbk_file_is_read_as_gb18030(self):
        data = SIMPLIFIED.encode("gbk")
        self.assertEqual(reader.detect_encoding(io.BytesIO(data)), "gb18030")
        rows = list(reader.SheetReader(io.BytesIO(data)).rows())
        self.assertEqual(rows[1][1][1], "张伟")

    def test_big5_is_not_misread_as_gb18030(self):
        data = TRADITIONAL.encode("big5")
        # Big5 bytes decode as GB18030 too, into nonsense.
        self.assertNotEqual(data.decode("gb18030", "replace"), TRADITIONAL)
        self.assertEqual(reader.detect_encoding(io.BytesIO(data)), "big5")
        rows = list(reader.SheetReader(io.BytesIO(data)).rows())
        self.assertEqual(rows[1][1][:3], ["TW0001", "陳志明", "臺北市"])

    def test_gb18030_is_not_misread_as_big5(self):
        data = SIMPLIFIED.encode("gb18030")
        self.assertEqual(reader.detect_encoding(io.BytesIO(data)), "gb18030")

    def test_short_files_are_told_apart(self):
        simplified = "订单编号,收货人\n1,张伟\n".encode("gb18030")
        traditional = "訂單編號,收貨人\n1,陳志明\n".encode("big5")
        self.assertEqual(reader.detect_encoding(io.BytesIO(simplified)), "gb18030")
        self.assertEqual(reader.detect_encoding(io.BytesIO(traditional)), "big5")

    def test_utf8_with_and_without_bom(self):
        text = "Order ID,Recipient\n1,王小明\n"
        with_bom = codecs.BOM_UTF8 + text.encode()
        self.assertEqual(reader.detect_encoding(io.BytesIO(with_bom)), "utf-8-sig")
        self.assertEqual(reader.detect_encoding(io.BytesIO(text.encode())), "utf-8")
        rows = list(reader.SheetReader(io.BytesIO(with_bom)).rows())
        # The byte-order mark is not part of the first title.
        self.assertEqual(rows[0], (1, ["Order ID", "Recipient"]))

    def test_utf8_is_checked_beyond_the_first_block(self):
        # Valid UTF-8 for a megabyte, then a GB18030 name.
        data = ("a,b\n" + "x,y\n" * 300_000).encode() + "1,张伟\n".encode("gb18030")
        self.assertNotEqual(reader.detect_encoding(io.BytesIO(data)), "utf-8")

    def test_text_not_in_the_chosen_encoding_is_an_error_with_its_row(self):
        data = "a,b\n1,2\n3,张伟\n".encode("gb18030")
        with self.assertRaises(reader.ReaderError) as caught:
            sheet = reader.SheetReader(io.BytesIO(data), encoding="utf-8")
            list(sheet.rows())
        self.assertEqual(caught.exception.code, "encoding")
        self.assertEqual(caught.exception.params, {"encoding": "utf-8", "row": 3})


class TestDelimiter(unittest.TestCase):
    def test_comma_tab_and_semicolon_are_sniffed(self):
        for delimiter in (",", "\t", ";"):
            text = delimiter.join(HEADER) + "\n"
            text += delimiter.join(["1", "2026-12-01", "A, B", "1", "x", "y", "2"])
            sheet = reader.SheetReader(io.BytesIO(text.encode()))
            self.assertEqual(sheet.delimiter, delimiter)

    def test_quoted_commas_do_not_fool_the_sniffer(self):
        text = 'Order ID;Address;SKU\n1;"Road 1, Hangzhou";A\n2;"Road 2, Ningbo";B\n'
        sheet = reader.SheetReader(io.BytesIO(text.encode()))
        self.assertEqual(sheet.delimiter, ";")
        rows = list(sheet.rows())
        self.assertEqual(rows[1][1], ["1", "Road 1, Hangzhou", "A"])


class TestXlsx(unittest.TestCase):
    def test_numbers_and_dates_stay_cells_and_text_columns_become_text(self):
        ordered = datetime.datetime(2026, 12, 1, 10, 30)
        data = xlsx(
            [
                HEADER + ["Unit Price"],
                [
                    "1234567890123456789",
                    ordered,
                    "王小明",
                    13800138000,
                    "路",
                    "A",
                    2,
                    9.5,
                ],
            ]
        )
        (record,) = records(data)
        self.assertFalse(record.errors)
        self.assertEqual(
            record.values,
            {
                "channel_order_ref": "1234567890123456789",
                "date_order": ordered,
                "partner_name": "王小明",
                "phone": "13800138000",
                "street": "路",
                "sku": "A",
                "quantity": 2,
                "price_unit": 9.5,
            },
        )

    def test_order_number_stored_as_a_number_is_refused(self):
        data = xlsx([HEADER, [1234567890123456789, None, "A", None, None, "A", 1]])
        (record,) = records(data)
        self.assertEqual(
            record.errors,
            [("number_lost", {"target": "channel_order_ref", "number": "1.23E+18"})],
        )
        self.assertNotIn("channel_order_ref", record.values)

    def test_short_numeric_order_number_is_kept(self):
        data = xlsx([HEADER, [20261201001, None, "A", None, None, "A", 1]])
        (record,) = records(data)
        self.assertFalse(record.errors)
        self.assertEqual(record.values["channel_order_ref"], "20261201001")

    def test_empty_rows_are_skipped_and_rows_keep_their_numbers(self):
        data = xlsx([["Report"], HEADER, [], ["1", None, "A", None, None, "A", 1]])
        (record,) = records(data, header_row=2)
        self.assertEqual(record.row_number, 4)

    def test_old_excel_format_is_refused(self):
        with self.assertRaises(reader.ReaderError) as caught:
            reader.SheetReader(io.BytesIO(reader.XLS_MAGIC + b"\0" * 100))
        self.assertEqual(caught.exception.code, "xls")

    def test_broken_workbook_is_an_error(self):
        sheet = reader.SheetReader(io.BytesIO(reader.XLSX_MAGIC + b"broken"))
        with self.assertRaises(reader.ReaderError) as caught:
            list(sheet.rows())
        self.assertEqual(caught.exception.code, "unreadable_xlsx")


class TestRecords(unittest.TestCase):
    def test_scientific_order_number_in_a_csv_is_refused(self):
        data = b"Order ID,SKU,Quantity\n1.23457E+18,A,1\n"
        (record,) = records(data)
        self.assertEqual(
            record.errors,
            [("number_lost", {"target": "channel_order_ref", "number": "1.23E+18"})],
        )

    def test_headers_match_trimmed_and_case_insensitive_and_by_alias(self):
        data = " 订单编号 ,sku,QUANTITY\n42,A,3\n".encode()
        (record,) = records(data)
        self.assertEqual(
            record.values, {"channel_order_ref": "42", "sku": "A", "quantity": "3"}
        )

    def test_missing_required_columns_are_named(self):
        with self.assertRaises(reader.ReaderError) as caught:
            records(b"Order ID,Recipient\n1,A\n")
        self.assertEqual(caught.exception.code, "missing_columns")
        self.assertEqual(
            caught.exception.params["missing"],
            [("sku", ["SKU"]), ("quantity", ["Quantity"])],
        )

    def test_header_row_beyond_the_file_is_an_error(self):
        with self.assertRaises(reader.ReaderError) as caught:
            records(b"Order ID,SKU,Quantity\n", header_row=3)
        self.assertEqual(caught.exception.code, "no_header")

    def test_row_without_order_number_is_an_error(self):
        (record,) = records(b"Order ID,SKU,Quantity\n,A,1\n")
        self.assertEqual(record.errors, [("no_order_ref", {})])

    def test_spreadsheet_guards_are_removed(self):
        data = b'Order ID,Phone,SKU,Quantity\n="0012",\'13800138000,\tA,1\n'
        (record,) = records(data)
        self.assertEqual(record.values["channel_order_ref"], "0012")
        self.assertEqual(record.values["phone"], "13800138000")
        self.assertEqual(record.values["sku"], "A")

    def test_value_maps_replace_values_of_their_column_only(self):
        data = "Order ID,SKU,Quantity,Payment Method\n1,到付,1,到付\n".encode()
        (record,) = records(data, value_maps=[("payment_method", " 到付 ", "cod")])
        self.assertEqual(record.values["payment_method"], "cod")
        self.assertEqual(record.values["sku"], "到付")

    def test_rows_are_streamed(self):
        data = b"Order ID,SKU,Quantity\n" + b"1,A,1\n" * 10
        sheet = reader.SheetReader(io.BytesIO(data))
        stream = reader.read_records(sheet.rows(), 1, COLUMNS)
        self.assertIsInstance(stream, types.GeneratorType)
        self.assertEqual(next(stream).row_number, 2)

    def test_values_survive_their_json_form(self):
        values = {
            "date_order": datetime.datetime(2026, 12, 1, 10, 30),
            "quantity": 2,
            "sku": "A",
        }
        self.assertEqual(reader.load_values(reader.dump_values(values)), values)


class TestWriteBack(unittest.TestCase):
    def test_csv_comes_back_in_its_encoding_and_delimiter_with_a_message_column(self):
        text = (
            "说明\n订单编号;收货人;商家编码;数量\n1;王喆;A;1\n2;朱镕;B;x\n3;张伟;C;1\n"
        )
        sheet = reader.SheetReader(io.BytesIO(text.encode("gb18030")))
        data = reader.write_rows(sheet, {4}, {4: "数量不对"}, 2, "错误")
        rows = list(csv.reader(io.StringIO(data.decode("gb18030")), delimiter=";"))
        self.assertEqual(
            rows,
            [
                ["说明"],
                ["订单编号", "收货人", "商家编码", "数量", "错误"],
                ["2", "朱镕", "B", "x", "数量不对"],
            ],
        )

    def test_xlsx_comes_back_as_xlsx_with_its_cells(self):
        ordered = datetime.datetime(2026, 12, 1, 10, 30)
        data = xlsx([HEADER, ["1", ordered, "A", None, None, "A", 2]])
        sheet = reader.SheetReader(io.BytesIO(data))
        back = reader.write_rows(sheet, {2}, {2: "Unknown SKU"}, 1, "Error")
        workbook = openpyxl.load_workbook(io.BytesIO(back))
        rows = [list(row) for row in workbook.active.iter_rows(values_only=True)]
        self.assertEqual(rows[0], [*HEADER, "Error"])
        self.assertEqual(
            rows[1], ["1", ordered, "A", None, None, "A", 2, "Unknown SKU"]
        )
