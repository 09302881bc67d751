"""The Litestar application factory."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from pathlib import Path

from litestar import Litestar
from litestar.config.csrf import CSRFConfig
from litestar.logging.config import LoggingConfig
from litestar.middleware.logging import LoggingMiddlewareConfig
from litestar.plugins.htmx import HTMXPlugin
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig
from litestar.plugins.jinja import JinjaTemplateEngine

from xqr import db
from xqr.controllers import route_handlers
from xqr.gateways.mail import make_mailer
from xqr.gateways.sms import make_sms_sender
from xqr.services.demands import run_reminder_loop
from xqr.services.outbox_delivery import run_delivery_loop
from xqr.settings import Settings, get_settings
from xqr.storage import make_storage
from xqr.web.errors import exception_handlers
from xqr.web.middleware import SecurityHeadersMiddleware, SessionMiddleware
from xqr.web.templating import configure_environment

PROJECT_ROOT = Path(__file__).resolve().parents[2]
TEMPLATES_DIR = Path(__file__).parent / "templates"
STATIC_DIR = PROJECT_ROOT / "static"

logger = logging.getLogger("xqr")


class ProductionSettingsRefused(SystemExit):
    pass


def create_app(settings: Settings | None = None) -> Litestar:
    settings = settings or get_settings()
    if problems := settings.prod_problems():
        raise ProductionSettingsRefused("生产环境拒绝启动：\n- " + "\n- ".join(problems))

    async def on_startup(app: Litestar) -> None:
        await db.prepare_connection(pool=settings.database_pool)
        if settings.outbox_interval_seconds > 0:
            app.state.background_tasks = [
                asyncio.create_task(
                    run_delivery_loop(app.state.mailer, app.state.sms, settings.outbox_interval_seconds), name="outbox delivery"
                ),
                asyncio.create_task(
                    run_reminder_loop(settings.demand_untaken_working_days, settings.demand_expiry_notice_days),
                    name="demand reminders",
                ),
            ]

    async def on_shutdown(app: Litestar) -> None:
        for task in app.state.pop("background_tasks", []):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await db.close_connection()

    app = Litestar(
        route_handlers=[
            *route_handlers(settings),
            create_static_files_router(path="/static", directories=[STATIC_DIR], include_in_schema=False),
        ],
        template_config=TemplateConfig(
            directory=TEMPLATES_DIR,
            engine=JinjaTemplateEngine,
            engine_callback=lambda engine: configure_environment(engine.engine, settings),
        ),
        plugins=[HTMXPlugin()],
        csrf_config=CSRFConfig(
            secret=settings.secret_key,
            cookie_name="csrftoken",
            header_name="x-csrftoken",
            cookie_secure=settings.is_prod,
            cookie_samesite="lax",
        ),
        middleware=[
            SecurityHeadersMiddleware(hsts=settings.is_prod),
            SessionMiddleware(secure_cookies=settings.is_prod, idle_minutes=settings.session_idle_minutes),
            # Paths and status codes only: bodies and cookies carry passwords and tokens.
            LoggingMiddlewareConfig(
                request_log_fields=("method", "path"),
                response_log_fields=("status_code",),
            ).middleware,
        ],
        exception_handlers=exception_handlers(),
        logging_config=LoggingConfig(
            root={"level": "INFO", "handlers": ["queue_listener"]},
            loggers={"xqr": {"level": "INFO", "propagate": True}},
            log_exceptions="never"  # on_server_error logs what is unexpected,
        ),
        on_startup=[on_startup],
        on_shutdown=[on_shutdown],
        openapi_config=None,
        debug=False,
    )
    app.state.settings = settings
    app.state.storage = make_storage(settings.storage)
    app.state.mailer = make_mailer(settings)
    app.state.sms = make_sms_sender(settings)
    return app
