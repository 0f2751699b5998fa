"""`options.fetch_fonts`: the render service fetches the Google Fonts families a document names
(issue 24), from the CSS API given by `--fonts-url`, under the media policy (--allow-private-network)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from tests.fonts.fontmaker import FontServer, noto_sans_as
from tests.service.conftest import HOOK_HOST, MAIN_KEY, ServiceProcess, wait_status, write_keys


def _doc() -> dict[str, Any]:
    return {
        "width": 160, "height": 90, "fps": 10, "duration": 0.2,
        "layers": [{"id": "t", "type": "text", "settings": {"enabled": True, "sourceDuration": 0.2},
                    "properties": {"text": "Fetched", "fontFamily": "Fetch Test Sans", "fontSize": 12,
                                   "fontWeight": 550}}],
    }  # fmt: skip


@pytest.fixture(scope="module")
def fonts(tmp_path_factory: pytest.TempPathFactory) -> Any:
    font = noto_sans_as(tmp_path_factory.mktemp("f") / "FetchTestSans.ttf", "Fetch Test Sans").read_bytes()
    try:
        server = FontServer({"Fetch Test Sans": font}, host=HOOK_HOST)
    except OSError as exc:  # pragma: no cover
        pytest.skip(f"cannot bind {HOOK_HOST}: {exc}")
    with server:
        yield server


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory, fonts: FontServer) -> Any:
    folder = tmp_path_factory.mktemp("fonts-service")
    service = ServiceProcess(
        folder / "data",
        ["--workers", "1", "--keys", str(write_keys(folder / "keys.json")), "--fonts-url", fonts.url,
         "--allow-private-network", f"{HOOK_HOST}/32"],
        env={"XDG_CACHE_HOME": str(folder / "cache")},
    ).start()  # fmt: skip
    try:
        with httpx.Client(
            base_url=service.url, headers={"Authorization": f"Bearer {MAIN_KEY}"}, timeout=60
        ) as c:
            yield c
    finally:
        service.stop()


def test_still_and_render_fetch_the_family_once(client: httpx.Client, fonts: FontServer) -> None:
    plain = client.post("/v1/frames", json={"document": _doc(), "frame": 0})
    assert plain.status_code == 200, plain.text
    assert fonts.requests == []  # no fetching unless asked
    fetched = client.post(
        "/v1/frames", json={"document": _doc(), "frame": 0, "options": {"fetch_fonts": True}}
    )
    assert fetched.status_code == 200, fetched.text
    assert [r.split("?")[0] for r in fonts.requests] == ["/css2", "/s/Fetch%20Test%20Sans.ttf"]
    # The fetched family (Noto Sans renamed) is a web font: weight 550 sets wght 550, where the
    # Noto Sans fallback snaps to its 500 instance.
    assert fetched.content != plain.content
    job = client.post("/v1/renders", json={"document": _doc(), "options": {"fetch_fonts": True}})
    assert job.status_code == 202, job.text
    status = wait_status(client, job.json()["id"], ("done", "failed"))
    assert status["status"] == "done", status
    assert not [w for w in status.get("warnings") or () if "Fetch Test Sans" in w]
    assert len(fonts.requests) == 2  # the render process read the font cache


def test_fetch_fonts_must_be_a_boolean(client: httpx.Client) -> None:
    bad = client.post("/v1/renders", json={"document": _doc(), "options": {"fetch_fonts": "yes"}})
    assert bad.status_code == 422
    assert bad.json()["error"]["issues"][0]["path"] == "options.fetch_fonts"


def test_the_farm_refuses_fetch_fonts() -> None:
    from vfnative.service.app import _check_fetch_fonts
    from vfnative.service.errors import ApiError

    class Farm:
        class settings:  # noqa: N801 - stands in for ServiceSettings
            broker = "redis://127.0.0.1:1/0"

    with pytest.raises(ApiError) as err:
        _check_fetch_fonts(Farm(), {"fetch_fonts": True})
    assert err.value.status == 422
    assert [path for path, _message in err.value.issues] == ["options.fetch_fonts"]
    _check_fetch_fonts(Farm(), {})  # without the option the farm takes the job
