from . import test_mail_security
