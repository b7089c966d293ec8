"""统一社会信用代码 (USCC, GB 32100-2015): normalisation and validation.

python-stdnum's ``stdnum.cn.uscc`` requires eight leading digits and therefore rejects valid codes
whose registering-authority character is a letter (``N`` 农业, ``A`` 中央军委改革和编制办公室,
``Y`` 其他). This wrapper accepts the full first-character set ``[1-9ANY]`` and runs the same mod-31
check (stdnum's ``calc_check_digit``) for every code.
"""

from __future__ import annotations

import unicodedata

from stdnum.cn import uscc as _stdnum_uscc
from stdnum.exceptions import InvalidChecksum, ValidationError

__all__ = ["ALPHABET", "InvalidUSCC", "is_local", "is_valid_uscc", "normalize_uscc", "region_code"]

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
"""The 31 characters a USCC may contain (no I, O, Z, S, V)."""

_AUTHORITIES = set("123456789ANY")
_LOCAL_PREFIX = "4420"


class InvalidUSCC(ValueError):
    """A code that is not a valid USCC; ``reason`` is a short Chinese explanation."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _compact(raw: object) -> str:
    text = unicodedata.normalize("NFKC", str(raw))  # full-width letters/digits → ASCII
    for sep in (" ", "-", "\u3000", "\t", "\n", "\r"):
        text = text.replace(sep, "")
    return text.strip().upper()


def normalize_uscc(raw: object) -> str:
    """Return the compact upper-case form of ``raw`` or raise :class:`InvalidUSCC`.

    Accepts surrounding blanks, inner spaces/hyphens, lower case and full-width characters.
    """
    if raw is None:
        raise InvalidUSCC("不能为空")
    code = _compact(raw)
    if not code:
        raise InvalidUSCC("不能为空")
    if len(code) != 18:
        raise InvalidUSCC(f"长度应为18位，实为{len(code)}位")
    bad = [c for c in code if c not in ALPHABET]
    if bad:
        shown = "、".join(dict.fromkeys(bad))
        raise InvalidUSCC(f"含非法字符「{shown}」（不得含I、O、Z、S、V及其他符号）")
    if code[0] not in _AUTHORITIES:
        raise InvalidUSCC(f"登记管理部门码「{code[0]}」无效")
    if not code[2:8].isdigit():
        raise InvalidUSCC("第3至8位行政区划码应为6位数字")
    if code[0].isdigit():
        try:
            _stdnum_uscc.validate(code)
        except InvalidChecksum as exc:
            raise InvalidUSCC("校验位错误") from exc
        except ValidationError as exc:  # pragma: no cover - all format checks are done above
            raise InvalidUSCC("格式错误") from exc
    elif code[-1] != _stdnum_uscc.calc_check_digit(code[:17]):
        raise InvalidUSCC("校验位错误")
    return code


def is_valid_uscc(raw: object) -> bool:
    """True when ``raw`` normalises to a valid USCC."""
    try:
        normalize_uscc(raw)
    except InvalidUSCC:
        return False
    return True


def region_code(uscc: str) -> str:
    """The 6-digit division code of the registering office (characters 3–8)."""
    return normalize_uscc(uscc)[2:8]


def is_local(uscc: str) -> bool:
    """True when the code was registered in Zhongshan (characters 3–8 are ``4420xx``).

    Codes registered elsewhere are 外地注册 (useful for investment attraction).
    """
    return region_code(uscc).startswith(_LOCAL_PREFIX)
