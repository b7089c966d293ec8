"""统一社会信用代码 wrapper: stdnum for digit-led codes, our own path for N/A/Y-led ones."""

from __future__ import annotations

import pytest
from stdnum.cn.uscc import calc_check_digit

from zjtx.facts.uscc import InvalidUSCC, is_local, is_valid_uscc, normalize_uscc, region_code


def _code(body17: str) -> str:
    return body17 + calc_check_digit(body17)


def test_known_valid_code_from_stdnum() -> None:
    assert normalize_uscc("91110000600037341L") == "91110000600037341L"
    assert not is_local("91110000600037341L")
    assert region_code("91110000600037341L") == "110000"


@pytest.mark.parametrize("head", ["N2", "A1", "Y1", "N1", "Y9"])
def test_letter_led_codes_are_accepted(head: str) -> None:
    code = _code(f"{head}442000MA4UH0AA0")
    assert normalize_uscc(code) == code
    assert is_local(code)


def test_stdnum_alone_rejects_letter_led_codes() -> None:
    from stdnum.cn import uscc

    code = _code("N2442000MA4UH0AA0")
    assert not uscc.is_valid(code)  # the pitfall the wrapper exists for
    assert is_valid_uscc(code)


def test_normalisation_of_blanks_case_hyphens_and_full_width() -> None:
    code = _code("91442000MA4UH0AA0")
    messy = " " + code[:6].lower() + "-" + code[6:12] + " " + code[12:].lower() + "\n"
    assert normalize_uscc(messy) == code
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in code)
    assert normalize_uscc(full_width) == code


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("", "不能为空"),
        (None, "不能为空"),
        ("91442000MA4UH0AA", "长度应为18位，实为16位"),
        ("91442000MA4UH0AA0X1", "长度应为18位，实为19位"),
        ("91442000MA4UH0AI0X", "含非法字符「I」（不得含I、O、Z、S、V及其他符号）"),
        ("91442000MO4UH0AS0X", "含非法字符「O、S」（不得含I、O、Z、S、V及其他符号）"),
        ("B1442000MA4UH0AA0X", "登记管理部门码「B」无效"),
        ("0144200AMA4UH0AA0X", "登记管理部门码「0」无效"),
        ("9144200AMA4UH0AA0X", "第3至8位行政区划码应为6位数字"),
    ],
)
def test_invalid_codes_give_chinese_reasons(raw: str | None, reason: str) -> None:
    with pytest.raises(InvalidUSCC) as err:
        normalize_uscc(raw)
    assert err.value.reason == reason
    assert str(err.value) == reason


@pytest.mark.parametrize("head", ["91", "N2", "Y1"])
def test_wrong_check_character(head: str) -> None:
    code = _code(f"{head}442000MA4UH0AA0")
    wrong = code[:-1] + ("0" if code[-1] != "0" else "1")
    with pytest.raises(InvalidUSCC, match="^校验位错误$"):
        normalize_uscc(wrong)
    assert not is_valid_uscc(wrong)


def test_is_local_uses_characters_3_to_8() -> None:
    assert is_local(_code("92442000MA4UH0AA0"))
    assert is_local(_code("91442011MA4UH0AA0"))
    assert not is_local(_code("91440300MA4UH0AA0"))  # 深圳
    with pytest.raises(InvalidUSCC):
        is_local("123")
