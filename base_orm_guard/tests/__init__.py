from . import test_restricted_fields
from . import test_context_defaults
from . import test_rules_after_write
from . import test_bad_input
from . import test_i18n
