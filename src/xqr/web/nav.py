"""The back-office menu of each role (sidebar on a PC, 我的 on a phone)."""

from __future__ import annotations

from typing import NamedTuple


class NavItem(NamedTuple):
    label: str
    href: str


ENTERPRISE_MENU = [
    NavItem("我的企业", "/my/enterprise"),
    NavItem("我的申请", "/my/applications"),
    NavItem("需求管理", "/my/demands"),
    NavItem("信用记录", "/my/credit"),
    NavItem("产品查询", "/my/products"),
    NavItem("我的消息", "/my/messages"),
    NavItem("我的管理", "/my/settings"),
]

MENUS = {
    "enterprise": ENTERPRISE_MENU,
    "reviewer": [
        NavItem("认证审核", "/review/certifications"),
        NavItem("我的消息", "/my/messages"),
        NavItem("我的管理", "/my/settings"),
    ],
    "institution": [
        NavItem("申请受理", "/bank/applications"),
        NavItem("需求大厅", "/bank/demands"),
        NavItem("产品管理", "/bank/products"),
        NavItem("我的消息", "/my/messages"),
        NavItem("我的管理", "/my/settings"),
    ],
    "admin": [
        NavItem("数据统计", "/admin"),
        NavItem("用户管理", "/admin/users"),
        NavItem("融资申请", "/admin/applications"),
        NavItem("机构管理", "/admin/institutions"),
        NavItem("产品管理", "/admin/products"),
        NavItem("需求派单", "/admin/demands"),
        NavItem("审计日志", "/admin/audit"),
        NavItem("我的消息", "/my/messages"),
        NavItem("我的管理", "/my/settings"),
    ],
}


def menu_for(role: str) -> list[NavItem]:
    return MENUS.get(role, [])
