"""The demo workload: a third false contacts, real incidents dispatched and answered."""

from __future__ import annotations

import asyncio
import random

from sqlalchemy import func, select

from cc112.accounts import service as accounts
from cc112.contacts.models import Contact
from cc112.dispatch.models import Assignment
from cc112.incidents.models import Incident
from cc112.training.simulator import Simulator, Speed


async def test_the_simulator_produces_a_believable_mix_and_agencies_respond(app):
    random.seed(112)
    database = app.state.db
    async with database.session_scope() as s:
        await accounts.create(db=s, username="simulator", password="sim-password-112", role="supervisor",
                              jurisdiction_code="72.01")
    sim = Simulator(database, speed=Speed(contact_every_s=0.002, response_scale=0.0005))
    await asyncio.wait_for(sim.run(limit=90), timeout=120)
    await asyncio.sleep(3)  # let the compressed agency responses play out
    await sim.stop()
    async with database.session() as s:
        total = await s.scalar(select(func.count(Contact.id)))
        false = await s.scalar(select(func.count(Contact.id)).where(Contact.classification.in_(("prank", "ghost", "abandoned"))))
        incidents = await s.scalar(select(func.count(Incident.id)))
        statuses = dict((await s.execute(select(Assignment.status, func.count()).group_by(Assignment.status))).all())
        regions = await s.scalar(select(func.count(func.distinct(Incident.region_id))))
    assert total == 90
    assert 0.2 <= false / total <= 0.5, f"false-contact share {false / total:.2f}"
    assert incidents >= 20
    assert regions >= 3
    assert statuses.get("completed", 0) + statuses.get("on_scene", 0) + statuses.get("en_route", 0) > 0
    assert statuses.get("acknowledged", 0) + statuses.get("completed", 0) > 0
