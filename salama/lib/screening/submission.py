"""Reading an OpenRosa submission: the form it answers, its instance ID and
its answers by field name. Parsed with defusedxml (no entities, no external
references); anything malformed is a SubmissionError a field worker can read."""

from dataclasses import dataclass

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


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def parse(xml: bytes) -> Parsed:
    try:
        root = ElementTree.fromstring(xml)
    except DefusedXmlException:
        raise SubmissionError("The form data uses XML features this server refuses.") from None
    except ElementTree.ParseError as exc:
        raise SubmissionError(f"The form data is not valid XML ({exc}).") from None
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
    return Parsed(form_id, root.get("version", ""), instance_id, fields)
