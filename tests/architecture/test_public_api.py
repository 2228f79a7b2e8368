import veil

EXPECTED = {
    "CustomEntity",
    "EntityType",
    "Finding",
    "Span",
    "VeilError",
}


def test_public_names_are_pinned() -> None:
    public = {n for n in dir(veil) if not n.startswith("_")} - {
        # subpackages and modules become attributes once imported
        "core", "errors", "config", "detect", "ingest", "pipeline", "evaluation", "interfaces",
        "transform", "vault", "storage", "testing",
    }  # fmt: skip
    assert public == EXPECTED
