import base64
import codecs
import csv
import io
from datetime import datetime
from unittest.mock import patch

import openpyxl

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, new_test_user, tagged

from .common import (
    IMPORT_HEADERS,
    IMPORT_HEADERS_ZH,
    OrderImportCase,
    csv_file,
    xlsx_file,
)

NUMBER_LOST = (
    "The platform order number 1.23E+18 was turned into a number by a "
    "spreadsheet: its last digits are lost. Format the column as text and "
    "export again."
)


@tagged("post_install", "-at_install")
class TestOrderImport(OrderImportCase):
    """Marketplace exports imported through templates: files written by the
    tests in each encoding and format, checked, then imported."""

    # Encodings and formats

    def test_gb18030_file_keeps_rare_characters_of_names_and_addresses(self):
        rows = [
            IMPORT_HEADERS_ZH,
            self._import_row("GB-1", partner_name="王喆", street="𠮷祥路 8 号"),
            self._import_row(
                "GB-2", partner_name="朱镕", street="镕基街 1 号", phone="13900139000"
            ),
        ]
        data = csv_file(rows, encoding="gb18030")
        record = self._upload(data)
        record.action_check()
        self.assertEqual(record.state, "checked")
        self.assertEqual(record.file_format, "CSV, GB18030, comma-separated")
        self.assertEqual(self._rows(record), {2: ("ok", ""), 3: ("ok", "")})
        record.action_import()
        first, second = self._orders("GB-1"), self._orders("GB-2")
        self.assertEqual(first.partner_id.name, "王喆")
        self.assertEqual(first.partner_shipping_id.street, "𠮷祥路 8 号")
        self.assertEqual(second.partner_id.name, "朱镕")
        self.assertEqual(second.partner_shipping_id.street, "镕基街 1 号")

    def test_utf8_file_with_bom_and_tabs_is_read_from_its_first_title(self):
        rows = [IMPORT_HEADERS, self._import_row("BOM-1")]
        data = codecs.BOM_UTF8 + csv_file(rows, delimiter="\t")
        record = self._upload(data)
        record.action_check()
        self.assertEqual(record.file_format, "CSV, UTF-8 with BOM, tab-separated")
        self.assertEqual(record.row_ids.channel_order_ref, "BOM-1")
        self.assertEqual(record.row_ids.status, "ok")

    def test_big5_file_is_read_as_traditional_chinese(self):
        row = self._import_row(
            "B5-1", partner_name="陳志明", district="西湖區", street="文三路 90 號"
        )
        record = self._upload(csv_file([IMPORT_HEADERS, row], encoding="big5"))
        record.action_import()
        self.assertEqual(record.file_format, "CSV, Big5, comma-separated")
        order = self._orders("B5-1")
        self.assertEqual(order.partner_id.name, "陳志明")
        self.assertEqual(order.partner_shipping_id.street, "文三路 90 號")

    def test_xlsx_numbers_and_dates_are_read_as_cells(self):
        ordered = datetime(2026, 11, 28, 9, 15)
        row = self._import_row("XL-1", qty=3, price=12.5)
        row[1] = ordered
        row[3] = 13800138000
        record = self._upload(xlsx_file([IMPORT_HEADERS, row]), "orders.xlsx")
        record.action_import()
        self.assertEqual(record.file_format, "Excel workbook (XLSX)")
        order = self._orders("XL-1")
        self.assertEqual(order.date_order, ordered)
        self.assertEqual(order.partner_id.phone, "13800138000")
        self.assertEqual(order.order_line.product_uom_qty, 3)
        self.assertEqual(order.order_line.price_unit, 12.5)

    def test_nineteen_digit_order_number_stays_exact(self):
        ref = "6917234567890123457"
        csv_record = self._upload(csv_file([IMPORT_HEADERS, self._import_row(ref)]))
        csv_record.action_import()
        self.assertEqual(self._orders(ref).channel_order_ref, ref)
        # Stored as text in a workbook of another channel's template.
        other = self.template.copy({"medium_id": self.other_channel.id})
        self.env["sale.channel.product"].create(
            {
                "medium_id": self.other_channel.id,
                "channel_sku": "SF-CUP-X",
                "product_id": self.product_a.id,
            }
        )
        xlsx_record = self._upload(
            xlsx_file([IMPORT_HEADERS, self._import_row(ref, sku="SF-CUP-X")]),
            "orders.xlsx",
            template=other,
        )
        xlsx_record.action_import()
        self.assertEqual(xlsx_record.row_ids.order_id.channel_order_ref, ref)

    def test_order_number_turned_into_a_number_is_refused(self):
        numeric = self._import_row(1234567890123456789)
        record = self._upload(xlsx_file([IMPORT_HEADERS, numeric]), "orders.xlsx")
        record.action_check()
        self.assertEqual(self._rows(record), {2: ("error", NUMBER_LOST)})
        scientific = self._import_row("1.23457E+18")
        record = self._upload(csv_file([IMPORT_HEADERS, scientific]))
        record.action_import()
        self.assertEqual(self._rows(record), {2: ("error", NUMBER_LOST)})
        self.assertEqual(record.order_count, 0)

    # Orders

    def test_province_without_suffix_is_found(self):
        rows = [IMPORT_HEADERS, self._import_row("ZJ-1", state="浙江")]
        self._upload(csv_file(rows)).action_import()
        self.assertEqual(
            self._orders("ZJ-1").partner_shipping_id.state_id, self.zhejiang
        )

    def test_unknown_sku_keeps_the_whole_order_out_and_all_its_rows_say_why(self):
        rows = [
            IMPORT_HEADERS,
            self._import_row("SKU-1", line=1),
            self._import_row("SKU-1", sku="NO-SUCH-SKU", line=2),
            self._import_row("SKU-2"),
        ]
        record = self._upload(csv_file(rows))
        record.action_import()
        unknown = (
            "No product has the SKU NO-SUCH-SKU: no platform SKU of Intake Test "
            "Mall, internal reference or barcode."
        )
        self.assertEqual(
            self._rows(record),
            {
                2: ("error", "Row 3 of this order has an error."),
                3: ("error", unknown),
                4: ("imported", ""),
            },
        )
        self.assertFalse(self._orders("SKU-1"))
        self.assertEqual(record.row_ids[2].order_id, self._orders("SKU-2"))
        self.assertEqual(record.state, "done")

    def test_combo_sku_gives_each_product_of_the_mapping(self):
        rows = [IMPORT_HEADERS, self._import_row("COMBO-1", sku="GIFT-BOX", qty=3)]
        self._upload(csv_file(rows)).action_import()
        lines = self._orders("COMBO-1").order_line
        self.assertEqual(
            {(line.product_id, line.product_uom_qty) for line in lines},
            {(self.product_a, 6), (self.product_b, 3)},
        )

    def test_rows_of_one_order_need_not_follow_each_other(self):
        rows = [
            IMPORT_HEADERS,
            self._import_row("MIX-1", line=1),
            self._import_row("MIX-2", line=1),
            self._import_row("MIX-1", sku="6901234567892", qty=1, line=2),
        ]
        record = self._upload(csv_file(rows))
        record.action_import()
        order = self._orders("MIX-1")
        self.assertEqual(order.order_line.product_id, self.product_a | self.product_b)
        self.assertEqual(
            sorted(order.order_line.mapped("channel_line_ref")), ["MIX-1-1", "MIX-1-2"]
        )
        self.assertEqual(record.order_count, 2)

    def test_order_values_that_differ_between_rows_are_refused(self):
        rows = [
            IMPORT_HEADERS,
            self._import_row("DIFF-1", line=1),
            self._import_row("DIFF-1", line=2, partner_name="李四"),
        ]
        # Many exports fill the order columns on the order's first line only.
        blank = self._import_row("SAME-1", line=2, partner_name="", street="")
        rows += [self._import_row("SAME-1", line=1), blank]
        record = self._upload(csv_file(rows))
        record.action_import()
        self.assertEqual(
            self._rows(record),
            {
                2: ("error", "Row 3 of this order has an error."),
                3: (
                    "error",
                    "Recipient is 李四 here but 王小明 on row 2 of the same order.",
                ),
                4: ("imported", ""),
                5: ("imported", ""),
            },
        )
        self.assertEqual(len(self._orders("SAME-1").order_line), 2)

    def test_row_without_order_number_is_an_error(self):
        rows = [IMPORT_HEADERS, self._import_row(""), self._import_row("REF-1")]
        record = self._upload(csv_file(rows))
        record.action_import()
        self.assertEqual(
            self._rows(record),
            {
                2: ("error", "The row has no platform order number."),
                3: ("imported", ""),
            },
        )

    def test_value_maps_apply_before_the_check(self):
        carrier_product = self.env["product.product"].create(
            {"name": "Import Test Freight", "type": "service"}
        )
        carrier = self.env["delivery.carrier"].create(
            {"name": "Import Test Express", "product_id": carrier_product.id}
        )
        self.template.write(
            {
                "value_ids": [
                    Command.create(
                        {"target": "payment_method", "source": "到付", "value": "cod"}
                    ),
                    Command.create(
                        {
                            "target": "carrier",
                            "source": "顺丰",
                            "value": "Import Test Express",
                        }
                    ),
                ]
            }
        )
        headers = (*IMPORT_HEADERS, "Payment Method", "Carrier")
        rows = [headers, [*self._import_row("MAP-1"), " 到付 ", "顺丰"]]
        self._upload(csv_file(rows)).action_import()
        order = self._orders("MAP-1")
        self.assertEqual(order.payment_method, "cod")
        self.assertEqual(order.carrier_id, carrier)

    def test_value_map_added_after_the_check_applies_at_import(self):
        headers = (*IMPORT_HEADERS, "Payment Method")
        rows = [headers, [*self._import_row("LATE-1"), "到付"]]
        record = self._upload(csv_file(rows))
        record.action_check()
        self.assertEqual(record.row_ids.status, "ok")
        self.template.value_ids = [
            Command.create(
                {"target": "payment_method", "source": "到付", "value": "cod"}
            )
        ]
        record.action_import()
        self.assertEqual(self._orders("LATE-1").payment_method, "cod")

    def test_buyer_id_column_finds_the_customer_again(self):
        headers = (*IMPORT_HEADERS, "买家ID")
        first = [*self._import_row("BUY-1"), "tb_buyer_42"]
        again = [*self._import_row("BUY-2", phone="13900000000"), "tb_buyer_42"]
        self._upload(csv_file([headers, first])).action_import()
        self._upload(csv_file([headers, again])).action_import()
        orders = self._orders("BUY-1", "BUY-2")
        self.assertEqual(len(orders), 2)
        self.assertEqual(len(orders.partner_id), 1)
        self.assertEqual(orders.partner_id.channel_buyer_ref, "tb_buyer_42")

    # Check, import, again

    def test_check_shows_every_row_and_creates_nothing(self):
        rows = [
            IMPORT_HEADERS,
            self._import_row("CHK-1"),
            self._import_row("CHK-2", qty="two"),
        ]
        orders_before = self.env["sale.order"].search_count([])
        partners_before = self.env["res.partner"].search_count([])
        record = self._upload(csv_file(rows))
        record.action_check()
        self.assertEqual(
            self._rows(record),
            {
                2: ("ok", ""),
                3: ("error", "The quantity two is not a number above zero."),
            },
        )
        self.assertEqual((record.ok_count, record.error_count), (1, 1))
        self.assertEqual(self.env["sale.order"].search_count([]), orders_before)
        self.assertEqual(self.env["res.partner"].search_count([]), partners_before)

    def test_same_file_twice_creates_each_order_once(self):
        data = csv_file(
            [
                IMPORT_HEADERS,
                self._import_row("TWICE-1", line=1),
                self._import_row("TWICE-1", sku="CUP-6", qty=1, line=2),
                self._import_row("TWICE-2"),
            ]
        )
        first = self._upload(data)
        first.action_import()
        orders = self._orders("TWICE-1", "TWICE-2")
        self.assertEqual(first.imported_count, 3)
        self.assertEqual(len(orders), 2)
        second = self._upload(data)
        second.action_check()
        self.assertEqual(set(second.row_ids.mapped("status")), {"duplicate"})
        second.action_import()
        self.assertEqual(second.duplicate_count, 3)
        self.assertEqual(second.row_ids.order_id, orders)
        order = self._orders("TWICE-1")
        self.assertEqual(second.row_ids[0].message, f"Already imported: {order.name}.")
        self.assertEqual(self._orders("TWICE-1", "TWICE-2"), orders)

    def test_imported_orders_are_confirmed(self):
        rows = [IMPORT_HEADERS, self._import_row("CONF-1"), self._import_row("CONF-2")]
        record = self._upload(csv_file(rows))
        record.action_import()
        orders = self._orders("CONF-1", "CONF-2")
        self.assertEqual(set(orders.mapped("state")), {"sale"})
        self.assertEqual(orders.medium_id, self.channel)
        action = record.action_view_orders()
        self.assertEqual(self.env["sale.order"].search(action["domain"]), orders)

    def test_missing_required_column_is_refused_on_check(self):
        headers = [title for title in IMPORT_HEADERS if title != "Quantity"]
        record = self._upload(csv_file([headers, ["1"] * len(headers)]))
        with self.assertRaises(UserError) as caught:
            record.action_check()
        self.assertEqual(
            caught.exception.args[0],
            "The file lacks columns the import needs: Quantity (titled Quantity / "
            "数量). Check the header row of the template and the titles of its "
            "columns.",
        )
        self.assertFalse(record.row_ids)

    def test_old_excel_file_is_refused(self):
        record = self._upload(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512)
        with self.assertRaises(UserError) as caught:
            record.action_check()
        self.assertEqual(
            caught.exception.args[0],
            "This is an Excel 97-2003 workbook (.xls): save it as an Excel workbook "
            "(.xlsx) or as CSV, and import that.",
        )

    def test_finished_import_cannot_start_again_nor_change_its_file(self):
        record = self._upload(csv_file([IMPORT_HEADERS, self._import_row("FIN-1")]))
        record.action_import()
        with self.assertRaises(UserError) as caught:
            record.action_import()
        self.assertEqual(
            caught.exception.args[0],
            "orders.csv is imported already: upload the file in a new import to "
            "import it again.",
        )
        with self.assertRaises(UserError) as caught:
            record.file = base64.b64encode(b"Order ID\n")
        self.assertEqual(
            caught.exception.args[0],
            "The file of an import that has started cannot change: upload it in a "
            "new import.",
        )

    def test_new_file_after_a_check_is_read_again(self):
        record = self._upload(csv_file([IMPORT_HEADERS, self._import_row("NEW-1")]))
        record.action_check()
        self.assertEqual(record.state, "checked")
        record.file = base64.b64encode(
            csv_file([IMPORT_HEADERS, self._import_row("NEW-2")])
        )
        self.assertEqual(record.state, "draft")
        self.assertFalse(record.row_ids)
        record.action_import()
        self.assertEqual(record.row_ids.channel_order_ref, "NEW-2")

    # Errors file

    def test_errors_download_gives_the_csv_back_in_its_encoding(self):
        rows = [
            IMPORT_HEADERS_ZH,
            self._import_row("ERR-1", partner_name="王喆"),
            self._import_row("ERR-2", sku="NOPE", partner_name="朱镕"),
            self._import_row("ERR-3", qty=0),
        ]
        record = self._upload(csv_file(rows, encoding="gb18030", delimiter=";"))
        record.action_check()
        action = record.action_download_errors()
        self.assertEqual(action["type"], "ir.actions.act_url")
        self.assertEqual(record.error_filename, "orders-errors.csv")
        text = base64.b64decode(record.error_file).decode("gb18030")
        back = list(csv.reader(io.StringIO(text), delimiter=";"))
        self.assertEqual(
            back,
            [
                [*IMPORT_HEADERS_ZH, "Error"],
                [
                    *map(str, rows[2]),
                    "No product has the SKU NOPE: no platform SKU of Intake Test "
                    "Mall, internal reference or barcode.",
                ],
                [*map(str, rows[3]), "The quantity 0 is not a number above zero."],
            ],
        )

    def test_errors_download_gives_the_workbook_back_with_its_cells(self):
        ordered = datetime(2026, 11, 28, 9, 15)
        bad = self._import_row("ERRX-2", sku="NOPE", qty=4)
        bad[1] = ordered
        rows = [IMPORT_HEADERS, self._import_row("ERRX-1"), bad]
        record = self._upload(xlsx_file(rows), "export.xlsx")
        record.action_check()
        record.action_download_errors()
        self.assertEqual(record.error_filename, "export-errors.xlsx")
        workbook = openpyxl.load_workbook(
            io.BytesIO(base64.b64decode(record.error_file))
        )
        back = [list(row) for row in workbook.active.iter_rows(values_only=True)]
        self.assertEqual(len(back), 2)
        self.assertEqual(back[0], [*IMPORT_HEADERS, "Error"])
        self.assertEqual(back[1][:-1], bad)
        self.assertIn("NOPE", back[1][-1])

    def test_errors_download_without_errors_is_refused(self):
        record = self._upload(csv_file([IMPORT_HEADERS, self._import_row("OK-1")]))
        record.action_check()
        with self.assertRaises(UserError) as caught:
            record.action_download_errors()
        self.assertEqual(caught.exception.args[0], "No row of this import is in error.")

    # Screens and rights

    def test_salesperson_uploads_checks_and_imports_through_the_form(self):
        data = csv_file([IMPORT_HEADERS, self._import_row("FORM-1")])
        form = Form(self.env["sale.order.import"].with_user(self.salesman))
        form.template_id = self.template
        form.file = base64.b64encode(data)
        record = form.save()
        self.assertEqual(record.medium_id, self.channel)
        self.assertEqual(record.user_id, self.salesman)
        record.action_check()
        action = record.with_context(row_status="ok").action_view_rows()
        self.assertEqual(action["context"]["search_default_ok"], 1)
        record.action_import()
        order = self._orders("FORM-1")
        self.assertEqual(record.order_count, 1)
        action = record.action_view_orders()
        self.assertEqual(
            (action["res_model"], action["res_id"]), ("sale.order", order.id)
        )
        self.assertEqual(
            order.with_user(self.salesman).read(["name"])[0]["id"], order.id
        )

    def test_template_test_panel_shows_how_a_sample_reads(self):
        headers = ["订单编号", "收货人", "商家编码", "Remark"]
        rows = [
            headers,
            ["P-1", "王喆", "SF-CUP", "x"],
            ["P-2", "朱镕", "GIFT-BOX", ""],
        ]
        form = Form(self.template)
        form.sample_file = base64.b64encode(csv_file(rows, encoding="gb18030"))
        preview = form.sample_preview
        for text in ("CSV, GB18030, comma-separated", "Remark", "Not read"):
            self.assertIn(text, preview)
        # The quantity column is missing: the panel says so and reads no row.
        self.assertIn("Required columns not found", preview)
        self.assertIn("数量", preview)
        self.assertNotIn("王喆", preview)

    def test_template_test_panel_reads_the_first_rows(self):
        rows = [IMPORT_HEADERS] + [self._import_row(f"P-{i}") for i in range(8)]
        rows[1][2] = "<b>王喆</b>"
        self.template.sample_file = base64.b64encode(xlsx_file(rows))
        # As the web client reads it, binary fields as their sizes.
        self.template.invalidate_recordset()
        preview = self.template.with_context(bin_size=True).sample_preview
        self.assertIn("P-4", preview)
        self.assertNotIn("P-5", preview)
        # What the file holds is shown, never run.
        self.assertIn("&lt;b&gt;王喆&lt;/b&gt;", preview)

    def test_salespeople_see_their_own_imports_and_managers_manage_templates(self):
        colleague = new_test_user(
            self.env,
            login="sf_import_colleague",
            groups="sales_team.group_sale_salesman",
        )
        manager = new_test_user(
            self.env, login="sf_import_manager", groups="sales_team.group_sale_manager"
        )
        mine = self._upload(csv_file([IMPORT_HEADERS, self._import_row("SEC-1")]))
        mine.action_check()
        Import = self.env["sale.order.import"]
        self.assertFalse(Import.with_user(colleague).search([("id", "=", mine.id)]))
        self.assertFalse(
            self.env["sale.order.import.row"]
            .with_user(colleague)
            .search([("import_id", "=", mine.id)])
        )
        self.assertEqual(Import.with_user(manager).search([("id", "=", mine.id)]), mine)
        with self.assertRaises(AccessError):
            self.template.with_user(self.salesman).name = "Changed"
        self.template.with_user(manager).name = "Changed by the manager"

    def test_imports_of_another_company_are_not_seen(self):
        other_company = self.env["res.company"].create({"name": "Import Rival Co."})
        self.salesman.company_ids = [Command.link(other_company.id)]
        record = self._upload(csv_file([IMPORT_HEADERS, self._import_row("CO-1")]))
        Import = self.env["sale.order.import"].with_user(self.salesman)
        self.assertEqual(Import.search([("id", "=", record.id)]), record)
        Import = Import.with_context(allowed_company_ids=[other_company.id])
        self.assertFalse(Import.search([("id", "=", record.id)]))

    # Large files, batches

    def test_check_takes_as_many_queries_for_twelve_orders_as_for_six(self):
        # Once first: Odoo caches what it looks up the first time.
        for count in (1, 6, 12):
            rows = [IMPORT_HEADERS]
            for index in range(count):
                ref = f"Q{count}-{index}"
                rows += [
                    self._import_row(ref, line=1),
                    self._import_row(ref, sku="GIFT-BOX", qty=1, line=2),
                ]
            record = self._upload(csv_file(rows))
            record.env.invalidate_all()
            if count == 1:
                record.action_check()
                continue
            with self.assertQueryCount(QUERIES_CHECK):
                record.action_check()
            self.assertEqual(record.ok_count, 2 * count)

    def test_import_adds_few_queries_to_the_order_intake(self):
        """The file import costs the order intake's own queries for the same
        orders, plus a few for the rows whatever their number."""
        shape = [("SF-CUP", 2, 9.5), ("GIFT-BOX", 1, 30.0)]
        orders = [
            self._platform_order(f"QE-{index}", shape, phone=f"1390000{index:04d}")
            for index in range(6)
        ]
        rows = [IMPORT_HEADERS]
        for index in range(6):
            ref, phone = f"QI-{index}", f"1380000{index:04d}"
            rows += [
                self._import_row(ref, line=1, phone=phone),
                self._import_row(ref, "GIFT-BOX", 1, 30.0, line=2, phone=phone),
            ]
        record = self._upload(csv_file(rows))
        cr = self.env.cr
        Order = self.env["sale.order"].with_user(self.salesman)
        # Once first: Odoo caches what it looks up the first time.
        Order._intake_create([self._platform_order("QW-0", shape)], self.channel)

        self.env.invalidate_all()
        before = cr.sql_log_count
        Order._intake_create(orders, self.channel)
        self.env.flush_all()
        intake = cr.sql_log_count - before

        self.env.invalidate_all()
        before = cr.sql_log_count
        with self.assertQueryCount(QUERIES_IMPORT):
            record.action_import()
        imported = cr.sql_log_count - before
        self.assertEqual(record.imported_count, 12)
        self.assertLessEqual(imported - intake, QUERIES_IMPORT_MORE)

    def test_large_file_is_imported_in_the_background_by_chunks(self):
        self._set_background(threshold=3, chunk=1)
        rows = [IMPORT_HEADERS] + [
            self._import_row(f"BIG-{index}") for index in range(7)
        ]
        record = self._upload(csv_file(rows))
        cron = self.env.ref("sale_fulfillment.ir_cron_sale_order_import")
        triggers = self.env["ir.cron.trigger"].search([("cron_id", "=", cron.id)])
        record.action_import()
        self.assertTrue(record.in_background)
        self.assertEqual(record.state, "draft")
        self.assertFalse(self._orders(*(f"BIG-{index}" for index in range(7))))
        self.assertTrue(
            self.env["ir.cron.trigger"].search([("cron_id", "=", cron.id)]) - triggers
        )

        progress = self.env["ir.cron.progress"].create({"cron_id": cron.id})
        Import = self.env["sale.order.import"]
        Import.with_context(ir_cron_progress_id=progress.id)._cron_process_imports()
        # Five chunks of one order a run, each flushed out of the cache.
        Order = self.env["sale.order"]
        self.assertFalse(self.env.cache.get_records(Order, Order._fields["name"]))
        self.assertEqual((progress.done, progress.remaining), (5, 2))
        self.assertEqual((record.processed_count, record.row_count), (5, 7))
        self.assertAlmostEqual(record.progress, 500 / 7)
        self.assertTrue(record.in_background)

        Import.with_context(ir_cron_progress_id=progress.id)._cron_process_imports()
        self.assertEqual((progress.done, progress.remaining), (2, 0))
        self.assertEqual(record.state, "done")
        self.assertFalse(record.in_background)
        self.assertEqual(len(self._orders(*(f"BIG-{index}" for index in range(7)))), 7)
        self.assertEqual(record.progress, 100)

    def test_background_failure_keeps_the_chunks_done_and_resumes(self):
        self._set_background(threshold=2, chunk=2)
        refs = [f"FAIL-{index}" for index in range(6)]
        rows = [IMPORT_HEADERS] + [self._import_row(ref) for ref in refs]
        record = self._upload(csv_file(rows))
        record.action_import()
        import_chunk = type(self.env["sale.order.import"])._import_chunk
        calls = []

        def fail_on_second_chunk(import_record, groups):
            calls.append(groups)
            if len(calls) == 2:
                raise UserError(import_record.env._("The database went away"))
            return import_chunk(import_record, groups)

        with (
            patch.object(
                type(self.env["sale.order.import"]),
                "_import_chunk",
                fail_on_second_chunk,
            ),
            self.assertLogs(
                "odoo.addons.sale_fulfillment.models.sale_order_import", "ERROR"
            ),
        ):
            self.env["sale.order.import"]._cron_process_imports()
        self.assertEqual(
            sorted(self._orders(*refs).mapped("channel_order_ref")), refs[:2]
        )
        self.assertFalse(record.in_background)
        self.assertEqual(
            record.background_error,
            "The import stopped: The database went away\nThe orders imported until "
            "then are kept. Import goes on with the rows not imported yet.",
        )
        self.assertEqual(record.processed_count, 2)

        record.action_import()
        self.assertTrue(record.in_background)
        self.assertFalse(record.background_error)
        self.env["sale.order.import"]._cron_process_imports()
        self.assertEqual(record.state, "done")
        self.assertEqual(record.imported_count, 6)
        self.assertEqual(len(self._orders(*refs)), 6)

    def _set_background(self, threshold, chunk):
        parameters = self.env["ir.config_parameter"]
        parameters.set_param("sale_fulfillment.order_import_background_rows", threshold)
        parameters.set_param("sale_fulfillment.order_import_chunk", chunk)


# Measured: checking a file (of 6 or 12 orders of 2 rows, one a combo);
# importing 6 such orders; what the import adds to the order intake's own
# queries for the same orders (59 to 64, as the tests before leave Odoo's
# caches).
QUERIES_CHECK = 29
QUERIES_IMPORT = 744
QUERIES_IMPORT_MORE = 70
