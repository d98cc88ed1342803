{
    "name": "Mail Templates Compiled Once",
    "summary": "A mail template's fields are compiled once per server "
               "process, not at every mail",
    "version": "11.0.1.0.0",
    "category": "Hidden/Tools",
    "license": "LGPL-3",
    "author": "clearance_request",
    "website": "http://127.0.0.1:8069",
    "depends": ["mail"],
    "installable": True,
}
