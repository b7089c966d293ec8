"""The evaluation tests' small registry: its evaluation date and the four enterprises' codes and names.
Test modules import these from here (not from ``conftest``, a name every test folder's conftest shares)."""

from __future__ import annotations

import datetime as dt

from webtest_helpers import uscc

ON = dt.date(2025, 6, 30)
A, B, C, D = uscc(101), uscc(102), uscc(103), uscc(104)
NAMES = {A: "中山市甲芯电子科技有限公司", B: "中山市乙光照明有限公司", C: "中山市丙数据信息有限公司",
         D: "中山市丁精密机械有限公司"}
