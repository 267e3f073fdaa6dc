from odoo import api, models
from odoo.fields import Field
from odoo.tools import SQL
from odoo.tools.translate import TranslationImporter, get_po_paths

MODULE = "sale_fulfillment"


class IrModuleModule(models.Model):
    _inherit = "ir.module.module"

    def _load_module_terms(
        self, modules, langs, overwrite=False, imported_module=False
    ):
        """Translations of the labels this addon gives fields of other modules
        (e.g. sale.order's "Medium" read as "Channel") are this addon's.

        Odoo applies every module's translation of a field's label to the one
        label the field has, whatever English text it translated: loaded
        after this addon's (a language installed later, an update of the other
        module) or together with it, Odoo's translation of "Medium" (中等)
        would label our "Channel". This addon's translations of those labels
        are applied again, last."""
        result = super()._load_module_terms(
            modules, langs, overwrite=overwrite, imported_module=imported_module
        )
        langs = [lang for lang in langs if lang != "en_US"]
        xmlids = self._get_sale_fulfillment_relabelled_field_xmlids() if langs else ()
        # Only when the terms of a module that labels those fields loaded.
        if xmlids and self._get_field_xmlid_modules(xmlids) & set(modules):
            importer = TranslationImporter(self.env.cr, verbose=False)
            for lang in langs:
                for po_path in get_po_paths(MODULE, lang):
                    importer.load_file(po_path, lang, xmlids=xmlids)
            importer.save(force_overwrite=True)
        return result

    @api.model
    def _get_field_xmlid_modules(self, xmlids):
        """The modules with an XML id on the fields of ``xmlids``."""
        self.env.cr.execute(
            SQL(
                """
                SELECT DISTINCT other.module
                  FROM ir_model_data data
                  JOIN ir_model_data other
                    ON other.model = data.model AND other.res_id = data.res_id
                 WHERE data.model = 'ir.model.fields'
                   AND data.module || '.' || data.name IN %s
                """,
                tuple(xmlids),
            )
        )
        return {module for (module,) in self.env.cr.fetchall()}

    @api.model
    def _get_sale_fulfillment_relabelled_field_xmlids(self):
        """XML ids (this addon's) of the fields of other modules whose label or
        help this addon's definition sets: the definition that wins (first in
        the class hierarchy) with a ``string`` or ``help`` is this addon's."""
        xmlids = set()
        for model_name in self.env.registry:
            # The registry class itself holds the set-up fields, not
            # definitions: the definitions are in the classes it inherits.
            classes = type(self.env[model_name]).__mro__[1:]
            ours = [cls for cls in classes if getattr(cls, "_module", None) == MODULE]
            if not ours:
                continue
            for name in {
                name
                for cls in ours
                for name, value in vars(cls).items()
                if isinstance(value, Field)
                and {"string", "help"} & set(getattr(value, "args", None) or ())
            }:
                definitions = [
                    cls
                    for cls in classes
                    if isinstance(vars(cls).get(name), Field)
                    and getattr(cls, "_module", None)
                ]
                labelling = [
                    cls
                    for cls in definitions
                    if {"string", "help"} & set(vars(cls)[name].args or ())
                ]
                if labelling[0]._module == MODULE and any(
                    cls._module != MODULE for cls in definitions
                ):
                    xmlids.add(f"{MODULE}.field_{model_name.replace('.', '_')}__{name}")
        return xmlids
