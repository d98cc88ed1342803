{
    "name": "Persian Text Laid Out Right in wkhtmltopdf",
    "summary": "Reports whose mixed Persian, digits and punctuation wkhtmltopdf "
               "lays out right, each run of one script in its own span",
    "version": "11.0.1.0.0",
    "category": "Hidden/Tools",
    "license": "LGPL-3",
    "author": "clearance_request",
    "website": "http://127.0.0.1:8069",
    "depends": ["base"],
    "external_dependencies": {"python": ["lxml"]},
    "installable": True,
}
