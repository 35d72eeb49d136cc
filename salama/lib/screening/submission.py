"""Reading an OpenRosa submission: the form it answers, its instance ID and
its answers by field name. Parsed with defusedxml (no entities, no external
references); anything malformed is a SubmissionError a field worker can read."""

import codecs
import re
from dataclasses import dataclass, field
from xml.etree.ElementTree import Element, TreeBuilder

from defusedxml import DefusedXmlException, ElementTree

# Fields every form carries that are not answers.
META = {"instanceID", "instanceName", "deprecatedID", "start", "end", "meta"}


class SubmissionError(ValueError):
    pass


@dataclass
class Parsed:
    form_id: str
    version: str
    instance_id: str
    fields: dict[str, str]
    # The document as text, decoded as its declaration says, and declared
    # UTF-8 so that its UTF-8 bytes are again the same document.
    text: str = field(default="", repr=False)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


_DECLARED_ENCODING = re.compile(r"""^(\s*<\?xml[^>]*?encoding\s*=\s*)(["'])[^"']*\2""")


def _encoding_of(xml: bytes, declared: str | None) -> str:
    """The encoding the XML parser read the bytes in: a byte order mark or
    UTF-16's first bytes, else the declaration, else UTF-8 (XML 1.0, F.1)."""
    if xml.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if xml.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if xml.startswith(b"<\x00"):
        return "utf-16-le"
    if xml.startswith(b"\x00<"):
        return "utf-16-be"
    return declared or "utf-8"


def _root_and_text(xml: bytes | str) -> tuple[Element, str]:
    """Let the XML parser decode the bytes (by the declaration: ODK Collect
    sends UTF-8, other tools ISO-8859-1 or UTF-16), and keep the text in the
    same encoding it read."""
    declared: list[str] = []
    parser = ElementTree.DefusedXMLParser(target=TreeBuilder())
    if isinstance(xml, bytes):
        parser.parser.XmlDeclHandler = lambda _v, encoding, _s: declared.append(encoding or "")
    try:
        parser.feed(xml)
        root = parser.close()
    except DefusedXmlException:
        raise SubmissionError("The form data uses XML features this server refuses.") from None
    except ElementTree.ParseError as exc:
        raise SubmissionError(f"The form data is not valid XML ({exc}).") from None
    except (LookupError, UnicodeError):  # an encoding Python does not know, or wrong bytes
        raise SubmissionError("The form data is not in an encoding this server reads.") from None
    if isinstance(xml, bytes):
        encoding = _encoding_of(xml, declared[0] if declared else None)
        try:
            xml = xml.decode(encoding)
        except (LookupError, UnicodeDecodeError):
            raise SubmissionError("The form data is not in the encoding it declares.") from None
    return root, _DECLARED_ENCODING.sub(r"\1\2UTF-8\2", xml, count=1)


def parse(xml: bytes | str) -> Parsed:
    """Bytes as received (decoded by their declaration), or text as stored."""
    root, text = _root_and_text(xml)
    form_id = root.get("id", "")
    if not form_id:
        raise SubmissionError("The form data does not say which form it answers (no id).")
    instance_id = ""
    fields: dict[str, str] = {}
    for element in root.iter():
        name = _local(element.tag)
        if name == "instanceID":
            instance_id = (element.text or "").strip()
        if len(element) or element is root or name in META:
            continue
        fields[name] = (element.text or "").strip()
    if not instance_id:
        raise SubmissionError("The form data has no instance ID (meta/instanceID).")
    return Parsed(form_id, root.get("version", ""), instance_id, fields, text)
