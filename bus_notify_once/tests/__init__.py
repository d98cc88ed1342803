from . import test_notify_once
