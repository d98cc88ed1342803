from . import test_checks
from . import test_bulk
