"""xqr: the Hunan SME financing service platform."""

import os

# Piccolo finds its engine through this module; set before any table is used.
os.environ.setdefault("PICCOLO_CONF", "xqr.piccolo_conf")
