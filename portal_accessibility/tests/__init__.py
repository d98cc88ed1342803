from . import test_accessibility
