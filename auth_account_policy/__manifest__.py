{
    "name": "Account Policy: Passwords and Idle Sessions",
    "summary": "OCA's password policy set for a university (staff strict, "
               "students by length), and idle sessions that end without "
               "sending anonymous visitors away",
    "version": "11.0.1.0.0",
    "category": "Hidden/Tools",
    "license": "LGPL-3",
    "author": "clearance_request",
    "website": "http://127.0.0.1:8069",
    "depends": ["password_security", "auth_session_timeout"],
    "data": [
        "data/res_company.xml",
        "views/res_company_views.xml",
    ],
    "installable": True,
}
