import subprocess
import tempfile
import unicodedata

from lxml import html

from odoo import Command
from odoo.tests import new_test_user, tagged

from .common import ShipmentCase, create_barcoded_products, load_chinese

PICKING_LIST = "sale_fulfillment.action_report_picking_list"
PICKING_LIST_BATCH = "sale_fulfillment.action_report_picking_list_batch"
PACKING_SLIP = "sale_fulfillment.action_report_packing_slip"
RMA_SLIP = "sale_fulfillment.action_report_rma"
PRODUCTION_PLAN = "sale_fulfillment.action_report_production_plan"
ORDER_STATISTICS = "sale_fulfillment.action_report_order_statistics"


@tagged("post_install", "-at_install")
class TestReports(ShipmentCase):
    """The printed documents: picking list, packing slip and after-sales slip,
    read by the people who handle the goods, in their language."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        load_chinese(cls.env)
        cls.env["res.lang"]._activate_lang("en_US")
        cls.picker = new_test_user(
            cls.env,
            login="sf_report_picker",
            groups="stock.group_stock_user",
            lang="zh_CN",
        )
        cls.clerk = new_test_user(
            cls.env,
            login="sf_report_clerk",
            groups="sale_fulfillment.group_aftersales_user",
            lang="zh_CN",
        )
        cls.buyer = cls.env["res.partner"].create(
            {
                "name": "上海某某贸易有限公司",
                "street": "浦东新区世纪大道 100 号",
                "city": "上海",
                "zip": "200120",
                "country_id": cls.env.ref("base.cn").id,
                "lang": "zh_CN",
            }
        )
        cls.flask, cls.teapot = create_barcoded_products(
            cls.env,
            [("不锈钢保温杯", "6901234567892", 0.35), ("紫砂茶壶", "RPT-TEAPOT", 1.2)],
        )
        cls.flask.default_code = "FLASK-01"
        # Two shelves: the older stock on shelf A goes first (FIFO), so a
        # second delivery takes what is left there, then shelf B.
        cls.shelf_a, cls.shelf_b = cls.env["stock.location"].create(
            [
                {"name": "Shelf A", "location_id": cls.stock_location.id},
                {"name": "Shelf B", "location_id": cls.stock_location.id},
            ]
        )
        quants = cls.env["stock.quant"]
        quants._update_available_quantity(
            cls.flask, cls.shelf_a, 5, in_date="2024-01-01 00:00:00"
        )
        quants._update_available_quantity(
            cls.flask, cls.shelf_b, 100, in_date="2024-06-01 00:00:00"
        )
        quants._update_available_quantity(cls.teapot, cls.shelf_a, 100)

    def _sale_delivery(self, lines, **values):
        """Confirm an order of ``lines`` for the Chinese customer, return its
        reserved delivery."""
        order = self._order(lines, partner=self.buyer)
        if values:
            order.write(values)
        picking = self._delivery(order)
        self.assertEqual(picking.state, "assigned")
        return picking

    def _pdf_text(self, xmlid, records, user):
        """Render a real PDF (not the HTML Odoo renders in tests) as ``user``,
        in their language as the web client asks, and return its text."""
        content, report_type = (
            self.env["ir.actions.report"]
            .with_user(user)
            .with_context(force_report_rendering=True, lang=user.lang)
            ._render_qweb_pdf(xmlid, records.ids)
        )
        self.assertEqual(report_type, "pdf")
        self.assertTrue(content.startswith(b"%PDF"))
        with tempfile.NamedTemporaryFile(suffix=".pdf") as pdf:
            pdf.write(content)
            pdf.flush()
            text = subprocess.run(
                ["pdftotext", "-layout", pdf.name, "-"],
                capture_output=True,
                check=True,
            ).stdout.decode()
        # CJK fonts map some ideographs to their compatibility radicals.
        return unicodedata.normalize("NFKC", text)

    def _html(self, xmlid, records, user, lang="en_US"):
        html, _report_type = (
            self.env["ir.actions.report"]
            .with_user(user)
            .with_context(lang=lang)
            ._render_qweb_html(xmlid, records.ids)
        )
        return html.decode()

    def _lines(self, lines):
        return [
            (
                line["location_id"],
                line["product_id"],
                line["quantity"],
                line["picking_ids"],
                line["order_ids"],
            )
            for line in lines
        ]

    # Picking list ---------------------------------------------------------

    def test_picking_list_aggregates_per_location_and_product_across_deliveries(self):
        first = self._sale_delivery([(self.flask, 4), (self.teapot, 2)])
        second = self._sale_delivery([(self.flask, 4)])
        parser = self.env["report.sale_fulfillment.report_picking_list"].with_user(
            self.picker
        )
        lines = parser._get_picking_list_lines(first | second)
        # Shelf A: 4 for the first delivery and the last 1 for the second;
        # shelf B: the second delivery's other 3.
        self.assertEqual(
            self._lines(lines),
            [
                (
                    self.shelf_a,
                    self.flask,
                    5.0,
                    first | second,
                    first.sale_id | second.sale_id,
                ),
                (self.shelf_a, self.teapot, 2.0, first, first.sale_id),
                (self.shelf_b, self.flask, 3.0, second, second.sale_id),
            ],
        )
        self.assertEqual(lines[0]["barcode"], "6901234567892")
        self.assertEqual(lines[0]["default_code"], "FLASK-01")
        self.assertEqual(lines[0]["product_uom_id"], self.flask.uom_id)

    def test_picking_list_shows_the_reserved_lots(self):
        leaves = self.env["product.product"].create(
            {"name": "龙井绿茶", "is_storable": True, "tracking": "lot"}
        )
        first_lot, second_lot = self.env["stock.lot"].create(
            [
                {"name": "LJ-2024-01", "product_id": leaves.id},
                {"name": "LJ-2024-02", "product_id": leaves.id},
            ]
        )
        quants = self.env["stock.quant"]
        quants._update_available_quantity(leaves, self.shelf_a, 3, lot_id=first_lot)
        quants._update_available_quantity(leaves, self.shelf_a, 4, lot_id=second_lot)
        picking = self._sale_delivery([(leaves, 5)])
        sheet = (
            self.env["report.sale_fulfillment.report_picking_list"]
            .with_user(self.picker)
            ._get_report_values(picking.ids)["sheets"][0]
        )
        self.assertEqual(
            [
                (line["location_id"], line["lot_id"], line["quantity"])
                for line in sheet["lines"]
            ],
            [(self.shelf_a, first_lot, 3.0), (self.shelf_a, second_lot, 2.0)],
        )
        self.assertTrue(sheet["has_lots"])
        self.assertFalse(sheet["has_barcodes"])
        self.picker.lang = "en_US"
        html = self._html(PICKING_LIST, picking, self.picker)
        self.assertIn("Lot/Serial Number", html)
        self.assertIn("LJ-2024-02", html)
        self.assertNotIn(">Barcode<", html)

    def test_picking_list_of_several_deliveries_prints_a_sheet_each(self):
        first = self._sale_delivery([(self.flask, 4), (self.teapot, 2)])
        second = self._sale_delivery([(self.flask, 4)])
        values = (
            self.env["report.sale_fulfillment.report_picking_list"]
            .with_user(self.picker)
            ._get_report_values((first | second).ids)
        )
        sheets = values["sheets"]
        self.assertEqual([sheet["doc"] for sheet in sheets], [first, second])
        self.assertEqual(
            self._lines(sheets[0]["lines"]),
            [
                (self.shelf_a, self.flask, 4.0, first, first.sale_id),
                (self.shelf_a, self.teapot, 2.0, first, first.sale_id),
            ],
        )
        self.assertEqual(
            self._lines(sheets[1]["lines"]),
            [
                (self.shelf_a, self.flask, 1.0, second, second.sale_id),
                (self.shelf_b, self.flask, 3.0, second, second.sale_id),
            ],
        )
        self.assertEqual(
            [location for location, _lines in sheets[1]["locations"]],
            [self.shelf_a, self.shelf_b],
        )
        self.picker.lang = "en_US"
        html = self._html(PICKING_LIST, first | second, self.picker)
        self.assertEqual(html.count("Picking List"), 2)
        self.assertIn(first.sale_id.name, html)
        self.assertIn(second.sale_id.name, html)
        self.assertIn(self.shelf_b.complete_name, html)
        self.assertIn("FLASK-01", html)

    def test_picking_list_lists_what_is_not_reserved_yet(self):
        picking = self._sale_delivery([(self.teapot, 2)])
        short = self._order([(self.scarce, 3)], partner=self.buyer)
        shortage = short.picking_ids
        values = (
            self.env["report.sale_fulfillment.report_picking_list"]
            .with_user(self.picker)
            ._get_report_values((picking | shortage).ids)
        )
        missing = values["sheets"][1]["unreserved"]
        self.assertEqual(values["sheets"][1]["lines"], [])
        self.assertEqual(
            [(row["product_id"], row["quantity"]) for row in missing],
            [(self.scarce, 3.0)],
        )
        self.assertEqual(values["sheets"][0]["unreserved"], [])

    def test_batch_picking_list_aggregates_its_deliveries_in_chinese(self):
        first = self._sale_delivery(
            [(self.flask, 4), (self.teapot, 2)], client_order_ref="PO-2024-001"
        )
        second = self._sale_delivery([(self.flask, 4)])
        batch = self.env["stock.picking.batch"].create(
            {"user_id": self.picker.id, "picking_ids": [Command.set(first.ids)]}
        )
        second.batch_id = batch
        values = (
            self.env["report.sale_fulfillment.report_picking_list_batch"]
            .with_user(self.picker)
            ._get_report_values(batch.ids)
        )
        (sheet,) = values["sheets"]
        self.assertEqual(values["doc_model"], "stock.picking.batch")
        self.assertEqual(sheet["doc"], batch)
        self.assertEqual(sheet["picking_count"], 2)
        self.assertEqual(sheet["user"], self.picker)
        self.assertEqual(
            [(line["location_id"], line["quantity"]) for line in sheet["lines"]],
            [(self.shelf_a, 5.0), (self.shelf_a, 2.0), (self.shelf_b, 3.0)],
        )
        text = self._pdf_text(PICKING_LIST_BATCH, batch, self.picker)
        self.assertIn("拣货单", text, "the title in the picker's language")
        self.assertIn(batch.name, text)
        self.assertIn("不锈钢保温杯", text)
        self.assertIn("紫砂茶壶", text)
        self.assertIn("上海某某贸易有限公司", text)
        self.assertIn(first.sale_id.name, text)
        self.assertIn(second.sale_id.name, text)
        self.assertIn("5.00", text)
        self.assertIn("3.00", text)

    def test_picking_list_in_english_as_a_stock_user(self):
        picking = self._sale_delivery([(self.flask, 4), (self.teapot, 2)])
        self.picker.lang = "en_US"
        text = self._pdf_text(PICKING_LIST, picking, self.picker)
        for label in ("Picking List", "Responsible", "Deliveries", "Picked"):
            self.assertIn(label, text)
        self.assertIn(picking.name, text)
        self.assertIn(picking.sale_id.name, text)
        self.assertIn("6901234567892", text)
        self.assertIn("4.00", text)
        self.assertIn("2.00", text)

    def test_picking_list_lines_read_once_whatever_the_number_of_deliveries(self):
        pickings = self.env["stock.picking"].union(
            *(
                self._sale_delivery([(self.flask, 1), (self.teapot, 1)])
                for _i in range(6)
            )
        )
        parser = self.env["report.sale_fulfillment.report_picking_list"].with_user(
            self.picker
        )
        # Warm the caches that do not depend on the deliveries (access rules,
        # the user's groups): the first read after the fixtures fills them.
        self.env.flush_all()
        for _i in range(2):
            parser._get_picking_list_lines(pickings)
            self.env.invalidate_all()
        with self.assertQueryCount(12):
            lines = parser._get_picking_list_lines(pickings[:2])
        self.assertEqual(sum(line["quantity"] for line in lines), 4.0)
        self.env.invalidate_all()
        with self.assertQueryCount(12):
            lines = parser._get_picking_list_lines(pickings)
        self.assertEqual(sum(line["quantity"] for line in lines), 12.0)

    # Packing slip ---------------------------------------------------------

    def _packed_delivery(self):
        """A delivery of 4 flasks in a weighed parcel and 2 teapots in a
        parcel not weighed, with a carrier and a tracking reference."""
        picking = self._sale_delivery(
            [(self.flask, 4), (self.teapot, 2)],
            client_order_ref="PO-2024-001",
            customer_note="请在工作日送货",
        )
        weighed, unweighed = self.env["stock.quant.package"].create(
            [{"name": "PARCEL-1", "shipping_weight": 2.5}, {"name": "PARCEL-2"}]
        )
        for move_line in picking.move_line_ids:
            move_line.result_package_id = (
                weighed if move_line.product_id == self.flask else unweighed
            )
        picking.write({"carrier_tracking_ref": "SF1234567890"})
        return picking

    def test_packing_slip_shows_lines_packages_weights_and_carrier(self):
        picking = self._packed_delivery()
        parser = self.env["report.sale_fulfillment.report_packing_slip"].with_user(
            self.picker
        )
        lines = parser._get_packing_slip_lines(picking)[picking.id]
        self.assertEqual(
            [(line["product_id"], line["ordered"], line["shipped"]) for line in lines],
            [(self.flask, 4.0, 4.0), (self.teapot, 2.0, 2.0)],
        )
        self.assertAlmostEqual(lines[0]["weight"], 1.4)
        self.assertAlmostEqual(lines[1]["weight"], 2.4)
        packages = parser._get_packing_slip_packages(picking)[picking.id]
        self.assertEqual(
            [
                (package["package_id"].name, package["estimated"])
                for package in packages
            ],
            [("PARCEL-1", False), ("PARCEL-2", True)],
        )
        self.assertAlmostEqual(packages[0]["weight"], 2.5)
        self.assertAlmostEqual(packages[1]["weight"], 2.4)
        # The entered 2.5 kg of the first parcel, the 2.4 kg estimate of the
        # second.
        self.assertAlmostEqual(picking.shipping_weight, 4.9)
        self.buyer.lang = "en_US"
        text = self._pdf_text(PACKING_SLIP, picking, self.picker)
        for expected in (
            "Packing Slip",
            picking.name,
            picking.sale_id.name,
            "PO-2024-001",
            "Jade Express",
            "SF1234567890",
            "PARCEL-1",
            "PARCEL-2",
            "(estimated)",
            "Total Weight",
            "4.90",
            "1.40",
            "Customer Remark",
            "请在工作日送货",
            "Signature and date",
            "上海某某贸易有限公司",
        ):
            self.assertIn(expected, text)

    def test_packing_slip_renders_in_chinese_for_a_chinese_customer(self):
        picking = self._packed_delivery()
        text = self._pdf_text(PACKING_SLIP, picking, self.picker)
        self.assertIn("发货单", text, "the title in the customer's language")
        self.assertIn("不锈钢保温杯", text)
        self.assertIn("紫砂茶壶", text)
        self.assertIn("上海某某贸易有限公司", text)
        self.assertIn("SF1234567890", text)

    def test_pack_station_prints_the_packing_slip(self):
        picking = self._sale_delivery([(self.flask, 1)])
        action = picking.with_user(self.picker).pack_print_slip()
        self.assertEqual(action["report_name"], "sale_fulfillment.report_packing_slip")
        self.assertEqual(picking._get_pack_slip_report(), self.env.ref(PACKING_SLIP))

    # After-sales slip -----------------------------------------------------

    def _return_request(self):
        """A confirmed return and refund of 1 flask of a delivered, invoiced
        order, with an internal note."""
        self.company.write(
            {"rma_manager_approval_amount": 0.0, "rma_refund_timing": "on_receipt"}
        )
        order = self._order([(self.flask, 2)], partner=self.buyer)
        self._ship(order)
        self._invoice(order)
        rma = (
            self.env["sale.rma"]
            .with_user(self.clerk)
            .create(
                {
                    "order_id": order.id,
                    "rma_type": "return_refund",
                    "reason_id": self.env.ref(
                        "sale_fulfillment.sale_rma_reason_defective"
                    ).id,
                    "description": "杯盖漏水",
                    "note": "<p>INTERNAL-ONLY goodwill limit</p>",
                    "line_ids": [
                        Command.create(
                            {
                                "sale_line_id": order.order_line.id,
                                "quantity": 1,
                            }
                        )
                    ],
                }
            )
        )
        rma.sudo().action_confirm()
        self.assertTrue(rma.return_picking_ids)
        return rma

    def test_rma_slip_prints_the_request_but_not_the_internal_note(self):
        rma = self._return_request()
        self.buyer.lang = "en_US"
        text = self._pdf_text(RMA_SLIP, rma, self.clerk)
        for expected in (
            "After-Sales Request",
            rma.name,
            "Return and Refund",
            rma.order_id.name,
            rma.reason_id.name,
            "杯盖漏水",
            "不锈钢保温杯",
            "Return Instructions",
            self.company.partner_id.name,
            rma.return_picking_ids.name,
            "Refund (Untaxed)",
        ):
            self.assertIn(expected, text)
        self.assertNotIn("INTERNAL-ONLY", text)
        html = self._html(RMA_SLIP, rma, self.clerk)
        self.assertNotIn("INTERNAL-ONLY", html)
        values = self.env["report.sale_fulfillment.report_rma"]._get_report_values(
            rma.ids
        )
        self.assertEqual(
            values["return_addresses"][rma.id],
            rma.return_picking_ids.picking_type_id.warehouse_id.partner_id,
        )

    def test_rma_slip_renders_in_chinese_for_a_chinese_customer(self):
        rma = self._return_request()
        text = self._pdf_text(RMA_SLIP, rma, self.clerk)
        self.assertIn("售后单", text, "the title in the customer's language")
        self.assertIn(rma.name, text)
        self.assertIn("不锈钢保温杯", text)
        self.assertIn("上海某某贸易有限公司", text)
        self.assertNotIn("INTERNAL-ONLY", text)

    def test_rma_form_has_a_print_button(self):
        arch = self.env["sale.rma"].get_view(view_type="form")["arch"]
        self.assertIn(f'name="{self.env.ref(RMA_SLIP).id}"', arch)

    # Every report, in Chinese ---------------------------------------------

    def test_every_report_renders_in_chinese(self):
        picking = self._packed_delivery()
        batch = self.env["stock.picking.batch"].create(
            {"picking_ids": [Command.set(picking.ids)]}
        )
        rma = self._return_request()
        workcenter = self.env["mrp.workcenter"].create({"name": "包装线"})
        bom = self.env["mrp.bom"].create(
            {
                "product_tmpl_id": self.flask.product_tmpl_id.id,
                "product_qty": 1,
                "operation_ids": [
                    Command.create({"name": "装配", "workcenter_id": workcenter.id})
                ],
            }
        )
        production = self.env["mrp.production"].create(
            {"product_id": self.flask.id, "bom_id": bom.id, "product_qty": 2}
        )
        production.action_confirm()
        production.button_plan()
        planner = new_test_user(
            self.env,
            login="sf_report_planner",
            groups="mrp.group_mrp_user",
            lang="zh_CN",
        )
        for xmlid, records, user in (
            (PICKING_LIST, picking, self.picker),
            (PICKING_LIST_BATCH, batch, self.picker),
            (PACKING_SLIP, picking, self.picker),
            (RMA_SLIP, rma, self.clerk),
            (PRODUCTION_PLAN, production.workorder_ids, planner),
        ):
            with self.subTest(report=xmlid):
                text = self._pdf_text(xmlid, records, user)
                self.assertTrue(text.strip())
        self.assertIn("装配", text)
        self.assertIn("包装线", text)

    def test_reports_are_bound_to_the_print_menu(self):
        for xmlid, model in (
            (PICKING_LIST, "stock.picking"),
            (PICKING_LIST_BATCH, "stock.picking.batch"),
            (PACKING_SLIP, "stock.picking"),
            (RMA_SLIP, "sale.rma"),
        ):
            report = self.env.ref(xmlid)
            self.assertEqual(report.binding_model_id.model, model)
            self.assertEqual(report.binding_type, "report")
            self.assertEqual(report.paperformat_id.format, "A4")

    # Several records at once ----------------------------------------------

    def _pdf_pages(self, xmlid, records, user):
        """Render ``records`` into one real PDF as ``user`` with this
        machine's wkhtmltopdf: its number of pages and its text."""
        content, _report_type = (
            self.env["ir.actions.report"]
            .with_user(user)
            .with_context(force_report_rendering=True, lang=user.lang)
            ._render_qweb_pdf(xmlid, records.ids)
        )
        self.assertTrue(content.startswith(b"%PDF"))
        with tempfile.NamedTemporaryFile(suffix=".pdf") as pdf:
            pdf.write(content)
            pdf.flush()
            info = subprocess.run(
                ["pdfinfo", pdf.name], capture_output=True, check=True, text=True
            ).stdout
            text = subprocess.run(
                ["pdftotext", "-layout", pdf.name, "-"],
                capture_output=True,
                check=True,
                text=True,
            ).stdout
        [pages] = [
            int(line.split(":")[1])
            for line in info.splitlines()
            if line.startswith("Pages:")
        ]
        return pages, unicodedata.normalize("NFKC", text)

    def test_every_report_prints_several_records_on_this_wkhtmltopdf(self):
        # Debian's wkhtmltopdf (unpatched Qt, the one CI installs) takes one
        # HTML document only: each report of several records printed as one
        # document each answered an empty PDF, hence a server error.
        self.picker.lang = self.clerk.lang = "en_US"
        self.buyer.lang = "en_US"
        deliveries = self.env["stock.picking"].union(
            *(
                self._sale_delivery([(self.flask, quantity), (self.teapot, 1)])
                for quantity in (1, 2, 3)
            )
        )
        batches = self.env["stock.picking.batch"].create(
            [{"picking_ids": [Command.set(picking.ids)]} for picking in deliveries[:2]]
        )
        requests = self._return_request() | self._return_request()
        digests = self.env["sale.fulfillment.digest"].create(
            [{"name": "Digest North"}, {"name": "Digest South"}]
        )
        manager = new_test_user(
            self.env,
            login="sf_report_manager",
            groups="sales_team.group_sale_manager",
            lang="en_US",
        )
        for xmlid, records, user, names in (
            (PICKING_LIST, deliveries, self.picker, deliveries.mapped("name")),
            (PACKING_SLIP, deliveries, self.picker, deliveries.mapped("name")),
            (PICKING_LIST_BATCH, batches, self.picker, batches.mapped("name")),
            (RMA_SLIP, requests, self.clerk, requests.mapped("name")),
            # A digest's statistics are titled, not named.
            (ORDER_STATISTICS, digests, manager, ["Order Statistics"] * 2),
        ):
            with self.subTest(report=xmlid):
                pages, text = self._pdf_pages(xmlid, records, user)
                self.assertGreaterEqual(pages, len(records))
                for name in set(names):
                    self.assertGreaterEqual(text.count(name), names.count(name), name)

    def test_one_document_of_several_starts_each_record_on_a_new_page(self):
        reports = self.env["ir.actions.report"]
        bodies = [
            f"<!DOCTYPE html><html><head><meta charset='utf-8'/></head>"
            f"<body class='o_body_pdf'><div class='article' data-oe-id='{number}'>"
            f"<p>Record {number}</p></div></body></html>"
            for number in (1, 2, 3)
        ]
        document = html.document_fromstring(reports._merge_report_bodies(bodies))
        articles = document.find_class("article")
        self.assertEqual(
            [article.get("data-oe-id") for article in articles], ["1", "2", "3"]
        )
        self.assertEqual(len(document.xpath("//head")), 1)
        self.assertEqual(
            [
                "page-break-before: always" in (article.getparent().get("style") or "")
                for article in articles
            ],
            [False, True, True],
        )
