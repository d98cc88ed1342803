{
    "name": "Login Throttle on Every Entry Point",
    "summary": "OCA's brute-force filter with a clear refusal on the login "
               "form, JSON-RPC and XML-RPC, password spraying counted per "
               "address, bans an administrator lifts",
    "version": "11.0.1.0.0",
    "category": "Hidden/Tools",
    "license": "LGPL-3",
    "author": "clearance_request",
    "website": "http://127.0.0.1:8069",
    "depends": ["auth_brute_force", "web"],
    "data": [
        "security/ir_model_access.xml",
        "data/ir_config_parameter.xml",
        "views/res_authentication_attempt_views.xml",
    ],
    "installable": True,
}
