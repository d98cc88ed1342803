{
    "name": "Student Clearance: University Directory",
    "summary": "Students and officers sign in with the university's "
               "directory (LDAP): students by their student number, "
               "officers by their directory group",
    "version": "11.0.1.0.0",
    "category": "Education",
    "license": "LGPL-3",
    "author": "clearance_request",
    "website": "http://127.0.0.1:8069",
    "depends": ["auth_ldap", "clearance_request"],
    "external_dependencies": {"python": ["ldap"]},
    "data": [
        "security/ir.model.access.csv",
        "views/res_company_ldap_views.xml",
    ],
    "installable": True,
}
