{
    "name": "Jalali Calendar in the Web Client",
    "summary": "Dates shown, typed and picked in the Iranian (Solar Hijri) "
               "calendar for the users who choose it",
    "version": "11.0.1.0.0",
    "category": "Hidden/Tools",
    "license": "LGPL-3",
    "author": "clearance_request",
    "website": "http://127.0.0.1:8069",
    "depends": ["web"],
    "external_dependencies": {"python": ["jdatetime"]},
    "data": [
        "views/assets.xml",
        "views/res_users_views.xml",
        "views/ir_sequence_views.xml",
    ],
    "installable": True,
}
