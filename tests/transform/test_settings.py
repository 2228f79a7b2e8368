import pytest

from veil.core import EntityType
from veil.errors import ConfigurationError
from veil.transform.settings import (
    GeneralizeAge,
    GeneralizePostcode,
    Hash,
    Mask,
    Scope,
    Surrogate,
    Tag,
    TransformSettings,
)

E = EntityType


@pytest.mark.parametrize(
    "make",
    [
        lambda: Tag("{entity}_{n}"),  # not delimited
        lambda: Tag("[{entity}_{n}"),
        lambda: Tag("[{entity}]"),  # neither {n} nor {h}
        lambda: Tag("[{entity}_{n}_{h}]"),
        lambda: Tag("[{entity}_{x}]"),
        lambda: Tag("[{entity}_{n}}]"),
        lambda: Tag(hash_chars=2),
        lambda: Hash(length=4),
        lambda: Hash(format="<{hash}>"),
        lambda: Mask(char="ab"),
        lambda: Mask(char="x"),
        lambda: Mask(keep_last=-1),
        lambda: Surrogate(date_shift_days=0),
        lambda: GeneralizeAge(width=0),
        lambda: GeneralizePostcode(keep=0),
        lambda: TransformSettings(rules=((E.EMAIL, Mask()), (E.EMAIL, Tag()))),
    ],
)
def test_invalid_settings_are_refused(make: object) -> None:
    with pytest.raises(ConfigurationError):
        make()  # type: ignore[operator]


def test_rules_and_defaults() -> None:
    cfg = TransformSettings.of(
        {E.EMAIL: Mask(), E.PERSON: Surrogate()}, default=Hash(), scope=Scope.TENANT
    )
    assert cfg.operator_for(E.EMAIL) == Mask()
    assert cfg.operator_for(E.PHONE) == Hash()
    assert cfg.scope is Scope.TENANT
    assert cfg.token_formats() == ("[{entity}_{n}]", "<{entity}:{hash}>")
    hash(cfg)  # frozen, usable as a cache key


def test_valid_formats() -> None:
    assert Tag("<{entity}_{n}>").format == "<{entity}_{n}>"
    assert Tag("{{{entity}-{h}}}".replace("{{{", "⟦{").replace("}}}", "}⟧")).hash_chars == 4
