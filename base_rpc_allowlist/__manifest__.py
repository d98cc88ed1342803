{
    "name": "RPC Allowlist for Portal and Public Users",
    "summary": "Portal and public users reach the ORM over RPC only through "
               "the methods the addons list, deny by default",
    "version": "11.0.1.0.0",
    "category": "Hidden/Tools",
    "license": "LGPL-3",
    "author": "clearance_request",
    "website": "http://127.0.0.1:8069",
    "depends": ["base", "web"],
    "installable": True,
}
