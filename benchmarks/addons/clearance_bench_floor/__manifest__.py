{
    "name": "Clearance benchmark: Odoo's mechanisms alone",
    "summary": "The consequences the forward must have, done with Odoo's own "
               "mechanisms and nothing else, measured beside the forward",
    "version": "11.0.1.0.0",
    "category": "Hidden",
    "license": "AGPL-3",
    "author": "clearance_request",
    "depends": ["base_automation", "clearance_request"],
    "data": [
        "security/ir.model.access.csv",
        "data/floor_data.xml",
    ],
    "installable": True,
}
