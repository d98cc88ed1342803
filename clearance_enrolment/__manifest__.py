{
    "name": "Student Clearance: Enrolment",
    "summary": "The registrar imports the student information system's "
               "students (xlsx/csv); each gets a portal login equal to the "
               "student number",
    "version": "11.0.1.0.0",
    "category": "Education",
    "license": "LGPL-3",
    "author": "clearance_request",
    "website": "http://127.0.0.1:8069",
    "depends": ["clearance_request", "auth_signup", "auth_signup_security",
                "password_security"],
    "external_dependencies": {"python": ["openpyxl"]},
    "data": [
        "security/enrolment_security.xml",
        "security/ir.model.access.csv",
        "data/enrolment_data.xml",
        "views/student_import_views.xml",
    ],
    "installable": True,
}
