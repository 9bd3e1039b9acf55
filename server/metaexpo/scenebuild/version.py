"""The scene builder's version: part of every built scene's identity.

Scenes are rebuilt when the catalog's fingerprint *or* this number changes.
Bump it whenever a change to the builder changes the GLBs it writes (shapes,
colours, node layout, packing), so servers rebuild on their next start.
"""

from __future__ import annotations

#: Increase by one for every change to the built output.
BUILDER_VERSION = 4
