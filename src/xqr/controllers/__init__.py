"""Controllers speak HTTP only. Each module lists its handlers in ROUTES (or route_handlers(settings))."""

from __future__ import annotations

import importlib
import pkgutil

from xqr.settings import Settings


def route_handlers(settings: Settings) -> list:
    """Every module's handlers; a module may offer some only under some settings (dev pages)."""
    handlers: list = []
    for module_info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{module_info.name}")
        if hasattr(module, "routes_for"):
            handlers.extend(module.routes_for(settings))
        else:
            handlers.extend(getattr(module, "ROUTES", []))
    return handlers
