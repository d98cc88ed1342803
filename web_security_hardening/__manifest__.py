{
    "name": "Web Security Hardening",
    "summary": "The web layer a public portal needs: sessions rotated at login, "
               "logout by POST, same-site redirects, framing and sniffing "
               "headers, no server details to non-administrators, database "
               "manager off, image sizes capped, reports checked",
    "version": "11.0.1.0.0",
    "category": "Hidden/Tools",
    "license": "LGPL-3",
    "author": "clearance_request",
    "website": "http://127.0.0.1:8069",
    "depends": ["web", "portal", "web_editor"],
    "data": [
        "views/webclient_templates.xml",
        "views/logout_templates.xml",
        "views/portal_templates.xml",
    ],
    "installable": True,
}
