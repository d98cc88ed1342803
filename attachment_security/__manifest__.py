{
    "name": "Attachment Security",
    "summary": "Attachments' stored file, content index and publication are "
               "the server's; read_group obeys the access check; uploads "
               "capped in size and per user",
    "version": "11.0.1.0.0",
    "category": "Hidden/Tools",
    "license": "LGPL-3",
    "author": "clearance_request",
    "website": "http://127.0.0.1:8069",
    "depends": ["base", "web"],
    "data": ["data/ir_config_parameter_data.xml"],
    "installable": True,
}
