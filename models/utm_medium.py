from odoo import api, models


class UtmMedium(models.Model):
    _inherit = "utm.medium"

    @api.model
    def _load_sale_channels(self, channels):
        """Make sure the order channels ``channels`` [(xml name, name)] exist
        under this addon's xml ids. A channel of the same name created earlier
        (names are unique, whatever their case) is taken over rather than
        duplicated as "Marketplace [2]"."""
        IrModelData = self.env["ir.model.data"].sudo()
        for xml_name, name in channels:
            if self.env.ref(f"sale_fulfillment.{xml_name}", raise_if_not_found=False):
                continue
            medium = self.with_context(active_test=False).search(
                [("name", "=ilike", name)], limit=1
            ) or self.create({"name": name})
            IrModelData.create(
                {
                    "module": "sale_fulfillment",
                    "name": xml_name,
                    "model": self._name,
                    "res_id": medium.id,
                    "noupdate": True,
                }
            )
