{
    "name": "Chat Notifications Only When Someone Is Told",
    "summary": "A message formats itself for the bus only when a partner is "
               "to be told by chat",
    "version": "11.0.1.0.0",
    "category": "Hidden/Tools",
    "license": "LGPL-3",
    "author": "clearance_request",
    "website": "http://127.0.0.1:8069",
    "depends": ["mail"],
    "installable": True,
}
