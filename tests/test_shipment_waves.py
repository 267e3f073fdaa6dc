from odoo.exceptions import UserError, ValidationError
from odoo.tests import Form, tagged

from .common import ShipmentCase


@tagged("post_install", "-at_install")
class TestShipmentWaves(ShipmentCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Only this test's deliveries are ready: earlier ones would join waves.
        cls.env["stock.picking"].search(
            [("picking_type_code", "=", "outgoing"), ("state", "=", "assigned")]
        ).action_cancel()
        cls.other_carrier = cls.env["delivery.carrier"].create(
            {"name": "Panda Post", "product_id": cls.carrier.product_id.id}
        )
        cls.category = cls.env["product.category"].create({"name": "Teaware"})
        cls.product_b.categ_id = cls.category

    def _ready(self, count, lines, carrier=None):
        pickings = self.env["stock.picking"]
        for _i in range(count):
            order = self._order(lines)
            picking = self._delivery(order)
            if carrier:
                picking.carrier_id = carrier
            pickings |= picking
        return pickings

    def _wizard(self, pickings=None, **values):
        context = {}
        if pickings is not None:
            context = {"active_model": "stock.picking", "active_ids": pickings.ids}
        form = Form(
            self.env["stock.picking.wave.wizard"]
            .with_user(self.stock_user)
            .with_context(**context)
        )
        for name, value in values.items():
            setattr(form, name, value)
        return form.save()

    def test_waves_group_by_carrier_and_respect_the_size_limit(self):
        jade = self._ready(5, [(self.product_a, 1)])
        panda = self._ready(2, [(self.product_a, 1)], carrier=self.other_carrier)
        wizard = self._wizard(max_pickings=2)
        self.assertEqual(wizard.ready_picking_ids, jade | panda)
        self.assertIn("Jade Express (1/3)", wizard.preview)

        action = wizard.action_build_waves()
        batches = self.env["stock.picking.batch"].search(action["domain"])
        self.assertEqual(len(batches), 4)
        self.assertEqual(sorted(len(b.picking_ids) for b in batches), [1, 2, 2, 2])
        for batch in batches:
            self.assertEqual(len(batch.picking_ids.carrier_id), 1)
            self.assertEqual(batch.state, "in_progress")
            self.assertEqual(batch.picking_type_id, self.warehouse.out_type_id)
        self.assertEqual(batches.picking_ids, jade | panda)
        self.assertEqual(
            batches.filtered(lambda b: b.picking_ids <= panda).description,
            "Panda Post",
        )
        # A second run finds nothing left to put in a wave.
        with self.assertRaisesRegex(UserError, "None of the selected deliveries"):
            self._wizard().action_build_waves()

    def test_waves_by_product_category_and_line_limit(self):
        cups = self._ready(2, [(self.product_a, 1), (self.product_a, 2)])
        trays = self._ready(1, [(self.product_b, 1)])
        mixed = self._ready(1, [(self.product_a, 1), (self.product_b, 1)])
        wizard = self._wizard(
            group_by="product_category", max_pickings=0, max_lines=3, start_waves=False
        )
        waves = wizard._get_waves()
        labels = [label for label, _pickings in waves]
        self.assertIn("Teaware", labels)
        self.assertIn("Mixed categories", labels)
        by_label = dict(waves)
        self.assertEqual(by_label["Teaware"], trays)
        self.assertEqual(by_label["Mixed categories"], mixed)
        cup_waves = [p for label, p in waves if p <= cups]
        self.assertEqual(len(cup_waves), 2, "2 + 2 lines exceed 3 lines per wave")
        batches = self.env["stock.picking.batch"].search(
            wizard.action_build_waves()["domain"]
        )
        self.assertEqual(set(batches.mapped("state")), {"draft"})

    def test_waves_by_source_location(self):
        shelf = self.env["stock.location"].create(
            {"name": "Shelf 9", "location_id": self.stock_location.id}
        )
        self.env["stock.quant"]._update_available_quantity(self.scarce, shelf, 5)
        from_shelf = self._ready(1, [(self.scarce, 2)])
        from_stock = self._ready(1, [(self.product_a, 2)])
        waves = {
            pickings: label
            for label, pickings in self._wizard(group_by="location")._get_waves()
        }
        self.assertEqual(waves[from_shelf], shelf.display_name)
        self.assertEqual(waves[from_stock], self.stock_location.display_name)

    def test_selected_deliveries_that_cannot_go_in_a_wave_are_left_out(self):
        ready = self._ready(1, [(self.product_a, 1)])
        waiting = self._delivery(self._order([(self.scarce, 1)]))
        wizard = self._wizard(pickings=ready | waiting)
        self.assertEqual(wizard.skipped_count, 1)
        self.assertEqual(wizard.ready_picking_ids, ready)
        with self.assertRaisesRegex(UserError, "None of the selected deliveries"):
            self._wizard(pickings=waiting).action_build_waves()

    def test_negative_limits_are_refused(self):
        with self.assertRaisesRegex(ValidationError, "cannot be negative"):
            self._wizard(max_pickings=-1)

    def test_a_wave_is_processed_with_odoo_batch_features(self):
        pickings = self._ready(2, [(self.product_a, 3)])
        batch = self.env["stock.picking.batch"].search(
            self._wizard(pickings=pickings).action_build_waves()["domain"]
        )
        batch = batch.with_user(self.stock_user)
        report = self.env.ref("stock_picking_batch.action_report_picking_batch")
        html = report._render_qweb_html(report.report_name, batch.ids)[0]
        self.assertIn(batch.name, html.decode())
        batch.move_ids.picked = True
        batch.action_done()
        self.assertEqual(set(pickings.mapped("state")), {"done"})
        self.assertEqual(batch.state, "done")
