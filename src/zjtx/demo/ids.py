"""Identifiers for synthetic enterprises: valid USCCs (GB 32100-2015) and unique Chinese names.

The USCC check character comes from python-stdnum (``stdnum.cn.uscc.calc_check_digit``); the
embedded 9-character 组织机构代码 carries its own GB 11714 check character.
"""

from __future__ import annotations

import numpy as np
from stdnum.cn import uscc as _uscc

__all__ = ["ORG_ALPHABET", "make_org_code", "make_uscc", "random_usccs"]

# characters allowed in the body of a USCC (no I, O, Z, S, V)
ORG_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALUE = {c: (int(c) if c.isdigit() else ord(c) - 55) for c in "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"}
_W11714 = (3, 7, 9, 10, 5, 8, 4, 2)


def make_org_code(body: str) -> str:
    """8-character body + GB 11714 check character ("X" for 10, "0" for 11)."""
    s = sum(_VALUE[c] * w for c, w in zip(body, _W11714, strict=True))
    c = 11 - s % 11
    return body + ("X" if c == 10 else "0" if c == 11 else str(c))


def make_uscc(region: str, body: str, prefix: str = "91") -> str:
    """prefix (登记管理部门 + 机构类别) + 6-digit region + org code (body + check) + USCC check."""
    head = prefix + region + make_org_code(body)
    return head + _uscc.calc_check_digit(head)


def random_usccs(rng: np.random.Generator, n: int, local_share: float = 0.97) -> list[str]:
    """``n`` distinct valid USCCs; about ``local_share`` registered in Zhongshan (442000)."""
    out: list[str] = []
    seen: set[str] = set()
    others = ("440300", "440100", "440600", "441900", "440400")  # 深圳, 广州, 佛山, 东莞, 珠海
    alpha = np.array(list(ORG_ALPHABET))
    while len(out) < n:
        m = n - len(out)
        local = rng.random(m) < local_share
        new_style = rng.random(m) < 0.8  # post-2015 codes start "MA"
        chars = alpha[rng.integers(0, len(alpha), size=(m, 6))]
        digits = rng.integers(0, 10, size=(m, 8))
        regions = rng.choice(others, size=m)
        for i in range(m):
            if new_style[i]:
                body = "MA" + "".join(chars[i])
            else:
                body = "".join(map(str, digits[i]))
            code = make_uscc("442000" if local[i] else str(regions[i]), body)
            if code not in seen:
                seen.add(code)
                out.append(code)
    return out
