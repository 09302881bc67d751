"""National identifier rules: credit codes (GB 32100) and resident ID numbers (GB 11643).

python-stdnum implements both check characters; we add normalisation and
the platform's wording.
"""

from __future__ import annotations

from stdnum.cn import ric, uscc


def normalize_credit_code(value: str) -> str:
    return value.strip().replace(" ", "").replace("-", "").upper()


def credit_code_problem(value: str) -> str | None:
    code = normalize_credit_code(value)
    if not code:
        return "请输入统一社会信用代码"
    if len(code) != 18:
        return "统一社会信用代码应为18位"
    if not uscc.is_valid(code):
        return "统一社会信用代码校验位不正确，请核对"
    return None


def credit_code_check_character(first_17: str) -> str:
    return uscc.calc_check_digit(first_17)


def normalize_resident_id(value: str) -> str:
    return value.strip().upper()


def resident_id_problem(value: str) -> str | None:
    number = normalize_resident_id(value)
    if not number:
        return "请输入身份证号"
    if len(number) != 18:
        return "身份证号应为18位"
    if not ric.is_valid(number):
        return "身份证号校验位或出生日期不正确，请核对"
    return None


def mask_resident_id(value: str) -> str:
    return f"{value[:3]}{'*' * 11}{value[-4:]}" if len(value) == 18 else "*" * len(value)


#: GB 11714 character values: digits, then A=10 … Z=35 consecutively (unlike GB 32100's table)
_GB11714_VALUES = {c: i for i, c in enumerate("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")}
_GB11714_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def organization_code_check_character(body: str) -> str:
    """The GB 11714 check character of an 8-character organisation-code body (credit-code position 17)."""
    total = sum(_GB11714_VALUES[c] * w for c, w in zip(body.upper(), _GB11714_WEIGHTS, strict=True))
    check = 11 - total % 11
    return "X" if check == 10 else "0" if check == 11 else str(check)
