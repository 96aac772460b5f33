"""CAP 1.2 XML of one alert and the Atom 1.0 feed of published alerts, built with lxml."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from lxml import etree

from cc112.alerts.models import Alert

CAP_NS = "urn:oasis:names:tc:emergency:cap:1.2"
ATOM_NS = "http://www.w3.org/2005/Atom"
CAP_MEDIA_TYPE = "application/cap+xml"
ATOM_MEDIA_TYPE = "application/atom+xml"
PUBLIC_CONTACT = "112"  # the free emergency number; never a person
GEOCODE_NAME = "KEMENDAGRI"  # kecamatan codes of the Ministry of Home Affairs, e.g. 72.01.04
# CAP 1.2: identifier and sender contain no spaces, commas or restricted characters (< and &).
CAP_TOKEN = re.compile(r"^[^\s,<&]+$")


def cap_time(value: datetime, zone: str) -> str:
    """A CAP dateTime in the jurisdiction's zone: 2026-11-28T10:15:00+08:00 (never 'Z')."""
    text = value.astimezone(ZoneInfo(zone)).replace(microsecond=0).isoformat()
    # CAP 1.2 writes UTC as -00:00.
    return text[:-6] + "-00:00" if text.endswith("+00:00") else text


def make_identifier(*, prefix: str, sent: datetime, zone: str, alert_id: int) -> str:
    """BGI-ALERT-20261128-0007: jurisdiction prefix, local day of sending, the alert's number."""
    day = sent.astimezone(ZoneInfo(zone)).strftime("%Y%m%d")
    identifier = f"{prefix}-ALERT-{day}-{alert_id:04d}"
    if not CAP_TOKEN.match(identifier):
        raise ValueError(f"identifier {identifier!r} is not a CAP token")
    return identifier


def make_sender(jurisdiction_code: str) -> str:
    """A globally unique originator without personal data: the command center of this jurisdiction."""
    return f"urn:cc112:jurisdiction:{jurisdiction_code}"


@dataclass(frozen=True)
class Reference:
    sender: str
    identifier: str
    sent: str  # already in CAP form


def references_text(references: Iterable[Reference]) -> str | None:
    """CAP references: space-separated 'sender,identifier,sent' triples, oldest first."""
    text = " ".join(f"{r.sender},{r.identifier},{r.sent}" for r in references)
    return text or None


def _sub(parent: etree._Element, tag: str, text: str | None = None) -> etree._Element:
    element = etree.SubElement(parent, f"{{{CAP_NS}}}{tag}")
    if text is not None:
        element.text = text
    return element


def _area(info: etree._Element, area: dict[str, str | None]) -> None:
    element = _sub(info, "area")
    _sub(element, "areaDesc", area["desc"])
    if area.get("polygon"):
        _sub(element, "polygon", area["polygon"])
    if area.get("circle"):
        _sub(element, "circle", area["circle"])
    if area.get("region_code"):
        geocode = _sub(element, "geocode")
        _sub(geocode, "valueName", GEOCODE_NAME)
        _sub(geocode, "value", area["region_code"])


def _info(root: etree._Element, alert: Alert, text: dict[str, str], *, zone: str, sender_name: str) -> None:
    info = _sub(root, "info")
    _sub(info, "language", text["language"])
    _sub(info, "category", alert.category)
    _sub(info, "event", text["event"])
    if alert.response_type:
        _sub(info, "responseType", alert.response_type)
    _sub(info, "urgency", alert.urgency)
    _sub(info, "severity", alert.severity)
    _sub(info, "certainty", alert.certainty)
    if alert.expires_at is not None:
        _sub(info, "expires", cap_time(alert.expires_at, zone))
    _sub(info, "senderName", sender_name)
    _sub(info, "headline", text["headline"])
    _sub(info, "description", text["description"])
    if text.get("instruction"):
        _sub(info, "instruction", text["instruction"])
    if alert.web:
        _sub(info, "web", alert.web)
    _sub(info, "contact", PUBLIC_CONTACT)
    for area in alert.areas:
        _area(info, area)


def build_alert(alert: Alert, *, zone: str, sender_name: str, references: str | None,
                incident_ticket: str | None) -> bytes:
    """The CAP 1.2 message of a published alert (UTF-8, with XML declaration)."""
    if alert.identifier is None or alert.sent_at is None:
        raise ValueError("only a published alert (with identifier and sent time) becomes a CAP message")
    root = etree.Element(f"{{{CAP_NS}}}alert", nsmap={None: CAP_NS})
    _sub(root, "identifier", alert.identifier)
    _sub(root, "sender", alert.sender)
    _sub(root, "sent", cap_time(alert.sent_at, zone))
    _sub(root, "status", alert.status)
    _sub(root, "msgType", alert.msg_type)
    _sub(root, "scope", "Public")
    if alert.note:
        _sub(root, "note", alert.note)
    if references:
        _sub(root, "references", references)
    if incident_ticket:
        _sub(root, "incidents", incident_ticket)
    for text in sorted(alert.infos, key=lambda i: i["language"] != "id-ID"):
        _info(root, alert, text, zone=zone, sender_name=sender_name)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


@dataclass(frozen=True)
class FeedEntry:
    identifier: str
    title: str
    summary: str
    category: str
    sent: datetime
    cap_url: str


def _atom(parent: etree._Element, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
    element = etree.SubElement(parent, f"{{{ATOM_NS}}}{tag}", attrs)
    if text is not None:
        element.text = text
    return element


def build_feed(entries: list[FeedEntry], *, feed_url: str, title: str, author: str, zone: str,
               updated: datetime) -> bytes:
    """Atom 1.0: newest first, each entry linking to its CAP message."""
    feed = etree.Element(f"{{{ATOM_NS}}}feed", nsmap={None: ATOM_NS})
    feed.set("{http://www.w3.org/XML/1998/namespace}lang", "id")
    _atom(feed, "id", feed_url)
    _atom(feed, "title", title)
    _atom(feed, "updated", cap_time(entries[0].sent if entries else updated, zone))
    _atom(_atom(feed, "author"), "name", author)
    _atom(feed, "link", rel="self", type=ATOM_MEDIA_TYPE, href=feed_url)
    for item in entries:
        entry = _atom(feed, "entry")
        _atom(entry, "id", item.cap_url)
        _atom(entry, "title", item.title)
        _atom(entry, "updated", cap_time(item.sent, zone))
        _atom(entry, "published", cap_time(item.sent, zone))
        _atom(entry, "category", term=item.category)
        _atom(entry, "link", rel="alternate", type=CAP_MEDIA_TYPE, href=item.cap_url)
        _atom(entry, "summary", item.summary)
    return etree.tostring(feed, xml_declaration=True, encoding="UTF-8", pretty_print=True)
