"""PROTECTION.md 5: every field of every Salama model has a sensitivity class."""

from django.apps import apps

from salama.registry.sensitivity import (
    FIELD_SENSITIVITY,
    HIGHLY_SENSITIVE,
    PERSONAL,
    PUBLIC,
    SENSITIVE,
)

CLASSES = {PUBLIC, PERSONAL, SENSITIVE, HIGHLY_SENSITIVE}


def test_every_field_has_a_class():
    missing = []
    for model in apps.get_models():
        if not model.__module__.startswith("salama."):
            continue
        label = f"{model._meta.app_label}.{model.__name__}"
        declared = FIELD_SENSITIVITY.get(label, {})
        for field in model._meta.get_fields():
            if field.auto_created and not field.concrete:
                continue  # reverse relations belong to the other model
            if declared.get(field.name) not in CLASSES:
                missing.append(f"{label}.{field.name}")
    assert missing == []


def test_no_class_is_declared_for_a_field_that_does_not_exist():
    stale = []
    for label, fields in FIELD_SENSITIVITY.items():
        model = apps.get_model(label)
        names = {f.name for f in model._meta.get_fields()}
        stale += [f"{label}.{name}" for name in fields if name not in names]
    assert stale == []
