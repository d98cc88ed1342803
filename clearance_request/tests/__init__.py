from . import test_service_levels
