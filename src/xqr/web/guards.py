"""Route guards: who may open a page."""

from __future__ import annotations

from typing import Callable

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler

Guard = Callable[[ASGIConnection, BaseRouteHandler], None]

CHANGE_PASSWORD_PATH = "/password/change"


class PasswordChangeRequired(PermissionDeniedException):
    """An admin reset this account's password: nothing else opens until the user picks a new one."""


def requires_login(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    user = connection.scope.get("user")
    if user is None:
        raise NotAuthorizedException("请先登录")
    if user.must_change_password and connection.url.path != CHANGE_PASSWORD_PATH:
        raise PasswordChangeRequired("请先修改登录密码")


def requires_role(*roles: str) -> Guard:
    """A guard letting in logged-in users with one of these roles (others get 403)."""

    def guard(connection: ASGIConnection, handler: BaseRouteHandler) -> None:
        requires_login(connection, handler)
        if connection.scope["user"].role not in roles:
            raise PermissionDeniedException("您的账号没有访问此页面的权限")

    guard.__name__ = f"requires_role_{'_'.join(roles)}"
    return guard
