from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError


class DeliveryCarrier(models.Model):
    """Carrier pricing by zone and weight (首重续重): a provider of Odoo's own
    kind, dispatched by ``delivery_type`` to ``zone_weight_*`` methods."""

    _inherit = "delivery.carrier"

    delivery_type = fields.Selection(
        selection_add=[("zone_weight", "Zone and Weight")],
        ondelete={"zone_weight": "set default"},
    )
    zone_ids = fields.One2many(
        comodel_name="delivery.carrier.zone",
        inverse_name="carrier_id",
        string="Zones",
        copy=True,
    )
    volumetric_divisor = fields.Integer(
        help="Cubic centimetres per kilogram. A parcel is charged on its volume "
        "divided by this number when that is more than its weight (e.g. 6000). "
        "0: the volume is not charged.",
    )

    @api.constrains("delivery_type", "zone_ids", "volumetric_divisor")
    def _check_zone_weight(self):
        for carrier in self:
            if carrier.volumetric_divisor < 0:
                raise ValidationError(
                    self.env._(
                        "The volumetric divisor of %(name)s cannot be negative.",
                        name=carrier.name,
                    )
                )
            if carrier.delivery_type == "zone_weight" and not carrier.zone_ids:
                raise ValidationError(
                    self.env._(
                        "%(name)s is priced by zone and weight: add at least one zone.",
                        name=carrier.name,
                    )
                )

    def _match_address(self, partner):
        # A zone-priced carrier serves only the destinations its zones cover:
        # Odoo's available_carriers() and _is_available_for_order() then leave it
        # out elsewhere.
        if not super()._match_address(partner):
            return False
        return self.delivery_type != "zone_weight" or bool(self._get_zone(partner))

    def _get_zone(self, partner):
        """The zone pricing a parcel to ``partner``: the first by sequence whose
        countries hold the partner's country and whose states, if any, hold its
        state. An empty recordset when no zone covers the address."""
        self.ensure_one()
        zones = self.sudo().zone_ids.sorted(lambda zone: (zone.sequence, zone.id))
        return zones.filtered(lambda zone: zone._match_partner(partner))[:1]

    def _get_zone_weight_chargeable_weight(self, weight, volume):
        """Weight charged (kg) for a parcel of ``weight`` kg and ``volume`` cm³:
        the volumetric weight (volume / divisor) when it is heavier."""
        self.ensure_one()
        if not self.volumetric_divisor:
            return weight
        return max(weight, volume / self.volumetric_divisor)

    def _get_zone_weight_kg(self, weight):
        """``weight``, in the unit products are weighed in (kg or lb, the
        Inventory setting), converted to kilograms."""
        weight_uom = self.env[
            "product.template"
        ]._get_weight_uom_id_from_ir_config_parameter()
        kilogram = self.env.ref("uom.product_uom_kgm")
        return weight_uom._compute_quantity(weight, kilogram, round=False)

    def _get_zone_weight_cm3(self, volume):
        """``volume``, in the unit products measure volume in, converted to cubic
        centimetres. Odoo's product volume is in m³ by default (ft³ with the
        Inventory setting): it goes through the litre, the reference unit of
        Odoo's volume category, and a litre is 1000 cm³."""
        volume_uom = self.env[
            "product.template"
        ]._get_volume_uom_id_from_ir_config_parameter()
        litre = self.env.ref("uom.product_uom_litre")
        return volume_uom._compute_quantity(volume, litre, round=False) * 1000.0

    def _get_zone_weight_order_volume(self, order):
        """Volume of the goods of ``order`` in the unit of product volumes: the
        lines Odoo weighs for the shipping weight, in the products' own unit."""
        lines = order.order_line.filtered(
            lambda line: (
                line.product_id.type == "consu"
                and not line.is_delivery
                and not line.display_type
                and line.product_uom_qty > 0
            )
        )
        return sum(line.product_qty * line.product_id.volume for line in lines)

    def _get_zone_weight_price(self, partner, weight, volume):
        """Price (in the carrier's currency) of a parcel of ``weight`` (product
        weight unit) and ``volume`` (product volume unit) to ``partner``; raises
        UserError when no zone covers the address."""
        self.ensure_one()
        zone = self._get_zone(partner)
        if not zone:
            raise UserError(
                self.env._(
                    "%(carrier)s does not deliver to %(address)s: none of its zones "
                    "covers this country or state.",
                    carrier=self.name,
                    address=", ".join(
                        name
                        for name in (partner.state_id.name, partner.country_id.name)
                        if name
                    )
                    or partner.display_name,
                )
            )
        chargeable = self._get_zone_weight_chargeable_weight(
            self._get_zone_weight_kg(weight), self._get_zone_weight_cm3(volume)
        )
        return zone._get_price(chargeable)

    def zone_weight_rate_shipment(self, order):
        """Price of ``order``'s shipment by zone and weight, in the order's
        currency, as Odoo's rate_shipment() expects it: rate_shipment() then
        applies taxes, the margins and free shipping. The weight is the one
        given in the shipping wizard, else the order's shipping weight, else
        the weight of its lines (as for rule-based prices); the volume is
        ``order_volume`` of the context (one delivery of the order), else the
        volume of its lines."""
        weight = (
            self.env.context.get("order_weight")
            or order.shipping_weight
            or order._get_estimated_weight()
        )
        volume = self.env.context.get(
            "order_volume"
        ) or self._get_zone_weight_order_volume(order)
        partner = order.partner_shipping_id
        try:
            price = self._get_zone_weight_price(partner, weight, volume)
            # A zone covers the address, the carrier's availability may not.
            if not self._match_address(partner):
                raise UserError(
                    self.env._(
                        "Error: this delivery method is not available for this address."
                    )
                )
        except UserError as error:
            return {
                "success": False,
                "price": 0.0,
                "error_message": error.args[0],
                "warning_message": False,
            }
        return {
            "success": True,
            "price": self._compute_currency(order, price, "company_to_pricelist"),
            "error_message": False,
            "warning_message": False,
        }

    def zone_weight_send_shipping(self, pickings):
        """Price of each delivery of ``pickings`` by zone and weight, from its
        shipping weight (packages and bulk, else its products' weight) and the
        volume of what it ships, in its order's currency;
        stock.picking.send_to_shipper() applies the margins and free shipping."""
        result = []
        for picking in pickings:
            price = self._get_zone_weight_price(
                picking.partner_id,
                picking.shipping_weight or picking.weight,
                picking.shipping_volume,
            )
            if picking.sale_id:
                price = self._compute_currency(
                    picking.sale_id, price, "company_to_pricelist"
                )
            result.append({"exact_price": price, "tracking_number": False})
        return result

    def zone_weight_get_tracking_link(self, picking):
        """The carrier's tracking page for ``picking``, from the tracking link
        pattern (as for fixed-price carriers)."""
        if self.tracking_url and picking.carrier_tracking_ref:
            return self.tracking_url.replace(
                "<shipmenttrackingnumber>", picking.carrier_tracking_ref
            )
        return False
