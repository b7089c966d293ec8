"""The platform's production settings plus one URL module with views that fail on purpose (for the
500 pages). Used only by tests/web/test_web_serving.py, which starts the real server with it."""

from zjtx.web.settings import *  # noqa: F403

ROOT_URLCONF = "serving.urls"
