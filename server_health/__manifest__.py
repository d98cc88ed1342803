{
    "name": "Server Health for Monitoring",
    "summary": "One address a monitoring system polls: database reachable, "
               "oldest outgoing mail, scheduled actions on time; 200 or 503",
    "version": "11.0.1.0.0",
    "category": "Hidden/Tools",
    "license": "LGPL-3",
    "author": "clearance_request",
    "website": "http://127.0.0.1:8069",
    "depends": ["mail"],
    "installable": True,
}
