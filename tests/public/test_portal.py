"""The portal stays light for a villager with a weak signal."""

from __future__ import annotations

import re


async def test_the_portal_page_with_its_assets_weighs_under_100_kb(anon):
    page = await anon.get("/")
    assert page.status_code == 200
    assets = re.findall(r'(?:href|src)="(/static/[^"]+)"', page.text)
    assert any(a.endswith(".css") for a in assets) and any(a.endswith(".js") for a in assets)
    total = len(page.content)
    for path in assets:
        r = await anon.get(path)
        assert r.status_code == 200, path
        total += len(r.content)
    assert total <= 100 * 1024, f"portal weighs {total} bytes"
    assert "/vendor/" not in page.text  # no map or framework on the basic form


async def test_the_portal_form_works_without_javascript(anon):
    page = (await anon.get("/")).text
    assert '<form id="report" method="post" action="/lapor" enctype="multipart/form-data"' in page
    for name in ("category", "description", "region", "address", "photo", "phone", "website"):
        assert f'name="{name}"' in page

