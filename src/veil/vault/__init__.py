"""The vault stage: personal values sealed per data subject, and forgotten on request.

Takes values and their :class:`Binding`, returns opaque envelopes (and back). It never
detects, never logs a value, and is the only package that touches cryptographic
primitives (through ``veil.vault._hazmat``). The HSM provider lives in
``veil.vault.pkcs11`` so that importing the vault does not need python-pkcs11.
"""

from veil.vault.envelope import Binding as Binding
from veil.vault.keys import EnvKeyProvider as EnvKeyProvider
from veil.vault.keys import KekRef as KekRef
from veil.vault.keys import KeyProvider as KeyProvider
from veil.vault.keys import LocalKeyFile as LocalKeyFile
from veil.vault.signing import CheckpointSigner as CheckpointSigner
from veil.vault.signing import verify_signature as verify_signature
from veil.vault.vault import DEFAULT_MAX_SEALS as DEFAULT_MAX_SEALS
from veil.vault.vault import Vault as Vault
