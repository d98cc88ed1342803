{
    "name": "Right-to-Left Pages",
    "summary": "Persian pages read right to left in the backend, the portal "
               "and the login page",
    "version": "11.0.1.0.0",
    "category": "Hidden/Tools",
    "license": "LGPL-3",
    "author": "clearance_request",
    "website": "http://127.0.0.1:8069",
    "depends": ["web"],
    "data": [
        "views/layout_templates.xml",
    ],
    "pre_init_hook": "pre_init_hook",
    "post_init_hook": "post_init_hook",
    "installable": True,
}
