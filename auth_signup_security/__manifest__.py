{
    "name": "Signup and Reset Tokens for Administrators Only",
    "summary": "A user's signup or password-reset token, and the link that "
               "carries it, are read and written by Settings administrators "
               "only",
    "version": "11.0.1.0.0",
    "category": "Hidden/Tools",
    "license": "LGPL-3",
    "author": "clearance_request",
    "website": "http://127.0.0.1:8069",
    "depends": ["auth_signup"],
    "installable": True,
}
