"""Error responses through the platform's handlers (the production server's view of them is in
test_web_serving.py): 403 pages give the view's own Chinese reason; API errors are Chinese JSON."""

from __future__ import annotations

import json

import pytest
from django.http import Http404
from django.test import RequestFactory

pytestmark = [pytest.mark.django_db]


def test_403_page_gives_the_reason_and_the_navigation(client, make_user) -> None:
    client.force_login(make_user("err_auditor", "auditor"))
    resp = client.get("/imports/")
    page = resp.content.decode()
    assert resp.status_code == 403 and "无权访问" in page and "当前账号无导入权限" in page
    assert "中山市专精特新梯度培育平台" in page and "企业库" in page


def test_api_403_and_404_are_chinese_json(client, make_user) -> None:
    client.force_login(make_user("err_norole", "auditor"))
    resp = client.get("/api/no-such-endpoint")
    assert resp.status_code == 404 and resp["Content-Type"].startswith("application/json")
    assert json.loads(resp.content)["detail"].startswith("未找到：")


def test_a_404_raised_inside_an_api_view_is_chinese_json() -> None:
    from zjtx.web.api import _not_found

    resp = _not_found(RequestFactory().get("/api/enterprises/x"), Http404("x"))
    assert resp.status_code == 404 and json.loads(resp.content)["detail"].startswith("未找到：")
