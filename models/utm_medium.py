from odoo import api, fields, models


class UtmMedium(models.Model):
    _inherit = "utm.medium"
    _rec_names_search = ["name", "channel_name"]

    # Odoo keeps the medium's name untranslated on purpose: it is the key UTM
    # links, cookies and imports match (=ilike), whatever the visitor's
    # language. What people read is this translatable label.
    channel_name = fields.Char(
        translate=True,
        help="The channel as people read it, in each language (e.g. 电商平台 for "
        "Marketplace). Empty: the medium name. The medium name stays the key "
        "that tracking links and imports match.",
    )

    @api.depends("name", "channel_name")
    @api.depends_context("lang")
    def _compute_display_name(self):
        for medium in self:
            medium.display_name = medium.channel_name or medium.name

    @api.model
    def _load_sale_channels(self, channels):
        """Make sure the order channels ``channels`` [(xml name, name) or (xml
        name, name, xml id of the medium to reuse)] exist under this addon's
        xml ids, labelled (``channel_name``) with their name when they have no
        label yet: this addon's translations of the labels then apply. A
        channel of the same name created earlier (names are unique, whatever
        their case) is taken over rather than duplicated as "Marketplace [2]"."""
        IrModelData = self.env["ir.model.data"].sudo()
        for xml_name, name, *reused in channels:
            medium = self.env.ref(
                f"sale_fulfillment.{xml_name}", raise_if_not_found=False
            )
            if not medium:
                medium = (
                    (reused and self.env.ref(reused[0], raise_if_not_found=False))
                    or self.with_context(active_test=False).search(
                        [("name", "=ilike", name)], limit=1
                    )
                    or self.create({"name": name})
                )
                IrModelData.create(
                    {
                        "module": "sale_fulfillment",
                        "name": xml_name,
                        "model": self._name,
                        "res_id": medium.id,
                        "noupdate": True,
                    }
                )
            if not medium.channel_name:
                medium.channel_name = name
