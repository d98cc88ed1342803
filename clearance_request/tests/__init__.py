from . import test_service_levels
from . import test_dashboard
from . import test_dashboard_browser
from . import test_checks
from . import test_bulk
from . import test_parallel
from . import test_substitution
