"""Serving: publish the marts (and the ref labels) for BI readers under data/serving/.

BI tools, Excel users and the monthly bulletin read only these copies, never the build warehouse, so
a running build is never blocked by a reader and a reader never sees a half-built mart.
"""

from xmdw.serving.copy import PUBLISHED_SCHEMAS, STORAGE_VERSION, PublishError
from xmdw.serving.layout import ServingPaths, serving_paths
from xmdw.serving.pg_publish import publish_server, publish_warehouse
from xmdw.serving.publish import PublishResult, publish

__all__ = [
    "PUBLISHED_SCHEMAS",
    "STORAGE_VERSION",
    "PublishError",
    "PublishResult",
    "ServingPaths",
    "publish",
    "publish_server",
    "publish_warehouse",
    "serving_paths",
]
