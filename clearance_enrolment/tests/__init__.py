from . import test_sis_file
from . import test_import
from . import test_logins
from . import test_i18n
