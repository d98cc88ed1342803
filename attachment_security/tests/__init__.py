from . import test_attachment_security
from . import test_i18n
