"""Piccolo tables, one module per domain; xqr.piccolo_app lists the modules."""
