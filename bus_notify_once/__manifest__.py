{
    "name": "Bus Notified Once per Transaction",
    "summary": "One NOTIFY of the longpolling bus per committed transaction, "
               "not one per message",
    "version": "11.0.1.0.0",
    "category": "Hidden/Tools",
    "license": "LGPL-3",
    "author": "clearance_request",
    "website": "http://127.0.0.1:8069",
    "depends": ["bus"],
    "installable": True,
}
