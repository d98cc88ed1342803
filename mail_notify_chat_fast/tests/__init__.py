from . import test_notify_by_chat
