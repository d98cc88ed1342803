from . import test_calendar
from . import test_read_group
from . import test_sequence
from . import test_session
from . import test_i18n
