from . import test_rtl
