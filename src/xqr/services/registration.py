"""企业注册: an enterprise account from the registration form, all or nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from xqr.db import is_unique_violation, write_transaction
from xqr.services.errors import ValidationFailed
from xqr.services.identity_codes import credit_code_problem, normalize_credit_code
from xqr.services.login import Client
from xqr.services.outbox import post_message
from xqr.services.passwords import hash_password, password_problem
from xqr.services.reference import normalize_registry_text
from xqr.services.registry import get_registry
from xqr.services.sms_codes import consume_code, send_code, verify_code
from xqr.services.users import phone_problem, username_problem, username_taken
from xqr.services.consents import record_consent
from xqr.tables.accounts import Enterprise, User

#: 《平台用户协议》 version recorded with each consent; change it when the text changes
USER_AGREEMENT_VERSION = "2026.1"
ALREADY_REGISTERED = "该企业已注册，请使用已注册的账号登录"
ACCOUNT_TAKEN = "该登录账号已被使用"


@dataclass(frozen=True)
class RegistrationForm:
    enterprise_name: str = ""
    credit_code: str = ""
    address: str = ""
    username: str = ""
    phone: str = ""
    password: str = ""
    password_confirm: str = ""
    code: str = ""
    consent: bool = False

    @classmethod
    def from_form(cls, data) -> "RegistrationForm":
        def text(name: str) -> str:
            return (data.get(name) or "").strip()

        return cls(
            enterprise_name=text("enterprise_name"),
            credit_code=normalize_credit_code(data.get("credit_code") or ""),
            address=text("address"),
            username=text("username"),
            phone=text("phone"),
            # Passwords as typed: spaces are refused by the rule, not silently removed.
            password=data.get("password") or "",
            password_confirm=data.get("password_confirm") or "",
            code=text("code"),
            consent=data.get("consent") in {"on", "1", "true", "yes"},
        )


async def send_registration_code(phone: str, client: Client) -> int:
    """The registration code to the phone; returns the wait in seconds before another."""
    return (await send_code(phone.strip(), "register", client.ip)).wait_seconds


async def _enterprise_errors(form: RegistrationForm) -> tuple[dict[str, str], bool]:
    """Problems with the enterprise fields, and whether the registry knows the enterprise."""
    errors: dict[str, str] = {}
    if not form.enterprise_name:
        errors["enterprise_name"] = "请输入企业名称"
    elif len(form.enterprise_name) > 200:
        errors["enterprise_name"] = "企业名称不能超过200个字"
    if problem := credit_code_problem(form.credit_code):
        errors["credit_code"] = problem
        return errors, False
    entry = await get_registry().lookup(form.credit_code)
    if entry is not None:
        if form.enterprise_name and normalize_registry_text(form.enterprise_name) != entry.name:
            errors["enterprise_name"] = f"企业名称与统一社会信用代码不符：登记名称为「{entry.name}」"
    elif not form.address:
        # Picked entries bring their address; a hand-typed enterprise must give one.
        errors["address"] = "请输入企业注册地址"
    if len(form.address) > 300:
        errors["address"] = "企业注册地址不能超过300个字"
    if await Enterprise.exists().where(Enterprise.credit_code == form.credit_code):
        errors["credit_code"] = ALREADY_REGISTERED
    return errors, entry is not None


def _account_errors(form: RegistrationForm) -> dict[str, str]:
    errors: dict[str, str] = {}
    if problem := username_problem(form.username):
        errors["username"] = problem
    if problem := phone_problem(form.phone):
        errors["phone"] = problem
    if problem := password_problem(form.password):
        errors["password"] = problem
    elif form.password_confirm != form.password:
        errors["password_confirm"] = "两次输入的密码不一致"
    if not form.consent:
        errors["consent"] = "请阅读并同意《平台用户协议》"
    return errors


async def register(form: RegistrationForm, client: Client) -> int:
    """Create the enterprise (未认证), its account, the consent and a welcome message; returns the user id.

    Every field is checked and every problem reported at once; on any problem nothing is saved
    (a right SMS code stays usable, so the user fixes the field and submits again).
    """
    errors, registry_matched = await _enterprise_errors(form)
    errors.update(_account_errors(form))
    if "username" not in errors and await username_taken(form.username):
        errors["username"] = ACCOUNT_TAKEN
    code_id = None
    if "phone" not in errors:
        try:
            code_id = await verify_code(form.phone, "register", form.code)
        except ValidationFailed as failure:
            errors.update(failure.errors)
    if errors:
        raise ValidationFailed(errors)
    entry = await get_registry().lookup(form.credit_code) if registry_matched else None
    now = datetime.now(timezone.utc)
    try:
        async with write_transaction():
            await consume_code(code_id)
            enterprise = Enterprise(
                name=entry.name if entry else form.enterprise_name,
                credit_code=form.credit_code,
                address=entry.address if entry and entry.address else form.address,
                cert_status="uncertified",
                registry_matched=registry_matched,
                created_at=now,
            )
            await enterprise.save()
            user = User(
                username=form.username,
                username_key=form.username.lower(),
                phone=form.phone,
                password_hash=hash_password(form.password),
                role="enterprise",
                enterprise=enterprise.id,
                created_at=now,
            )
            await user.save()
            await record_consent(
                "user_agreement", USER_AGREEMENT_VERSION, user_id=user.id, ip=client.ip, user_agent=client.user_agent
            )
            await post_message(
                user.id,
                "欢迎注册湘企融",
                f"{enterprise.name}的企业账号已创建。完成企业认证后，即可在融资超市申请融资产品、发布融资需求。",
                link="/my/certification",
            )
    except Exception as error:
        # Someone registered the same account or enterprise between our checks and the insert.
        if is_unique_violation(error):
            taken = await username_taken(form.username)
            raise ValidationFailed({"username": ACCOUNT_TAKEN} if taken else {"credit_code": ALREADY_REGISTERED}) from error
        raise
    return user.id
