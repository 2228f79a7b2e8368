import inspect

import veil

EXPECTED = {
    "Analyzer",
    "CustomEntity",
    "DetectionSettings",
    "EntityType",
    "Finding",
    "Protected",
    "Span",
    "SubjectForgottenError",
    "TransformSettings",
    "Veil",
    "VeilError",
}


def test_public_names_are_pinned() -> None:
    exported = {
        name
        for name, value in vars(veil).items()
        if not name.startswith("_") and not inspect.ismodule(value)
    }
    assert exported == EXPECTED
    assert set(veil.__all__) == EXPECTED


def test_exported_members_say_they_are_veils() -> None:
    for name in veil.__all__:
        assert getattr(veil, name).__module__.startswith("veil."), name
