from . import test_throttle
