{
    "name": "Accounting Reports for Accounting Users",
    "summary": "The partner reports that read the ledger with SQL (due "
               "payments, aged partner balance) print for accounting users "
               "only",
    "version": "11.0.1.0.0",
    "category": "Hidden/Tools",
    "license": "LGPL-3",
    "author": "clearance_request",
    "website": "http://127.0.0.1:8069",
    "depends": ["account", "web_security_hardening"],
    "data": ["data/ir_actions_report_data.xml"],
    "installable": True,
}
