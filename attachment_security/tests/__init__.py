from . import test_attachment_security
