"""Citizens read published warnings on the portal."""

from __future__ import annotations

from tests.alerts.conftest import approve, compose


async def test_only_published_alerts_reach_the_public_page_and_without_staff_names(anon, supervisor, supervisor2):
    draft = await compose(supervisor)
    page = await anon.get("/peringatan")
    assert page.status_code == 200
    assert "Waspada banjir di Kecamatan Luwuk" not in page.text
    published = await approve(supervisor2, draft)
    page = (await anon.get("/peringatan")).text
    assert "Waspada banjir di Kecamatan Luwuk" in page
    assert f"/alerts/cap/{published['identifier']}.xml" in page
    for staff in ("supervisor2", "Siti Rahmawati", "supervisor"):
        assert staff not in page
