"""Demo data loads once however often it runs; `xqr user create` creates operators' accounts."""

import os
import subprocess
import sys

from xqr.services.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, read_sample_products, seed_demo
from xqr.services.passwords import verify_password
from xqr.tables.accounts import User
from xqr.tables.catalogue import Institution, Product


async def test_seed_demo_is_idempotent_and_keeps_the_sample_marking(db):
    await seed_demo()
    await seed_demo()
    rows = read_sample_products()
    assert await Product.count() == len(rows)
    assert await Institution.count() == len({row["institution"] for row in rows})
    assert await Product.count().where(Product.is_sample.eq(False)) == 0
    assert await User.count() == len(DEMO_ACCOUNTS)


async def test_demo_accounts_have_one_per_role_and_the_documented_password(db):
    await seed_demo()
    users = await User.select(User.username, User.role, User.password_hash, User.institution.name)
    roles = sorted(user["role"] for user in users)
    assert roles == ["admin", "enterprise", "institution", "institution", "reviewer"]
    assert len({user["institution.name"] for user in users if user["role"] == "institution"}) == 2
    assert all(verify_password(user["password_hash"], DEMO_PASSWORD) for user in users)


def run_xqr(*args: str, stdin: str = "", database_url: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "XQR_DATABASE_URL": database_url}
    return subprocess.run([sys.executable, "-m", "xqr.cli", *args], input=stdin, env=env, capture_output=True, text=True)


def current_database_url() -> str:
    from xqr.db import engine

    db = engine()
    return f"sqlite:///{db.path}" if db.engine_type == "sqlite" else os.environ["XQR_DATABASE_URL"]


async def test_user_create_makes_a_staff_account_from_a_password_on_stdin(db):
    url = current_database_url()
    run_xqr("seed-demo", database_url=url)
    created = run_xqr(
        "user", "create", "--role", "institution", "--username", "hn_staff", "--phone", "13912345678",
        "--institution", "湖南银行", "--password-stdin", stdin="Strong#Pass1\n", database_url=url,
    )
    assert created.returncode == 0, created.stderr
    user = await User.select(User.role, User.institution.name, User.password_hash).where(User.username == "hn_staff").first()
    assert user["role"] == "institution" and user["institution.name"] == "湖南银行"
    assert verify_password(user["password_hash"], "Strong#Pass1")


async def test_user_create_refuses_weak_passwords_duplicates_and_unknown_institutions(db):
    url = current_database_url()
    run_xqr("seed-demo", database_url=url)
    before = await User.count()
    weak = run_xqr("user", "create", "--role", "admin", "--username", "ops1", "--phone", "13912345678",
                   "--password-stdin", stdin="password\n", database_url=url)
    duplicate = run_xqr("user", "create", "--role", "admin", "--username", "DEMO_ADMIN", "--phone", "13912345678",
                        "--password-stdin", stdin="Strong#Pass1\n", database_url=url)
    unknown = run_xqr("user", "create", "--role", "institution", "--username", "ops2", "--phone", "13912345678",
                      "--institution", "不存在银行", "--password-stdin", stdin="Strong#Pass1\n", database_url=url)
    assert (weak.returncode, duplicate.returncode, unknown.returncode) == (2, 2, 2)
    assert "字母、数字和特殊字符" in weak.stderr
    assert "已被使用" in duplicate.stderr
    assert "找不到金融机构" in unknown.stderr
    assert await User.count() == before
