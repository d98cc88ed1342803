{
    "name": "Student Clearance: Accounting Check",
    "summary": "Student Accounting clears students without open customer "
               "invoices automatically",
    "version": "11.0.1.0.0",
    "category": "Education",
    "license": "LGPL-3",
    "author": "clearance_request",
    "website": "http://127.0.0.1:8069",
    "depends": ["clearance_request", "account", "account_report_security"],
    "data": [
        "data/clearance_stage_data.xml",
    ],
    "demo": [
        "demo/clearance_account_demo.xml",
    ],
    "auto_install": False,
    "installable": True,
}
