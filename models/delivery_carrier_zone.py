import math

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import float_round


class DeliveryCarrierZone(models.Model):
    _name = "delivery.carrier.zone"
    _description = "Shipping Zone"
    _order = "carrier_id, sequence, id"

    carrier_id = fields.Many2one(
        comodel_name="delivery.carrier",
        required=True,
        index=True,
        ondelete="cascade",
    )
    # Zones belong to their carrier's company (its record rule applies to them).
    company_id = fields.Many2one(
        comodel_name="res.company",
        related="carrier_id.company_id",
        store=True,
    )
    sequence = fields.Integer(default=10)
    country_ids = fields.Many2many(
        comodel_name="res.country",
        relation="delivery_carrier_zone_country_rel",
        column1="zone_id",
        column2="country_id",
        string="Countries",
        required=True,
    )
    state_ids = fields.Many2many(
        comodel_name="res.country.state",
        relation="delivery_carrier_zone_state_rel",
        column1="zone_id",
        column2="state_id",
        string="States",
        domain="[('country_id', 'in', country_ids)]",
        help="Provinces or states of the countries this zone covers. Empty: the "
        "whole countries.",
    )
    first_weight = fields.Float(
        string="First Weight (kg)",
        digits="Stock Weight",
        default=1.0,
        help="Weight covered by the first price.",
    )
    first_price = fields.Float(
        digits="Product Price",
        help="Price of a parcel up to the first weight, in the carrier's currency.",
    )
    additional_weight = fields.Float(
        string="Additional Weight (kg)",
        digits="Stock Weight",
        default=1.0,
        help="Step of weight charged at the additional price beyond the first "
        "weight; a started step counts in full.",
    )
    additional_price = fields.Float(
        digits="Product Price",
        help="Price of each started step of additional weight.",
    )

    @api.depends("country_ids", "state_ids")
    def _compute_display_name(self):
        for zone in self:
            places = zone.state_ids or zone.country_ids
            zone.display_name = ", ".join(places.mapped("name"))

    @api.constrains(
        "first_weight", "first_price", "additional_weight", "additional_price"
    )
    def _check_prices(self):
        for zone in self:
            if (
                min(
                    zone.first_weight,
                    zone.first_price,
                    zone.additional_weight,
                    zone.additional_price,
                )
                < 0
            ):
                raise ValidationError(
                    self.env._(
                        "Zone %(zone)s of %(carrier)s: weights and prices cannot be "
                        "negative.",
                        zone=zone.display_name,
                        carrier=zone.carrier_id.name,
                    )
                )
            if zone.additional_price and zone.additional_weight <= 0:
                raise ValidationError(
                    self.env._(
                        "Zone %(zone)s of %(carrier)s: the additional weight must be "
                        "above zero to charge an additional price.",
                        zone=zone.display_name,
                        carrier=zone.carrier_id.name,
                    )
                )

    @api.onchange("country_ids")
    def _onchange_country_ids(self):
        self.state_ids = self.state_ids.filtered(
            lambda state: state._origin.country_id in self.country_ids._origin
        )

    def _match_partner(self, partner):
        """Whether this zone covers ``partner``'s address: its country is one of
        the zone's and, when the zone names states, its state is one of them."""
        self.ensure_one()
        return partner.country_id in self.country_ids and (
            not self.state_ids or partner.state_id in self.state_ids
        )

    def _get_price(self, chargeable_weight):
        """Price (in the carrier's currency) of a parcel of ``chargeable_weight``
        kg in this zone: the first price, plus the additional price for each
        started step of additional weight beyond the first weight."""
        self.ensure_one()
        excess = max(0.0, chargeable_weight - self.first_weight)
        if not excess or not self.additional_weight:
            return self.first_price
        # Rounded before ceil: 1.2 kg beyond the first weight in steps of 0.4 kg
        # divide to 3.0000000000000004 in floats, which is 3 steps, not 4.
        steps = math.ceil(
            float_round(excess / self.additional_weight, precision_digits=6)
        )
        return self.first_price + steps * self.additional_price
