from . import test_web_security
