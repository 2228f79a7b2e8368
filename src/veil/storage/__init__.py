"""Persistence: SQLAlchemy models and repositories. SQLite by default, PostgreSQL by URL.

Storage moves opaque bytes. It never encrypts, never sees a key in clear and never
imports ``veil.vault``; the vault above it decides what the bytes mean.
"""

from veil.storage.audit import CheckpointLedger as CheckpointLedger
from veil.storage.consents import ConsentStore as ConsentStore
from veil.storage.database import checkpoint as checkpoint
from veil.storage.database import migrate as migrate
from veil.storage.database import open_engine as open_engine
from veil.storage.ledger import ErasureLedger as ErasureLedger
from veil.storage.repository import KeyRecord as KeyRecord
from veil.storage.repository import Rewrapped as Rewrapped
from veil.storage.repository import Store as Store
from veil.storage.repository import TokenEntry as TokenEntry
from veil.storage.rights import RetentionStore as RetentionStore
from veil.storage.staff import StaffStore as StaffStore
from veil.storage.turns import StoredTurn as StoredTurn
from veil.storage.turns import TurnStore as TurnStore
