"""The internal-code scan shared by the check test and by hand runs against a demo city: render a
page, a PDF or an export as a user sees it (visible text only, without the 技术细节 toggle, scripts
and attributes) and list the internal codes it shows."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import tempfile
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from zjtx.web.present import leaks


class _Visible(HTMLParser):
    """The text a reader sees: no script/style/code, no <details class="tech">, no <option value>."""

    SKIP = {"script", "style", "template"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        cls = dict(attrs).get("class") or ""
        if tag in self.SKIP or (tag == "details" and "tech" in cls.split()):
            self.skip.append(tag)
        elif self.skip and tag == self.skip[-1]:
            self.skip.append(tag)
        if tag in ("input", "textarea") and not self.skip:
            a = dict(attrs)
            if a.get("type") in (None, "text", "number", "search", "tel", "email") and a.get("value"):
                self.parts.append(str(a.get("value")))

    def handle_endtag(self, tag: str) -> None:
        if self.skip and tag == self.skip[-1]:
            self.skip.pop()

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(data)


def visible_text(html: str) -> str:
    p = _Visible()
    p.feed(html)
    return "\n".join(s.strip() for s in p.parts if s.strip())


def pdf_text(data: bytes) -> str:
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "r.pdf"
        path.write_bytes(data)
        return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True,
                              text=True).stdout


def xlsx_text(data: bytes) -> str:
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(data), read_only=True)
    out = []
    for ws in wb.worksheets:
        for row in ws.iter_rows(values_only=True):
            out.append("\t".join("" if v is None else (("TRUE" if v else "FALSE") if isinstance(v, bool) else str(v))
                                 for v in row))
    return "\n".join(out)


def csv_text(data: bytes) -> str:
    text = data.decode("utf-8-sig")
    return "\n".join("\t".join(r) for r in csv.reader(io.StringIO(text)))


def json_text(data: bytes) -> str:
    """The human-readable fields of a JSON answer (keys ending in _label/_zh/_text, labels, messages)."""
    out: list[str] = []

    def walk(v: Any, key: str = "") -> None:
        if isinstance(v, dict):
            for k, x in v.items():
                walk(x, k)
        elif isinstance(v, list):
            for x in v:
                walk(x, key)
        elif isinstance(v, str) and (key.endswith(("_label", "_zh", "_text")) or key in ("label", "message",
                                                                                          "msg", "detail")):
            out.append(v)

    walk(json.loads(data))
    return "\n".join(out)


def text_of(content_type: str, data: bytes) -> str:
    if "pdf" in content_type:
        return pdf_text(data)
    if "spreadsheetml" in content_type:
        return xlsx_text(data)
    if "csv" in content_type:
        return csv_text(data)
    if "json" in content_type:
        return json_text(data)
    return visible_text(data.decode("utf-8", "replace"))


def scan(client: Any, url: str) -> tuple[int, list[str], str]:
    """(status, leaks, text) of one URL as the client's user sees it."""
    resp = client.get(url)
    data = b"".join(resp.streaming_content) if getattr(resp, "streaming", False) else resp.content
    text = text_of(resp.get("Content-Type", ""), data) if resp.status_code == 200 else ""
    found = leaks(text)
    if "spreadsheetml" in resp.get("Content-Type", ""):
        found += [w for w in ("TRUE", "FALSE") if w in text.split("\t") or f"\t{w}" in text or f"{w}\t" in text]
    return resp.status_code, found, text


def context(text: str, code: str, width: int = 60) -> str:
    i = text.find(code)
    return text[max(0, i - width): i + len(code) + width].replace("\n", " ") if i >= 0 else ""
