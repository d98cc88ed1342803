from . import test_mail_security
from . import test_i18n
