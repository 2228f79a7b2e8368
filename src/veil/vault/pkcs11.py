"""A KEK provider backed by a PKCS#11 token (an HSM, or SoftHSM2 in tests).

KEKs are AES-256 secret keys on the token, all labelled ``key_label``; the key's
``CKA_ID`` holds its version as ASCII digits. They are created sensitive and
non-extractable, so KEK bytes never leave the token: data keys are wrapped and
unwrapped inside it with AES key wrap (RFC 3394, ``CKM_AES_KEY_WRAP``). The unwrapped
data key exists on the token only as a session object, destroyed right after use.

``python-pkcs11`` is imported lazily so that deployments without an HSM need not
install it.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, cast

from veil.errors import ConfigurationError, IntegrityError, VaultError
from veil.vault import _hazmat
from veil.vault.keys import KekRef

if TYPE_CHECKING:
    import pkcs11
    from pkcs11.types import Key, Object, UnwrapMixin, WrapMixin

__all__ = ["Pkcs11KeyProvider"]


class Pkcs11KeyProvider:
    """KEKs held by a PKCS#11 token. Opens one logged-in session on first use."""

    def __init__(self, lib_path: str, token_label: str, pin: str, key_label: str) -> None:
        self.lib_path = lib_path
        self.token_label = token_label
        self.key_label = key_label
        self._pin = pin
        self._lock = threading.RLock()
        self._session: pkcs11.Session | None = None
        self._keys: dict[KekRef, Object] | None = None

    def __repr__(self) -> str:
        return f"Pkcs11KeyProvider(token={self.token_label!r}, key={self.key_label!r})"

    def _open(self) -> pkcs11.Session:
        if self._session is None:
            try:
                import pkcs11
            except ImportError:
                raise ConfigurationError(
                    "the HSM provider needs python-pkcs11: pip install python-pkcs11"
                ) from None
            try:
                token = pkcs11.lib(self.lib_path).get_token(token_label=self.token_label)
                try:
                    self._session = token.open(user_pin=self._pin, rw=True)
                except pkcs11.exceptions.UserAlreadyLoggedIn:
                    # PKCS#11 logins are per process: another provider on this token
                    # already logged in, and every new session shares that state.
                    self._session = token.open(rw=True)
            except (pkcs11.PKCS11Error, RuntimeError, OSError) as exc:
                raise VaultError(f"cannot open PKCS#11 token: {type(exc).__name__}") from None
        return self._session

    def _material(self) -> dict[KekRef, Object]:
        from pkcs11 import Attribute, KeyType, ObjectClass

        with self._lock:
            if self._keys is None:
                session = self._open()
                found: dict[KekRef, Object] = {}
                for obj in session.get_objects(
                    {
                        Attribute.CLASS: ObjectClass.SECRET_KEY,
                        Attribute.KEY_TYPE: KeyType.AES,
                        Attribute.LABEL: self.key_label,
                    }
                ):
                    raw_id = obj[Attribute.ID]
                    if isinstance(raw_id, bytes) and raw_id.isdigit():
                        found[KekRef(self.key_label, int(raw_id))] = obj
                self._keys = found
            return self._keys

    def keks(self) -> Sequence[KekRef]:
        keys = self._material()
        if not keys:
            raise VaultError(f"no KEK labelled {self.key_label!r} on the token; call add_kek()")
        return tuple(sorted(keys, key=lambda k: k.version, reverse=True))

    def add_kek(self) -> KekRef:
        """Generate a new non-extractable AES-256 KEK on the token and make it newest."""
        from pkcs11 import Attribute, KeyType

        with self._lock:
            keys = self._material()
            version = max((k.version for k in keys), default=0) + 1
            ref = KekRef(self.key_label, version)
            template: dict[Any, Any] = {
                Attribute.SENSITIVE: True,
                Attribute.EXTRACTABLE: False,
                Attribute.WRAP: True,
                Attribute.UNWRAP: True,
            }
            keys[ref] = self._open().generate_key(
                KeyType.AES,
                256,
                label=self.key_label,
                id=str(version).encode("ascii"),
                store=True,
                template=template,
            )
            return ref

    def _kek(self, kek: KekRef) -> Object:
        key = self._material().get(kek)
        if key is None:
            raise VaultError(f"KEK {kek.id} v{kek.version} is not available")
        return key

    def wrap(self, kek: KekRef, key: bytes) -> bytes:
        from pkcs11 import Attribute, KeyType, Mechanism, ObjectClass, PKCS11Error

        if len(key) != _hazmat.KEY_BYTES:
            raise IntegrityError("sealed data failed to open")
        with self._lock:
            wrapping = self._kek(kek)
            temp = self._open().create_object(
                {
                    Attribute.CLASS: ObjectClass.SECRET_KEY,
                    Attribute.KEY_TYPE: KeyType.GENERIC_SECRET,
                    Attribute.VALUE: key,
                    Attribute.TOKEN: False,
                    Attribute.SENSITIVE: False,
                    Attribute.EXTRACTABLE: True,
                }
            )
            try:
                kek_obj = cast("WrapMixin", wrapping)
                return bytes(kek_obj.wrap_key(cast("Key", temp), mechanism=Mechanism.AES_KEY_WRAP))
            except PKCS11Error as exc:
                raise VaultError(f"HSM refused to wrap: {type(exc).__name__}") from None
            finally:
                temp.destroy()

    def unwrap(self, kek: KekRef, wrapped: bytes) -> bytes:
        from pkcs11 import Attribute, KeyType, Mechanism, ObjectClass, PKCS11Error

        with self._lock:
            wrapping = self._kek(kek)
            try:
                temp = cast("UnwrapMixin", wrapping).unwrap_key(
                    ObjectClass.SECRET_KEY,
                    KeyType.GENERIC_SECRET,
                    wrapped,
                    mechanism=Mechanism.AES_KEY_WRAP,
                    store=False,
                    template={Attribute.SENSITIVE: False, Attribute.EXTRACTABLE: True},
                )
            except PKCS11Error:
                # RFC 3394's integrity check failed (or the blob is malformed).
                raise IntegrityError("sealed data failed to open") from None
            try:
                value = temp[Attribute.VALUE]
            finally:
                temp.destroy()
        if not isinstance(value, bytes) or len(value) != _hazmat.KEY_BYTES:
            raise IntegrityError("sealed data failed to open")
        return value

    def close(self) -> None:
        """Close the session (logging out if this provider logged in, which ends the
        login for every session of this process); the provider reopens on next use."""
        with self._lock:
            if self._session is not None:
                self._session.close()
            self._session = None
            self._keys = None
