"""The live map's token handling, in-process: once in the address, then an HttpOnly cookie."""

from __future__ import annotations

from pathlib import Path

from starlette.testclient import TestClient

from builders.events import event
from builders.serving import EU_WRITER, serve_app
from northpic.events import add_events


def test_the_token_goes_into_a_strict_httponly_cookie_and_never_into_the_page(tmp_path: Path):
    store = tmp_path / "events.gpkg"
    add_events([event(1, id="nato-only", name="NATO only", releasability="NATO")], store)
    with TestClient(serve_app(tmp_path, store)) as http:
        answer = http.get(f"/map?token={EU_WRITER.token}", follow_redirects=False)
        assert answer.status_code == 303
        assert answer.headers["location"] == "/map"  # the token leaves the address
        cookie = answer.headers["set-cookie"]
        assert cookie.startswith(f"northpic_token={EU_WRITER.token};")
        for flag in ("HttpOnly", "SameSite=strict", "Path=/map"):
            assert flag in cookie
        page = http.get("/map")
        assert page.status_code == 200
        assert EU_WRITER.token not in page.text
        assert "NATO only" not in page.text and "nato-only" not in page.text
        policy = page.headers["content-security-policy"]
        assert "default-src 'none'" in policy and "connect-src 'self'" in policy
        assert page.headers["cache-control"] == "no-store"
        assert "window.northpicLive" in page.text
        http.cookies.clear()
        wrong = http.get("/map?token=wrong", follow_redirects=False)
        assert wrong.status_code == 401 and "set-cookie" not in wrong.headers
