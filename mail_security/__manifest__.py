{
    "name": "Mail Security",
    "summary": "Messages carry their real author and reach only those the "
               "poster may address; read_group obeys the messages' access "
               "check; students' posts rate-limited; the bus, followers and "
               "channel members kept to those concerned",
    "version": "11.0.1.0.0",
    "category": "Hidden/Tools",
    "license": "LGPL-3",
    "author": "clearance_request",
    "website": "http://127.0.0.1:8069",
    "depends": ["mail", "bus"],
    "data": [
        "security/mail_channel_partner_security.xml",
        "data/ir_config_parameter_data.xml",
    ],
    "installable": True,
}
