{
    "name": "ORM Guard",
    "summary": "Restricted fields stay out of searches, sorts and groupings; "
               "a caller's context defaults stay on the model it calls; "
               "record rules hold after a write; RPC input is checked "
               "before SQL",
    "version": "11.0.1.0.0",
    "category": "Hidden/Tools",
    "license": "LGPL-3",
    "author": "clearance_request",
    "website": "http://127.0.0.1:8069",
    "depends": ["base", "mail"],
    "installable": True,
}
