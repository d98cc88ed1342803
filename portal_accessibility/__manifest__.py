{
    "name": "Accessible Portal",
    "summary": "Odoo 11's portal, login page and page layout made readable "
               "by everyone: zoom, alternative texts, contrast, keyboard, "
               "the visitor's language",
    "version": "11.0.1.0.0",
    "category": "Hidden/Tools",
    "license": "LGPL-3",
    "author": "clearance_request",
    "website": "http://127.0.0.1:8069",
    "depends": ["web", "portal"],
    "data": [
        "views/layout_templates.xml",
        "views/portal_templates.xml",
    ],
    "installable": True,
}
