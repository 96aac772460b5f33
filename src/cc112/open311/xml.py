"""GeoReport v2 XML: the spec's element names, UTF-8 with its declaration, no namespace (lxml).

The JSON and XML answers come from the same data (the spec's Spark convention): a list becomes a
wrapper element holding one child per item (`<services><service>…`), a dict becomes child
elements, None an empty element, booleans `true`/`false`.
"""

from __future__ import annotations

import re
from typing import Any

from lxml import etree

# wrapper element -> the element of each item inside it
ITEM = {
    "services": "service",
    "service_requests": "request",
    "service_request_updates": "request_update",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
    "errors": "error",
}
DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'  # as the spec writes it, double-quoted
# Characters XML 1.0 cannot carry (control characters, lone surrogates, non-characters).
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return _ILLEGAL.sub("", str(value))


def _fill(element: etree._Element, value: Any) -> None:
    name = element.tag
    if isinstance(value, dict):
        for key, child in value.items():
            _fill(etree.SubElement(element, key), child)
    elif isinstance(value, list):
        item = ITEM.get(str(name), "item")
        for child in value:
            _fill(etree.SubElement(element, item), child)
    else:
        element.text = _text(value)


def render(root: str, data: dict[str, Any] | list[Any]) -> bytes:
    """`<root>` holding `data`: a list of items (named after the root) or a dict of fields."""
    element = etree.Element(root)
    _fill(element, data)
    body = etree.tostring(element, xml_declaration=False, encoding="UTF-8", pretty_print=True)
    return DECLARATION + body
