"""The submission page for units and the 调度 view (`xmdw serve`)."""

from xmdw.web.app import create_app, serve

__all__ = ["create_app", "serve"]
