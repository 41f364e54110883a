/// Core's users see the shared support types (JSON values, the seeded RNG, atomic files, SHA-256) with it.
@_exported import MLANSupport
