"""WeChat's XML bodies, parsed without DTDs or entities; text made safe for the CDATA of a reply."""

from __future__ import annotations

from typing import Any
from xml.parsers import expat

import xmltodict


class MalformedMessage(ValueError):
    """The body is not a WeChat XML message."""


def _forbid_doctype(*_args: Any) -> None:
    raise ValueError("DOCTYPE is not allowed")


class _NoDoctypeExpat:
    """`xml.parsers.expat` for xmltodict, rejecting any DOCTYPE: WeChat never sends one, and a DTD is where
    entity bombs and external entities live. (xmltodict rejects entity declarations on its own too.)"""

    @staticmethod
    def ParserCreate(*args: Any, **kwargs: Any) -> Any:  # noqa: N802 (expat's name)
        parser = expat.ParserCreate(*args, **kwargs)
        parser.StartDoctypeDeclHandler = _forbid_doctype
        parser.ExternalEntityRefHandler = _forbid_doctype
        return parser


def parse_xml(data: bytes | str) -> dict[str, Any]:
    """The fields of a `<xml>...</xml>` document, parsed without DTDs or entities."""
    try:
        document = xmltodict.parse(data, expat=_NoDoctypeExpat, disable_entities=True)
    except (expat.ExpatError, ValueError, UnicodeError) as err:
        raise MalformedMessage(f"unparsable XML: {err}") from err
    fields = document.get("xml") if isinstance(document, dict) else None
    if not isinstance(fields, dict):
        raise MalformedMessage("the root element is not <xml> with fields")
    return fields


def cdata_safe(text: str) -> str:
    """`text` that cannot end the CDATA section of a reply early."""
    # Replies are rendered in CDATA sections; a "]]>" echoed from user input would end one early.
    return text.replace("]]>", "]]＞")
