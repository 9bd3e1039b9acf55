"""The node layout contract between these GLBs and the browser client.

Kept in one place because the client, the tests and the README all depend on
these numbers. Units are metres; +Y is up; an avatar faces -Z (like a three.js
camera), so its right hand is on +X.
"""

from __future__ import annotations

#: Name of the scene's single root node; feet at its origin.
ROOT_NODE = "avatar"
#: The root's children, in node order. Nothing else is in the scene.
PARTS = ("head", "body", "hand_left", "hand_right")
#: Bumped when the layout contract changes incompatibly (root ``extras.version``).
LAYOUT_VERSION = 1

#: Head node: at eye height; its mesh is centred on it (the VR head pose goes here).
HEAD_REST = (0.0, 1.6, 0.0)
#: Body node: at the avatar origin; its mesh stands on y = 0 in avatar space.
BODY_REST = (0.0, 0.0, 0.0)
#: Hand nodes: beside the hips at rest; meshes centred on them (VR grip poses go here).
HAND_LEFT_REST = (-0.3, 0.92, -0.04)
HAND_RIGHT_REST = (0.3, 0.92, -0.04)

REST_TRANSLATIONS: dict[str, tuple[float, float, float]] = {
    "head": HEAD_REST,
    "body": BODY_REST,
    "hand_left": HAND_LEFT_REST,
    "hand_right": HAND_RIGHT_REST,
}

#: Triangle budget for one avatar, all parts together (200 visible in one batch).
MAX_TRIANGLES = 800
