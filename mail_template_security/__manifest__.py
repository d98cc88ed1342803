{
    "name": "Mail Templates Rendered by their Editors",
    "summary": "Templates and automations are written by administrators and "
               "template editors only; dynamic rendering over RPC and the "
               "composer needs that right; a stricter Jinja sandbox; server "
               "actions run only by those allowed to",
    "version": "11.0.1.0.0",
    "category": "Hidden/Tools",
    "license": "LGPL-3",
    "author": "clearance_request",
    "website": "http://127.0.0.1:8069",
    "depends": ["mail", "base_automation"],
    "data": [
        "security/mail_template_security.xml",
        "security/ir.model.access.csv",
        "views/ir_actions_server_views.xml",
    ],
    "installable": True,
}
