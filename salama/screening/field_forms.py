"""The forms this server offers to ODK Collect, KoboCollect and Enketo: one
per screening instrument, built from its YAML, and IOM's HTCDS case-intake
form as published. Each form's bytes are built once per process; the hash
in the form list is the MD5 of exactly those bytes."""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from defusedxml import ElementTree

from salama.lib.screening import xlsform
from salama.lib.screening.instrument import Instrument
from salama.screening import catalogue

DIRECTORY = Path(__file__).resolve().parent / "fieldforms"
INTAKE_FORMS = {"htcds_xlsform": "htcds_xlsform.xlsx"}


@dataclass(frozen=True)
class FieldForm:
    form_id: str
    version: str
    title: str
    xml: bytes
    instrument: Instrument | None  # None: a case-intake form, stored but not scored

    @property
    def md5(self) -> str:
        return hashlib.md5(self.xml, usedforsecurity=False).hexdigest()


def _from_xml(xml: str, instrument: Instrument | None) -> FieldForm:
    data = xml.encode("utf-8")
    root = ElementTree.fromstring(data)
    ns = {"h": "http://www.w3.org/1999/xhtml", "x": "http://www.w3.org/2002/xforms"}
    title = root.findtext("h:head/h:title", default="", namespaces=ns)
    instance = root.find("h:head/x:model/x:instance", ns)
    main = next(iter(instance)) if instance is not None else None
    if main is None:
        raise ValueError("an XForm without a main instance")
    return FieldForm(main.get("id", ""), main.get("version", ""), title, data, instrument)


@cache
def field_forms() -> dict[str, FieldForm]:
    forms = {}
    for instrument in catalogue.instruments().values():
        form = _from_xml(xlsform.xform(xlsform.workbook(instrument)), instrument)
        forms[form.form_id] = form
    for form_id, filename in INTAKE_FORMS.items():
        form = _from_xml(xlsform.xform(str(DIRECTORY / filename)), None)
        forms[form_id] = form
    return forms


def xlsform_of(form_id: str) -> bytes:
    """The XLSForm workbook behind a form, for teams that deploy on their own server."""
    if form_id in INTAKE_FORMS:
        return (DIRECTORY / INTAKE_FORMS[form_id]).read_bytes()
    return xlsform.workbook(catalogue.get(form_id))


@dataclass(frozen=True)
class ExternalForm:
    """A field form an app above screening offers (complaints): its XLSForm is
    built per request, as its choices change, and its submissions go to the
    app's own `receive`, never into the screening submissions and their
    review queue."""

    form_id: str
    xlsform: Callable[[Any], bytes]  # the user -> the .xlsx
    receive: Callable[..., Any]  # (user=, parsed=, attachments=) -> Received
    version: Callable[[Any], str]  # the user -> the version the .xlsx would carry (cheap)


_EXTERNAL: dict[str, ExternalForm] = {}
# Built forms by (form id, version): turning an XLSForm into an XForm takes pyxform
# a while, and every form list, download and submission asks for them.
_BUILT: dict[tuple[str, str], FieldForm] = {}


def register_external(form: ExternalForm) -> None:
    _EXTERNAL[form.form_id] = form


def external(form_id: str) -> ExternalForm | None:
    return _EXTERNAL.get(form_id)


def offered(user: Any) -> dict[str, FieldForm]:
    """Every form for this user's device: the instruments', the intake forms, and
    the other apps' forms as built for them now."""
    built = {}
    for form_id, form in _EXTERNAL.items():
        key = (form_id, form.version(user))
        if key not in _BUILT:
            _BUILT[key] = _from_xml(xlsform.xform(form.xlsform(user), form_id), None)
        built[form_id] = _BUILT[key]
    return {**field_forms(), **built}


def xlsform_for(form_id: str, user: Any) -> bytes:
    form = _EXTERNAL.get(form_id)
    return form.xlsform(user) if form else xlsform_of(form_id)
