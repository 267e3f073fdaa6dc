"""Print what the addon's models offer, to prove a reorganisation changed nothing.

For every model the addon defines or extends: its fields (with the attributes
that make their behaviour: type, label, compute, related, store, groups,
comodel, selection, required, readonly, company dependence, translation) and
the names of the methods the addon's classes define, all sorted. Run it before
and after moving code; the two outputs must be identical:

    python3 tools/model_surface.py -d DB --addons-path=PATH > before.json
    ...move code...
    python3 tools/model_surface.py -d DB --addons-path=PATH > after.json
    diff before.json after.json

The database must have the addon installed; the code is read from the addons
path, so the same database serves both runs.
"""

import argparse
import inspect
import json
import sys

MODULE = "sale_fulfillment"
FIELD_ATTRIBUTES = (
    "type",
    "string",
    "help",
    "compute",
    "inverse",
    "search",
    "related",
    "store",
    "groups",
    "comodel_name",
    "required",
    "readonly",
    "company_dependent",
    "translate",
    "copy",
    "index",
    "default",
)


def own_classes(model_class):
    prefix = f"odoo.addons.{MODULE}."
    return [
        cls
        for cls in model_class.__mro__
        if getattr(cls, "__module__", "").startswith(prefix)
    ]


def describe_field(field):
    described = {}
    for attribute in FIELD_ATTRIBUTES:
        value = getattr(field, attribute, None)
        if attribute == "default" and value is not None:
            value = "callable" if callable(value) else repr(value)
        elif callable(value):
            value = getattr(value, "__name__", repr(value))
        described[attribute] = (
            value if isinstance(value, (str, int, bool)) else repr(value)
        )
    selection = getattr(field, "selection", None)
    if selection and not callable(selection) and not isinstance(selection, str):
        described["selection"] = [list(item) for item in selection]
    return described


def surface(env):
    models = {}
    for name in sorted(env.registry):
        model_class = type(env[name])
        classes = own_classes(model_class)
        if not classes:
            continue
        methods = sorted(
            {
                attribute
                for cls in classes
                for attribute, value in vars(cls).items()
                if inspect.isfunction(value)
                or isinstance(value, (classmethod, staticmethod))
            }
        )
        models[name] = {
            "description": env[name]._description,
            "order": env[name]._order,
            "rec_name": env[name]._rec_name,
            "methods": methods,
            "fields": {
                field_name: describe_field(field)
                for field_name, field in sorted(env[name]._fields.items())
            },
        }
    return models


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument("--addons-path", required=True)
    args = parser.parse_args(argv)

    import odoo  # only once the arguments are read

    odoo.tools.config.parse_config(
        [f"--addons-path={args.addons_path}", "--log-level=warn"]
    )
    registry = odoo.modules.registry.Registry(args.database)
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        json.dump(surface(env), sys.stdout, indent=1, sort_keys=True, default=repr)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
