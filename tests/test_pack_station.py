from odoo.exceptions import AccessError, UserError
from odoo.tests import TransactionCase, new_test_user, tagged
from odoo.tools.barcode import get_barcode_check_digit

from .common import (
    create_barcoded_products,
    create_delivery,
    load_chinese,
    read_as,
    switch_capabilities,
)


def _ean13(first_twelve):
    """A valid EAN-13 from its first twelve digits."""
    return first_twelve + str(get_barcode_check_digit(first_twelve + "0"))


class PackStationCase(TransactionCase):
    """A delivery operation type that requires verification, products with
    barcodes, weights, packagings, lots and serials in stock, a box, and a
    packer and a stock manager."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        switch_capabilities(cls.company, on=False)
        switch_capabilities(cls.company, "stock_pack_check_enabled")
        cls.company.write(
            {"pack_weight_tolerance_percent": 5.0, "pack_weight_tolerance_grams": 50.0}
        )
        cls.warehouse = cls.env["stock.warehouse"].search(
            [("company_id", "=", cls.company.id)], limit=1
        )
        cls.stock_location = cls.warehouse.lot_stock_id
        cls.customers = cls.env.ref("stock.stock_location_customers")
        cls.out_type = cls.warehouse.out_type_id
        cls.out_type.write(
            {
                "pack_verify_required": True,
                "pack_weigh_required": False,
                "create_backorder": "ask",
            }
        )
        cls.packer = new_test_user(
            cls.env, login="sf_packer", groups="stock.group_stock_user"
        )
        cls.manager = new_test_user(
            cls.env, login="sf_pack_manager", groups="stock.group_stock_manager"
        )
        Product = cls.env["product.product"]
        cls.cup, cls.tray, cls.other = create_barcoded_products(
            cls.env,
            [
                ("Pack Cup", "PS-CUP", 0.5),
                ("Pack Tray", "PS-TRAY", 1.0),
                ("Pack Other Vase", "PS-OTHER", 2.0),
            ],
            stock=100,
        )
        cls.teapot = Product.create(
            {
                "name": "Pack Serial Teapot",
                "type": "consu",
                "is_storable": True,
                "tracking": "serial",
                "barcode": "PS-POT",
                "weight": 0.8,
            }
        )
        cls.tea = Product.create(
            {
                "name": "Pack Lot Tea",
                "type": "consu",
                "is_storable": True,
                "tracking": "lot",
                "barcode": _ean13("690123450001"),
                "weight": 0.25,
            }
        )
        cls.cup_box = cls.env["product.packaging"].create(
            {
                "name": "Box of 6",
                "product_id": cls.cup.id,
                "qty": 6,
                "barcode": "PS-CUP6",
            }
        )
        cls.box = cls.env["stock.package.type"].create(
            {"name": "Carton S", "barcode": "PS-BOX-S", "base_weight": 0.2}
        )
        Lot = cls.env["stock.lot"]
        cls.serials = Lot.create(
            [
                {
                    "name": name,
                    "product_id": cls.teapot.id,
                    "company_id": cls.company.id,
                }
                for name in ("PS-SN1", "PS-SN2", "PS-SN3")
            ]
        )
        cls.tea_lot = Lot.create(
            {"name": "PS-L1", "product_id": cls.tea.id, "company_id": cls.company.id}
        )
        Quant = cls.env["stock.quant"]
        for serial in cls.serials:
            Quant._update_available_quantity(
                cls.teapot, cls.stock_location, 1, lot_id=serial
            )
        Quant._update_available_quantity(
            cls.tea, cls.stock_location, 10, lot_id=cls.tea_lot
        )

    @classmethod
    def _delivery(cls, lines, origin=False):
        """A confirmed, reserved delivery of ``lines`` [(product, quantity)]."""
        return create_delivery(cls.env, lines, cls.out_type, origin=origin)

    def _counted(self, picking, product):
        return sum(
            picking.move_ids.filtered(lambda m: m.product_id == product).mapped(
                "pack_qty_counted"
            )
        )

    def _scan(self, picking, *barcodes, user=None):
        replies = [
            picking.with_user(user or self.packer).pack_scan(barcode)
            for barcode in barcodes
        ]
        return replies[-1]


@tagged("post_install", "-at_install")
class TestPackScan(PackStationCase):
    def test_scanning_every_item_verifies_the_delivery(self):
        picking = self._delivery([(self.cup, 2), (self.tray, 1)])
        reply = self._scan(picking, "PS-CUP")
        self.assertEqual(reply["status"], "ok")
        self.assertEqual(reply["code"], "counted")
        self.assertIn("1 of 2", reply["message"])
        self.assertEqual(picking.verify_state, "in_progress")
        cup_line = next(
            line
            for line in reply["picking"]["lines"]
            if line["product_id"] == self.cup.id
        )
        self.assertEqual((cup_line["counted"], cup_line["missing"]), (1, 1))

        self._scan(picking, "PS-CUP")
        reply = self._scan(picking, "PS-TRAY")
        self.assertEqual(reply["status"], "done")
        self.assertEqual(picking.verify_state, "verified")
        self.assertEqual(picking.verified_by_id, self.packer)
        self.assertTrue(picking.verified_on)
        self.assertEqual(self._counted(picking, self.cup), 2)
        self.assertEqual(
            picking.pack_scan_ids.mapped("event"), ["count", "count", "count"]
        )
        self.assertEqual(picking.pack_scan_ids.user_id, self.packer)
        self.assertEqual(picking.pack_scan_ids.product_id, self.cup | self.tray)
        self.assertEqual(picking.pack_scan_count, 3)

    def test_unknown_barcode_is_refused_and_writes_nothing(self):
        picking = self._delivery([(self.cup, 2)])
        self._scan(picking, "PS-CUP")
        reply = self._scan(picking, "NO-SUCH-CODE")
        self.assertEqual(reply["status"], "error")
        self.assertEqual(reply["code"], "unknown")
        self.assertIn("NO-SUCH-CODE", reply["message"])
        self.assertEqual(len(picking.pack_scan_ids), 1)
        self.assertEqual(self._counted(picking, self.cup), 1)
        self.assertEqual(picking.verify_state, "in_progress")

    def test_over_scan_is_refused_and_counts_nothing(self):
        picking = self._delivery([(self.cup, 1)])
        self.assertEqual(self._scan(picking, "PS-CUP")["status"], "done")
        reply = self._scan(picking, "PS-CUP")
        self.assertEqual(reply["status"], "error")
        self.assertEqual(reply["code"], "too_many")
        self.assertIn("1 of 1", reply["message"])
        self.assertEqual(self._counted(picking, self.cup), 1)
        self.assertEqual(len(picking.pack_scan_ids), 1)
        self.assertEqual(picking.verify_state, "verified")

    def test_product_of_another_delivery_is_refused(self):
        picking = self._delivery([(self.cup, 1)])
        reply = self._scan(picking, "PS-OTHER")
        self.assertEqual((reply["status"], reply["code"]), ("error", "wrong_item"))
        self.assertIn("Pack Other Vase", reply["message"])
        self.assertFalse(picking.pack_scan_ids)
        self.assertEqual(picking.verify_state, "none")

    def test_scan_on_done_or_cancelled_delivery_is_refused(self):
        done = self._delivery([(self.cup, 1)])
        self._scan(done, "PS-CUP")
        done.with_user(self.packer).pack_validate()
        self.assertEqual(done.state, "done")
        cancelled = self._delivery([(self.cup, 1)])
        cancelled.action_cancel()
        for picking in (done, cancelled):
            logged = len(picking.pack_scan_ids)
            reply = self._scan(picking, "PS-CUP")
            self.assertEqual((reply["status"], reply["code"]), ("error", "closed"))
            self.assertIn(picking.name, reply["message"])
            self.assertEqual(len(picking.pack_scan_ids), logged)
            reply = picking.with_user(self.packer).pack_set_weight(1.0)
            self.assertEqual(reply["status"], "error")
            self.assertFalse(picking.measured_weight)
        with self.assertRaisesRegex(UserError, "already"):
            done.with_user(self.packer).pack_validate()

    def test_packaging_barcode_counts_its_quantity(self):
        picking = self._delivery([(self.cup, 6)])
        reply = self._scan(picking, "PS-CUP6")
        self.assertEqual(reply["status"], "done")
        self.assertEqual(self._counted(picking, self.cup), 6)
        self.assertEqual(picking.pack_scan_ids.quantity, 6)
        self.assertEqual(picking.pack_scan_ids.message, "Box of 6")

        smaller = self._delivery([(self.cup, 4)])
        reply = self._scan(smaller, "PS-CUP6")
        self.assertEqual((reply["status"], reply["code"]), ("error", "too_many"))
        self.assertEqual(self._counted(smaller, self.cup), 0)

    def test_serial_numbers_count_once_each(self):
        picking = self._delivery([(self.teapot, 2)])
        reserved = picking.move_line_ids.lot_id
        self.assertEqual(len(reserved), 2)
        unreserved = self.serials - reserved

        reply = self._scan(picking, "PS-POT")
        self.assertEqual((reply["status"], reply["code"]), ("error", "lot_required"))
        reply = self._scan(picking, reserved[0].name)
        self.assertEqual(reply["status"], "ok")
        reply = self._scan(picking, reserved[0].name)
        self.assertEqual((reply["status"], reply["code"]), ("error", "already_scanned"))
        reply = self._scan(picking, unreserved.name)
        self.assertEqual((reply["status"], reply["code"]), ("error", "wrong_lot"))
        self.assertIn(reserved[1].name, reply["message"])
        reply = self._scan(picking, reserved[1].name)
        self.assertEqual(reply["status"], "done")
        self.assertEqual(picking.pack_scan_ids.lot_id, reserved)

    def test_lot_product_counts_by_product_barcode_when_one_lot_is_reserved(self):
        picking = self._delivery([(self.tea, 2)])
        self._scan(picking, self.tea.barcode)
        reply = self._scan(picking, "PS-L1")
        self.assertEqual(reply["status"], "done")
        self.assertEqual(picking.move_line_ids.pack_qty_counted, 2)
        self.assertEqual(picking.pack_scan_ids.lot_id, self.tea_lot)

    def test_only_the_reserved_part_can_be_counted(self):
        scarce = self.env["product.product"].create(
            {
                "name": "Pack Scarce Bowl",
                "type": "consu",
                "is_storable": True,
                "barcode": "PS-BOWL",
            }
        )
        self.env["stock.quant"]._update_available_quantity(
            scarce, self.stock_location, 1
        )
        picking = self._delivery([(scarce, 3)])
        # What is reserved is all there is to verify; the rest waits for a
        # backorder and is not missing from the parcel.
        self.assertEqual(self._scan(picking, "PS-BOWL")["status"], "done")
        self.assertEqual(picking.verify_state, "verified")
        reply = self._scan(picking, "PS-BOWL")
        self.assertEqual((reply["status"], reply["code"]), ("error", "not_reserved"))
        self.assertEqual(self._counted(picking, scarce), 1)
        reply = picking.with_user(self.packer).pack_validate(backorder=True)
        self.assertEqual(reply["status"], "done")
        self.assertEqual(picking.move_ids.quantity, 1)
        self.assertEqual(picking.backorder_ids.move_ids.product_uom_qty, 2)

    def test_more_reserved_than_ordered_cannot_be_counted_beyond_the_order(self):
        picking = self._delivery([(self.cup, 2)])
        picking.move_ids.quantity = 3
        self._scan(picking, "PS-CUP", "PS-CUP")
        self.assertEqual(picking.verify_state, "verified")
        reply = self._scan(picking, "PS-CUP")
        self.assertEqual((reply["status"], reply["code"]), ("error", "too_many"))
        self.assertEqual(self._counted(picking, self.cup), 2)
        picking.with_user(self.packer).pack_validate()
        self.assertEqual(picking.move_ids.quantity, 2)

    def test_units_counted_against_a_move_in_dozens_make_exact_dozens(self):
        dozen = self.env.ref("uom.product_uom_dozen")
        picking = self._delivery([(self.cup, 1)])
        picking.do_unreserve()
        picking.move_ids.product_uom = dozen
        picking.action_assign()
        for _unit in range(11):
            self.assertEqual(self._scan(picking, "PS-CUP")["status"], "ok")
        reply = self._scan(picking, "PS-CUP")
        self.assertEqual(reply["status"], "done")
        self.assertIn("12 of 12", reply["message"])
        reply = self._scan(picking, "PS-CUP")
        self.assertEqual((reply["status"], reply["code"]), ("error", "too_many"))
        self.assertAlmostEqual(picking.move_ids.pack_qty_counted, 1.0)
        self.assertAlmostEqual(picking.expected_weight, 6.0)
        picking.with_user(self.packer).pack_validate()
        self.assertEqual(picking.state, "done")
        self.assertAlmostEqual(picking.move_ids.quantity, 1.0)
        self.assertAlmostEqual(picking.move_ids.product_qty, 12.0)

    def test_a_lot_name_shared_by_two_products_is_ambiguous(self):
        jasmine = self.env["product.product"].create(
            {
                "name": "Pack Lot Jasmine",
                "type": "consu",
                "is_storable": True,
                "tracking": "lot",
            }
        )
        same_name = self.env["stock.lot"].create(
            {"name": "PS-L1", "product_id": jasmine.id, "company_id": self.company.id}
        )
        self.env["stock.quant"]._update_available_quantity(
            jasmine, self.stock_location, 5, lot_id=same_name
        )
        picking = self._delivery([(self.tea, 1), (jasmine, 1)])
        reply = self._scan(picking, "PS-L1")
        self.assertEqual((reply["status"], reply["code"]), ("error", "ambiguous"))
        self.assertFalse(picking.pack_scan_ids)

    def test_box_barcode_chooses_the_package_type(self):
        picking = self._delivery([(self.cup, 2)])
        self.assertAlmostEqual(picking.expected_weight, 1.0)
        reply = self._scan(picking, "PS-BOX-S")
        self.assertEqual((reply["status"], reply["code"]), ("ok", "package_type"))
        self.assertEqual(picking.pack_package_type_id, self.box)
        self.assertAlmostEqual(picking.expected_weight, 1.2)
        self.assertEqual(reply["picking"]["package_type"], "Carton S")

    def test_another_delivery_reference_opens_it_and_writes_nothing(self):
        picking = self._delivery([(self.cup, 1)])
        other = self._delivery([(self.tray, 1)])
        reply = self._scan(picking, other.name)
        self.assertEqual(reply["code"], "open_picking")
        self.assertEqual(reply["open_picking_id"], other.id)
        self.assertFalse((picking | other).pack_scan_ids)

    def test_pack_station_finds_a_delivery_by_reference_or_order(self):
        picking = self._delivery([(self.cup, 1)], origin="PS-ORDER-1")
        Picking = self.env["stock.picking"].with_user(self.packer)
        reply = Picking.pack_station_find(picking.name)
        self.assertEqual(reply["picking"]["id"], picking.id)
        self.assertEqual(
            Picking.pack_station_find("PS-ORDER-1")["picking"]["id"], picking.id
        )
        self._delivery([(self.tray, 1)], origin="PS-ORDER-1")
        reply = Picking.pack_station_find("PS-ORDER-1")
        self.assertEqual((reply["status"], reply["code"]), ("error", "ambiguous"))
        reply = Picking.pack_station_find("PS-NOTHING")
        self.assertEqual((reply["status"], reply["code"]), ("error", "unknown"))
        ready = Picking.pack_station_pickings(search=picking.name)
        self.assertEqual([item["id"] for item in ready], [picking.id])

    def test_reset_forgets_counts_and_weight(self):
        picking = self._delivery([(self.cup, 2)])
        self._scan(picking, "PS-CUP", "PS-CUP")
        picking.with_user(self.packer).pack_set_weight(1.0)
        self.assertEqual(picking.verify_state, "verified")
        reply = picking.with_user(self.packer).pack_reset()
        self.assertEqual(reply["status"], "ok")
        self.assertEqual(self._counted(picking, self.cup), 0)
        self.assertEqual(picking.verify_state, "none")
        self.assertFalse(picking.measured_weight)
        self.assertFalse(picking.verified_by_id)
        self.assertEqual(picking.pack_scan_ids[0].event, "reset")

    def test_counts_weights_and_states_cannot_be_written_directly(self):
        picking = self._delivery([(self.cup, 1)])
        line = picking.move_line_ids.with_user(self.packer)
        with self.assertRaisesRegex(UserError, "counted by scanning"):
            line.write({"pack_qty_counted": 1})
        for vals in (
            {"verify_state": "verified"},
            {"measured_weight": 0.5},
            {"pack_override_by_id": self.manager.id},
        ):
            with self.assertRaisesRegex(UserError, "recorded by the pack station"):
                picking.with_user(self.manager).write(vals)
            # A context key sent with a request does not open the door.
            with self.assertRaisesRegex(UserError, "recorded by the pack station"):
                picking.with_user(self.manager).with_context(
                    sale_fulfillment_pack_write=True
                ).write(vals)
        self.assertEqual(picking.verify_state, "none")
        self.assertFalse(picking.move_line_ids.pack_qty_counted)

    def test_a_client_context_cannot_keep_quants_unreserved(self):
        quants = self.env["stock.quant"]._gather(self.cup, self.stock_location)
        reserved = sum(quants.mapped("reserved_quantity"))
        picking = self._delivery([(self.cup, 3)])
        picking.do_unreserve()
        picking.with_context(
            sale_fulfillment_keep_quant_reservation=True
        ).action_assign()
        self.assertEqual(picking.move_ids.quantity, 3)
        self.assertEqual(sum(quants.mapped("reserved_quantity")), reserved + 3)

    def test_log_is_read_only_for_warehouse_users(self):
        picking = self._delivery([(self.cup, 1)])
        self._scan(picking, "PS-CUP")
        entry = picking.pack_scan_ids.with_user(self.packer)
        self.assertEqual(entry.barcode, "PS-CUP")
        with self.assertRaises(AccessError):
            entry.write({"barcode": "forged"})
        with self.assertRaises(AccessError):
            entry.unlink()
        with self.assertRaises(AccessError):
            self.env["stock.pack.scan"].with_user(self.packer).create(
                {"picking_id": picking.id, "event": "count"}
            )


@tagged("post_install", "-at_install")
class TestPackWeight(PackStationCase):
    def test_weight_within_tolerance_keeps_the_delivery_verified(self):
        picking = self._delivery([(self.cup, 2)])
        self._scan(picking, "PS-BOX-S", "PS-CUP", "PS-CUP")
        self.assertAlmostEqual(picking.expected_weight, 1.2)
        # 5 % of 1.2 kg is 60 g, above the 50 g minimum.
        self.assertAlmostEqual(picking.weight_tolerance, 0.06)
        reply = picking.with_user(self.packer).pack_set_weight(1.25)
        self.assertEqual((reply["status"], reply["code"]), ("done", "weight_ok"))
        self.assertEqual(picking.verify_state, "verified")
        self.assertAlmostEqual(picking.weight_deviation, 0.05)
        self.assertTrue(picking.is_weight_within_tolerance)
        self.assertEqual(picking.pack_scan_ids[0].event, "weight")
        self.assertEqual(picking.pack_scan_ids[0].weight, 1.25)

    def test_weight_out_of_tolerance_is_a_mismatch(self):
        picking = self._delivery([(self.cup, 2)])
        self._scan(picking, "PS-CUP", "PS-CUP")
        reply = picking.with_user(self.packer).pack_set_weight(1.4)
        self.assertEqual(reply["code"], "weight_mismatch")
        self.assertIn("0.4", reply["message"])
        self.assertEqual(picking.verify_state, "mismatch")
        self.assertEqual(picking.pack_scan_ids[0].result, "mismatch")
        self.assertFalse(picking.is_weight_within_tolerance)

    def test_the_log_of_a_weighing_reads_in_each_packers_language(self):
        load_chinese(self.env)
        packer_zh = new_test_user(
            self.env,
            login="sf_packer_zh",
            groups="stock.group_stock_user",
            lang="zh_CN",
        )
        self.packer.lang = "en_US"
        picking = self._delivery([(self.cup, 2)])
        self._scan(picking, "PS-CUP", "PS-CUP")
        reply = read_as(self.packer, picking).pack_set_weight(1.4)
        english = (
            "Weight 1.4 kg is 0.4 kg off the expected 1 kg (tolerance ± 0.05 kg). "
            "Check the parcel."
        )
        chinese = (
            "重量 1.4 kg 与预计的 1 kg 相差 0.4 kg（允许误差 ± 0.05 kg）。请检查包裹。"
        )
        self.assertEqual(reply["message"], english)
        log = picking.pack_scan_ids[0]
        self.assertEqual(log.message_code, "stock_pack.weight_mismatch")
        self.assertEqual(read_as(self.packer, log).message, english)
        self.assertEqual(read_as(packer_zh, log).message, chinese)
        # The station of the next packer, in Chinese: the log line too.
        screen = read_as(packer_zh, picking).pack_read()["picking"]
        self.assertEqual(screen["log"][0]["text"], chinese)
        # And the other way round.
        read_as(packer_zh, picking).pack_set_weight(1.02)
        self.assertEqual(
            read_as(self.packer, picking.pack_scan_ids[0]).message,
            "Weight 1.02 kg: OK (expected 1 ± 0.05 kg).",
        )

    def test_light_parcel_gets_the_minimum_tolerance_in_grams(self):
        picking = self._delivery([(self.cup, 1)])
        self._scan(picking, "PS-CUP")
        self.assertAlmostEqual(picking.weight_tolerance, 0.05)
        picking.with_user(self.packer).pack_set_weight(0.54)
        self.assertTrue(picking.is_weight_within_tolerance)
        picking.with_user(self.packer).pack_set_weight(0.56)
        self.assertFalse(picking.is_weight_within_tolerance)

    def test_expected_weight_follows_the_counts_once_scanning_started(self):
        picking = self._delivery([(self.cup, 2), (self.tray, 1)])
        self.assertAlmostEqual(picking.expected_weight, 2.0)
        self._scan(picking, "PS-TRAY")
        self.assertAlmostEqual(picking.expected_weight, 1.0)

    def test_negative_or_missing_weight_is_refused(self):
        picking = self._delivery([(self.cup, 1)])
        for weight in (0, -1, "heavy", None):
            reply = picking.with_user(self.packer).pack_set_weight(weight)
            self.assertEqual((reply["status"], reply["code"]), ("error", "bad_weight"))
        self.assertFalse(picking.measured_weight)
        self.assertFalse(picking.pack_scan_ids)

    def test_weight_that_is_no_finite_number_is_refused(self):
        picking = self._delivery([(self.cup, 1)])
        self._scan(picking, "PS-CUP")
        log = picking.pack_scan_ids
        for weight in (
            "nan",
            "NaN",
            "inf",
            "-inf",
            "Infinity",
            "1e999",
            float("nan"),
            float("inf"),
            "-0.5",
            "0,5 kg",
            [],
            {},
        ):
            reply = picking.with_user(self.packer).pack_set_weight(weight)
            self.assertEqual(
                (reply["status"], reply["code"]), ("error", "bad_weight"), weight
            )
            self.assertIn("positive number", reply["message"])
        self.assertFalse(picking.measured_weight)
        self.assertEqual(picking.verify_state, "verified")
        self.assertEqual(picking.pack_scan_ids, log)

    def test_scans_and_boxes_that_are_not_the_stations_are_refused(self):
        picking = self._delivery([(self.cup, 1)])
        other_company = self.env["res.company"].create({"name": "Other Packers"})
        foreign_box = self.env["stock.package.type"].create(
            {"name": "Foreign Carton", "company_id": other_company.id}
        )
        packer = picking.with_user(self.packer)
        for package_type_id in (foreign_box.id, "1", [self.box.id], None, True):
            reply = packer.pack_set_package_type(package_type_id)
            self.assertEqual((reply["status"], reply["code"]), ("error", "unknown"))
        for barcode in (["PS-CUP"], {"barcode": "PS-CUP"}, 42):
            reply = packer.pack_scan(barcode)
            self.assertEqual((reply["status"], reply["code"]), ("error", "unknown"))
            reply = (
                self.env["stock.picking"]
                .with_user(self.packer)
                .pack_station_find(barcode)
            )
            self.assertEqual((reply["status"], reply["code"]), ("error", "unknown"))
        self.assertFalse(picking.pack_package_type_id)
        self.assertFalse(picking.pack_scan_ids)
        self.assertEqual(self._counted(picking, self.cup), 0)
        reply = packer.pack_set_package_type(self.box.id)
        self.assertEqual(reply["code"], "package_type")
        self.assertEqual(picking.pack_package_type_id, self.box)

    def test_weight_barcode_of_the_default_nomenclature_weighs(self):
        picking = self._delivery([(self.cup, 2)])
        self._scan(picking, "PS-CUP", "PS-CUP")
        reply = self._scan(picking, _ean13("210000001020"))
        self.assertEqual(reply["code"], "weight_ok")
        self.assertAlmostEqual(picking.measured_weight, 1.02)

    def test_gs1_net_weight_and_gtin_with_lot(self):
        self.company.nomenclature_id = self.env.ref(
            "barcodes_gs1_nomenclature.default_gs1_nomenclature"
        )
        picking = self._delivery([(self.tea, 2)])
        gtin = "0" + self.tea.barcode
        reply = self._scan(picking, f"01{gtin}10PS-L1")
        self.assertEqual((reply["status"], reply["code"]), ("ok", "counted"))
        self.assertEqual(picking.pack_scan_ids.lot_id, self.tea_lot)
        reply = self._scan(picking, f"01{gtin}303\x1d10PS-L1")
        self.assertEqual((reply["status"], reply["code"]), ("error", "too_many"))
        # Net weight in kilograms with three decimals: 0.520 kg.
        reply = self._scan(picking, "3103000520")
        self.assertEqual(reply["code"], "weight_mismatch")
        self.assertAlmostEqual(picking.measured_weight, 0.52)


@tagged("post_install", "-at_install")
class TestPackValidate(PackStationCase):
    def test_incomplete_verification_is_refused(self):
        picking = self._delivery([(self.cup, 2)])
        self._scan(picking, "PS-CUP")
        with self.assertRaisesRegex(UserError, "not completely scanned"):
            picking.with_user(self.packer).pack_validate()
        self.assertEqual(picking.state, "assigned")
        self.assertEqual(picking.move_ids.quantity, 2)

    def test_weight_out_of_tolerance_is_refused(self):
        picking = self._delivery([(self.cup, 1)])
        self._scan(picking, "PS-CUP")
        picking.with_user(self.packer).pack_set_weight(2.0)
        with self.assertRaisesRegex(UserError, "off the expected"):
            picking.with_user(self.packer).pack_validate()
        self.assertEqual(picking.state, "assigned")

    def test_unweighed_parcel_is_refused_when_weighing_is_required(self):
        self.out_type.pack_weigh_required = True
        picking = self._delivery([(self.cup, 1)])
        self._scan(picking, "PS-CUP")
        self.assertEqual(picking.verify_state, "in_progress")
        with self.assertRaisesRegex(UserError, "not been weighed"):
            picking.with_user(self.packer).pack_validate()
        reply = picking.with_user(self.packer).pack_set_weight(0.5)
        self.assertEqual(reply["status"], "done")
        reply = picking.with_user(self.packer).pack_validate()
        self.assertEqual(reply["status"], "done")
        self.assertEqual(picking.state, "done")

    def test_packer_cannot_override_a_refusal(self):
        picking = self._delivery([(self.cup, 2)])
        self._scan(picking, "PS-CUP")
        with self.assertRaisesRegex(UserError, "Only a stock manager"):
            picking.with_user(self.packer).pack_validate(override_reason="In a hurry")
        self.assertEqual(picking.state, "assigned")
        self.assertNotIn("override", picking.pack_scan_ids.mapped("event"))
        with self.assertRaisesRegex(UserError, "must go through the pack station"):
            picking.with_user(self.packer).with_context(
                sale_fulfillment_pack_validate=True
            ).button_validate()

    def test_manager_override_ships_what_was_scanned_and_logs_the_reason(self):
        picking = self._delivery([(self.cup, 3), (self.tray, 1)])
        self._scan(picking, "PS-CUP", "PS-CUP")
        reply = picking.with_user(self.manager).pack_validate(
            override_reason="Customer agreed to wait for the third cup"
        )
        self.assertEqual(reply["status"], "done")
        self.assertEqual(picking.state, "done")
        cup_move = picking.move_ids.filtered(lambda m: m.product_id == self.cup)
        self.assertEqual(cup_move.quantity, 2)
        backorder = picking.backorder_ids
        self.assertEqual(len(backorder), 1)
        self.assertEqual(
            {(m.product_id, m.product_uom_qty) for m in backorder.move_ids},
            {(self.cup, 1), (self.tray, 1)},
        )
        self.assertIn(backorder.name, reply["message"])
        override = picking.pack_scan_ids.filtered(lambda s: s.event == "override")
        self.assertEqual(override.user_id, self.manager)
        self.assertEqual(picking.pack_override_by_id, self.manager)
        self.assertEqual(
            picking.pack_override_reason, "Customer agreed to wait for the third cup"
        )
        self.assertEqual(override.message, "Customer agreed to wait for the third cup")
        self.assertTrue(
            any(
                "Customer agreed" in body for body in picking.message_ids.mapped("body")
            )
        )

    def test_no_backorder_when_the_packer_declines_one(self):
        self.out_type.pack_verify_required = False
        picking = self._delivery([(self.cup, 2)])
        self._scan(picking, "PS-CUP")
        reply = picking.with_user(self.packer).pack_validate(backorder=False)
        self.assertEqual(reply["status"], "done")
        self.assertEqual(picking.move_ids.quantity, 1)
        self.assertFalse(picking.backorder_ids)

    def test_backorder_policy_always_overrules_the_answer(self):
        self.out_type.write(
            {"pack_verify_required": False, "create_backorder": "always"}
        )
        picking = self._delivery([(self.cup, 2)])
        self._scan(picking, "PS-CUP")
        picking.with_user(self.packer).pack_validate(backorder=False)
        self.assertEqual(picking.backorder_ids.move_ids.product_uom_qty, 1)

    def test_backorder_policy_never_drops_the_rest(self):
        self.out_type.write(
            {"pack_verify_required": False, "create_backorder": "never"}
        )
        picking = self._delivery([(self.cup, 2)])
        self._scan(picking, "PS-CUP")
        picking.with_user(self.packer).pack_validate()
        self.assertEqual(picking.state, "done")
        self.assertFalse(picking.backorder_ids)

    def test_unverified_delivery_ships_as_reserved_when_verification_is_optional(self):
        self.out_type.pack_verify_required = False
        picking = self._delivery([(self.cup, 2), (self.tray, 1)])
        reply = picking.with_user(self.packer).pack_validate()
        self.assertEqual(reply["status"], "done")
        self.assertEqual(picking.move_ids.mapped("quantity"), [2, 1])
        self.assertFalse(picking.backorder_ids)
        self.assertEqual(picking.verify_state, "none")

    def test_validation_packs_in_the_chosen_box_with_the_measured_weight(self):
        picking = self._delivery([(self.cup, 2)])
        self._scan(picking, "PS-BOX-S", "PS-CUP", "PS-CUP")
        picking.with_user(self.packer).pack_set_weight(1.22)
        reply = picking.with_user(self.packer).pack_validate()
        self.assertEqual(reply["status"], "done")
        package = picking.move_line_ids.result_package_id
        self.assertEqual(len(package), 1)
        self.assertEqual(package.package_type_id, self.box)
        self.assertAlmostEqual(package.shipping_weight, 1.22)
        self.assertEqual(
            picking.pack_scan_ids.mapped("event")[:2], ["validate", "pack"]
        )

    def test_put_in_pack_makes_one_parcel_per_press(self):
        picking = self._delivery([(self.cup, 4)])
        self._scan(picking, "PS-BOX-S", "PS-CUP", "PS-CUP", "PS-CUP")
        reply = picking.with_user(self.packer).pack_put_in_pack()
        self.assertEqual(reply["code"], "packed")
        first = picking.move_line_ids.result_package_id
        self.assertEqual(
            sum(picking.move_line_ids.filtered("result_package_id").mapped("quantity")),
            3,
        )
        # The reservation is only shared differently.
        self.assertEqual(picking.move_ids.quantity, 4)
        quant = self.env["stock.quant"]._gather(self.cup, self.stock_location)
        self.assertEqual(sum(quant.mapped("reserved_quantity")), 4)
        reply = picking.with_user(self.packer).pack_put_in_pack()
        self.assertEqual((reply["status"], reply["code"]), ("error", "nothing_to_pack"))
        self._scan(picking, "PS-CUP")
        picking.with_user(self.packer).pack_put_in_pack()
        packages = picking.move_line_ids.result_package_id
        self.assertEqual(len(packages), 2)
        self.assertIn(first, packages)
        self.assertAlmostEqual(picking.expected_weight, 2.4)
        picking.with_user(self.packer).pack_set_weight(2.4)
        picking.with_user(self.packer).pack_validate()
        self.assertEqual(picking.state, "done")
        self.assertEqual(picking.move_ids.quantity, 4)
        self.assertEqual(sum(quant.mapped("reserved_quantity")), 0)

    def test_delivery_form_opens_the_pack_station_and_the_log(self):
        picking = self._delivery([(self.cup, 1)])
        action = picking.with_user(self.packer).action_open_pack_station()
        self.assertEqual(action["tag"], "sale_fulfillment.pack_station")
        self.assertEqual(action["params"], {"picking_id": picking.id})
        self._scan(picking, "PS-CUP")
        action = picking.with_user(self.packer).action_view_pack_scans()
        self.assertEqual(
            self.env["stock.pack.scan"].search(action["domain"]), picking.pack_scan_ids
        )
        action = picking.with_user(self.packer).pack_print_slip()
        self.assertEqual(action["report_name"], "sale_fulfillment.report_packing_slip")

    def test_the_validate_button_refuses_an_unverified_delivery(self):
        picking = self._delivery([(self.cup, 2)])
        self._scan(picking, "PS-CUP")
        picking.move_ids.picked = True
        with self.assertRaisesRegex(UserError, "must go through the pack station"):
            picking.with_user(self.manager).button_validate()
        self.assertEqual(picking.state, "assigned")
        self._scan(picking, "PS-CUP")
        self.assertIs(picking.with_user(self.packer).button_validate(), True)
        self.assertEqual(picking.state, "done")

    def test_the_validate_button_is_untouched_without_requirements(self):
        self.out_type.pack_verify_required = False
        picking = self._delivery([(self.cup, 2)])
        picking.move_ids.picked = True
        self.assertIs(picking.with_user(self.packer).button_validate(), True)
        self.assertEqual(picking.state, "done")


@tagged("post_install", "-at_install")
class TestPackQueries(PackStationCase):
    def _count_scan_queries(self, lines):
        products = self.env["product.product"].create(
            [
                {
                    "name": f"Pack Bench Item {lines}-{i}",
                    "type": "consu",
                    "is_storable": True,
                    "weight": 0.1,
                }
                for i in range(lines - 1)
            ]
        )
        for product in products:
            self.env["stock.quant"]._update_available_quantity(
                product, self.stock_location, 5
            )
        picking = self._delivery(
            [(self.cup, lines + 1)] + [(product, 1) for product in products]
        )
        picking = picking.with_user(self.packer)
        # The first scan warms the registry caches, as earlier requests would.
        picking.pack_scan("PS-CUP")
        self.env.invalidate_all()
        self.env.flush_all()
        before = self.cr.sql_log_count
        with self.assertQueryCount(25):
            reply = picking.pack_scan("PS-CUP")
        self.assertEqual(reply["status"], "ok")
        self.assertEqual(len(reply["picking"]["lines"]), lines)
        return self.cr.sql_log_count - before

    def test_one_scan_costs_the_same_few_queries_for_30_or_300_lines(self):
        small = self._count_scan_queries(30)
        large = self._count_scan_queries(300)
        self.assertEqual(small, large)
