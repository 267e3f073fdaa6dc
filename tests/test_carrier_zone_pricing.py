from odoo import Command
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import Form, new_test_user, tagged

from .common import FulfillmentCase


@tagged("post_install", "-at_install")
class TestCarrierZonePricing(FulfillmentCase):
    """Carrier pricing by zone and weight (首重续重) through Odoo's own
    rate_shipment(), shipping wizard, availability and delivery validation."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.china = cls.env.ref("base.cn")
        cls.zhejiang = cls.env.ref("base.state_cn_ZJ")
        cls.shanghai = cls.env.ref("base.state_cn_SH")
        cls.beijing = cls.env.ref("base.state_cn_BJ")
        cls.manager = new_test_user(
            cls.env,
            login="sf_zone_manager",
            groups="sales_team.group_sale_manager",
        )
        cls.fee = cls.env["product.product"].create(
            {"name": "Zone Express Fee", "type": "service", "taxes_id": []}
        )
        cls.carrier = cls.env["delivery.carrier"].create(
            {
                "name": "Zone Express",
                "delivery_type": "zone_weight",
                "product_id": cls.fee.id,
                "volumetric_divisor": 6000,
                "zone_ids": [
                    Command.create(
                        {
                            "sequence": 10,
                            "country_ids": [Command.set(cls.china.ids)],
                            "state_ids": [
                                Command.set((cls.zhejiang | cls.shanghai).ids)
                            ],
                            "first_weight": 1.0,
                            "first_price": 8.0,
                            "additional_weight": 1.0,
                            "additional_price": 2.0,
                        }
                    ),
                    Command.create(
                        {
                            "sequence": 20,
                            "country_ids": [Command.set(cls.china.ids)],
                            "first_weight": 1.0,
                            "first_price": 12.0,
                            "additional_weight": 0.5,
                            "additional_price": 5.0,
                        }
                    ),
                ],
            }
        )
        cls.near_zone, cls.china_zone = cls.carrier.zone_ids
        cls.hangzhou, cls.peking, cls.seattle = cls.env["res.partner"].create(
            [
                {
                    "name": "Hangzhou Tea House",
                    "country_id": cls.china.id,
                    "state_id": cls.zhejiang.id,
                },
                {
                    "name": "Peking Tea House",
                    "country_id": cls.china.id,
                    "state_id": cls.beijing.id,
                },
                {
                    "name": "Seattle Tea House",
                    "country_id": cls.env.ref("base.us").id,
                },
            ]
        )
        # 0.1 kg with no volume; 1 kg in a 0.012 m³ box (12000 cm³, that is
        # 2 kg of volumetric weight at 6000 cm³ per kg).
        cls.leaf, cls.box = cls.env["product.product"].create(
            [
                {
                    "name": "Zone Tea Leaf Pouch",
                    "type": "consu",
                    "is_storable": True,
                    "list_price": 1.0,
                    "weight": 0.1,
                },
                {
                    "name": "Zone Teapot Box",
                    "type": "consu",
                    "is_storable": True,
                    "list_price": 1.0,
                    "weight": 1.0,
                    "volume": 0.012,
                },
            ]
        )
        for product in (cls.leaf, cls.box):
            cls.env["stock.quant"]._update_available_quantity(
                product, cls.stock_location, 1000
            )

    def _order(self, partner, lines):
        return (
            self.env["sale.order"]
            .with_user(self.salesman)
            .create(
                {
                    "partner_id": partner.id,
                    "order_line": [
                        Command.create(
                            {"product_id": product.id, "product_uom_qty": qty}
                        )
                        for product, qty in lines
                    ],
                }
            )
            .with_env(self.env)
        )

    def _rate(self, partner, lines, carrier=None):
        order = self._order(partner, lines)
        return (carrier or self.carrier).with_user(self.salesman).rate_shipment(order)

    def _price(self, partner, lines):
        result = self._rate(partner, lines)
        self.assertTrue(result["success"], result["error_message"])
        return result["price"]

    # Formula

    def test_up_to_the_first_weight_costs_the_first_price(self):
        self.assertEqual(self._price(self.hangzhou, [(self.leaf, 3)]), 8.0)
        self.assertEqual(self._price(self.hangzhou, [(self.leaf, 10)]), 8.0)

    def test_each_started_step_beyond_the_first_weight_is_charged(self):
        # 2.3 kg: 1.3 kg beyond the first kilogram, two started steps of 1 kg.
        self.assertEqual(self._price(self.hangzhou, [(self.leaf, 23)]), 12.0)
        # 2.2 kg elsewhere in China: 1.2 kg in steps of 0.5 kg, three steps.
        self.assertEqual(self._price(self.peking, [(self.leaf, 22)]), 27.0)

    def test_weight_exactly_on_a_step_boundary_is_not_charged_a_step_more(self):
        self.assertEqual(self._price(self.hangzhou, [(self.leaf, 30)]), 12.0)
        self.assertEqual(self._price(self.peking, [(self.leaf, 20)]), 22.0)
        # 1.2 kg in steps of 0.4 kg divide to 3.0000000000000004 in floats.
        self.china_zone.additional_weight = 0.4
        self.assertEqual(self.china_zone._get_price(2.2), 27.0)

    def test_volumetric_weight_is_charged_when_heavier(self):
        # 1 kg but 12000 cm³: charged as 2 kg.
        self.assertEqual(self._price(self.hangzhou, [(self.box, 1)]), 10.0)
        # 3.5 kg of leaves weigh more than the box's volume: 4 kg charged.
        self.assertEqual(
            self._price(self.hangzhou, [(self.box, 1), (self.leaf, 25)]), 14.0
        )

    def test_volume_is_not_charged_without_divisor(self):
        self.carrier.volumetric_divisor = 0
        self.assertEqual(self._price(self.hangzhou, [(self.box, 1)]), 8.0)

    def test_product_weights_and_volumes_are_converted_from_their_units(self):
        # Odoo keeps product volumes in m³ and weights in kg by default.
        self.assertAlmostEqual(self.carrier._get_zone_weight_cm3(0.012), 12000.0)
        self.assertAlmostEqual(self.carrier._get_zone_weight_kg(2.5), 2.5)
        parameters = self.env["ir.config_parameter"].sudo()
        parameters.set_param("product.volume_in_cubic_feet", "1")
        parameters.set_param("product.weight_in_lbs", "1")
        self.assertAlmostEqual(
            self.carrier._get_zone_weight_cm3(1.0), 28316.8, places=1
        )
        self.assertAlmostEqual(self.carrier._get_zone_weight_kg(2.20462), 1.0)

    def test_weight_given_in_the_shipping_wizard_is_priced(self):
        order = self._order(self.hangzhou, [(self.leaf, 1)])
        result = self.carrier.with_context(order_weight=4.0).rate_shipment(order)
        self.assertEqual(result["price"], 14.0)

    # Zones

    def test_zone_matches_by_state_before_the_whole_country(self):
        self.assertEqual(self._price(self.hangzhou, [(self.leaf, 5)]), 8.0)
        self.assertEqual(self._price(self.peking, [(self.leaf, 5)]), 12.0)

    def test_first_zone_by_sequence_wins(self):
        self.china_zone.sequence = 5
        self.assertEqual(self._price(self.hangzhou, [(self.leaf, 5)]), 12.0)

    def test_destination_without_zone_is_refused_and_not_offered(self):
        result = self._rate(self.seattle, [(self.leaf, 5)])
        self.assertFalse(result["success"])
        self.assertEqual(
            result["error_message"],
            "Zone Express does not deliver to United States: none of its zones "
            "covers this country or state.",
        )
        order = self._order(self.seattle, [(self.leaf, 5)])
        carriers = self.env["delivery.carrier"].with_user(self.salesman)
        self.assertNotIn(
            self.carrier, carriers.search([]).available_carriers(self.seattle, order)
        )
        self.assertFalse(self.carrier._is_available_for_order(order))
        china_order = self._order(self.peking, [(self.leaf, 5)])
        self.assertIn(
            self.carrier,
            carriers.search([]).available_carriers(self.peking, china_order),
        )
        self.assertTrue(self.carrier._is_available_for_order(china_order))

    def test_state_outside_every_zone_of_a_state_only_carrier_is_refused(self):
        self.china_zone.unlink()
        result = self._rate(self.peking, [(self.leaf, 5)])
        self.assertFalse(result["success"])
        self.assertEqual(
            result["error_message"],
            "Zone Express does not deliver to 北京市, China: none of its zones "
            "covers this country or state.",
        )

    # Odoo's pricing around the zone price

    def test_margins_apply_to_the_zone_price(self):
        self.carrier.write({"margin": 0.1, "fixed_margin": 1.0})
        self.assertAlmostEqual(self._price(self.hangzhou, [(self.box, 1)]), 12.0)

    def test_free_over_makes_the_shipping_free(self):
        self.carrier.write({"free_over": True, "amount": 20.0})
        result = self._rate(self.hangzhou, [(self.leaf, 30)])
        self.assertTrue(result["success"])
        self.assertEqual(result["price"], 0.0)
        self.assertEqual(result["carrier_price"], 12.0)
        self.assertEqual(self._price(self.hangzhou, [(self.leaf, 10)]), 8.0)

    def test_shipping_wizard_writes_the_zone_price_on_the_delivery_line(self):
        order = self._order(self.hangzhou, [(self.leaf, 23)])
        action = order.with_user(self.salesman).action_open_delivery_wizard()
        wizard = Form.from_action(self.env(user=self.salesman), action)
        wizard.carrier_id = self.carrier
        self.assertEqual(wizard.display_price, 12.0)
        wizard.save().button_confirm()
        delivery_line = order.order_line.filtered("is_delivery")
        self.assertEqual(delivery_line.product_id, self.fee)
        self.assertEqual(delivery_line.price_unit, 12.0)
        self.assertEqual(order.carrier_id, self.carrier)

    def test_shipping_wizard_does_not_offer_the_carrier_without_zone(self):
        order = self._order(self.seattle, [(self.leaf, 5)])
        action = order.with_user(self.salesman).action_open_delivery_wizard()
        wizard = Form.from_action(self.env(user=self.salesman), action)
        self.assertNotIn(self.carrier, wizard.available_carrier_ids)

    def test_delivery_is_priced_on_its_shipping_weight(self):
        order = self._order(self.hangzhou, [(self.leaf, 30)])
        order.carrier_id = self.carrier
        self._confirm(order)
        picking = order.picking_ids
        self.assertEqual(picking.carrier_id, self.carrier)
        # 1.3 kg picked of the 3 kg ordered: two kilograms charged, not three.
        picking.move_ids.quantity = 13
        self.assertAlmostEqual(picking.shipping_weight, 1.3)
        result = self.carrier.send_shipping(picking)
        self.assertEqual(result, [{"exact_price": 10.0, "tracking_number": False}])

    def test_validated_delivery_bills_its_zone_price_at_real_cost(self):
        self.carrier.write({"invoice_policy": "real", "margin": 0.5})
        order = self._order(self.hangzhou, [(self.box, 2)])
        order.carrier_id = self.carrier
        self._confirm(order)
        picking = self._ship(order)
        # 2 kg in 24000 cm³: 4 kg charged, 8 + 3 × 2 = 14, plus 50 %.
        self.assertEqual(picking.carrier_price, 21.0)
        delivery_line = order.order_line.filtered("is_delivery")
        self.assertEqual(delivery_line.price_unit, 21.0)

    def test_existing_carriers_are_priced_as_before(self):
        fixed = self.env["delivery.carrier"].create(
            {"name": "Flat Post", "product_id": self.fee.id, "fixed_price": 6.0}
        )
        self.assertEqual(fixed.delivery_type, "fixed")
        result = self._rate(self.seattle, [(self.leaf, 30)], carrier=fixed)
        self.assertTrue(result["success"])
        self.assertEqual(result["price"], 6.0)
        self.assertTrue(fixed._match_address(self.seattle))

    # Validation

    def test_negative_zone_numbers_are_refused(self):
        with self.assertRaises(ValidationError) as error:
            self.near_zone.first_price = -1.0
        self.assertEqual(
            str(error.exception),
            "Zone 上海市, 浙江省 of Zone Express: weights and prices cannot be "
            "negative.",
        )

    def test_additional_price_without_additional_weight_is_refused(self):
        with self.assertRaises(ValidationError) as error:
            self.china_zone.additional_weight = 0.0
        self.assertEqual(
            str(error.exception),
            "Zone China of Zone Express: the additional weight must be above zero "
            "to charge an additional price.",
        )
        # Without an additional price, a zone may charge the first price only.
        self.china_zone.write({"additional_weight": 0.0, "additional_price": 0.0})
        self.assertEqual(self._price(self.peking, [(self.leaf, 30)]), 12.0)

    def test_negative_volumetric_divisor_is_refused(self):
        with self.assertRaises(ValidationError) as error:
            self.carrier.volumetric_divisor = -6000
        self.assertEqual(
            str(error.exception),
            "The volumetric divisor of Zone Express cannot be negative.",
        )

    def test_zone_weight_carrier_without_zone_is_refused(self):
        with self.assertRaises(ValidationError) as error:
            self.env["delivery.carrier"].create(
                {
                    "name": "Empty Express",
                    "delivery_type": "zone_weight",
                    "product_id": self.fee.id,
                }
            )
        self.assertEqual(
            str(error.exception),
            "Empty Express is priced by zone and weight: add at least one zone.",
        )
        with self.assertRaises(ValidationError):
            self.carrier.zone_ids = [Command.clear()]

    # Screens and rights

    def test_carrier_form_configures_zones(self):
        form = Form(self.env["delivery.carrier"].with_user(self.manager))
        form.name = "SF Express"
        form.product_id = self.fee
        form.delivery_type = "zone_weight"
        form.volumetric_divisor = 8000
        with form.zone_ids.new() as zone:
            zone.country_ids.add(self.china)
            zone.state_ids.add(self.zhejiang)
            zone.first_weight = 1.0
            zone.first_price = 13.0
            zone.additional_weight = 1.0
            zone.additional_price = 2.0
        carrier = form.save()
        self.assertEqual(carrier.delivery_type, "zone_weight")
        self.assertEqual(carrier.zone_ids.state_ids, self.zhejiang)
        self.assertEqual(carrier.zone_ids.company_id, carrier.company_id)
        order = self._order(self.hangzhou, [(self.leaf, 25)])
        self.assertEqual(carrier.rate_shipment(order)["price"], 17.0)

    def test_changing_a_zone_country_drops_its_states_elsewhere(self):
        form = Form(self.carrier.with_user(self.manager))
        with form.zone_ids.edit(0) as zone:
            zone.country_ids.add(self.env.ref("base.us"))
            self.assertEqual(len(zone.state_ids), 2)
            zone.country_ids.remove(self.china.id)
            self.assertFalse(zone.state_ids)
        form.save()
        self.assertEqual(self.near_zone.country_ids, self.env.ref("base.us"))

    def test_zones_follow_their_carrier_company(self):
        rival = self.env["res.company"].create({"name": "Zone Rival Co."})
        carrier = self.env["delivery.carrier"].create(
            {
                "name": "Rival Express",
                "delivery_type": "zone_weight",
                "product_id": self.env["product.product"]
                .create(
                    {"name": "Rival Fee", "type": "service", "company_id": rival.id}
                )
                .id,
                "zone_ids": [
                    Command.create({"country_ids": [Command.set(self.china.ids)]})
                ],
            }
        )
        self.assertEqual(carrier.zone_ids.company_id, rival)
        readable = self.env["delivery.carrier.zone"].with_user(self.salesman).search([])
        self.assertIn(self.near_zone, readable)
        self.assertNotIn(carrier.zone_ids, readable)

    def test_salesman_reads_zones_but_cannot_change_them(self):
        zones = self.env["delivery.carrier.zone"].with_user(self.salesman)
        self.assertEqual(
            zones.search([("carrier_id", "=", self.carrier.id)]), self.carrier.zone_ids
        )
        self.assertEqual(
            self.near_zone.with_user(self.salesman).first_price,
            8.0,
        )
        with self.assertRaises(AccessError):
            self.near_zone.with_user(self.salesman).first_price = 1.0
        with self.assertRaises(AccessError):
            zones.create(
                {
                    "carrier_id": self.carrier.id,
                    "country_ids": [Command.set(self.china.ids)],
                }
            )
        self.near_zone.with_user(self.manager).first_price = 9.0
        self.assertEqual(self._price(self.hangzhou, [(self.leaf, 5)]), 9.0)
