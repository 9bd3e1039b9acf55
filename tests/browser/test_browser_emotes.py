"""Living avatars: one page's wave, clap and thumbs-up play on another page's avatar of it,
and a walking avatar swings its hands while a standing one does not."""

from __future__ import annotations

import pytest
from playwright.sync_api import BrowserContext

from tests.browser.support import expo, open_client, wait_until
from tests.live import ServerProcess

pytestmark = pytest.mark.browser

#: The watched avatar as the watcher draws it, once it plays `emote` (else false).
PLAYING = """([id, emote]) => {
  const a = __expo.avatars.find((v) => v.id === id);
  return a && a.motion.emote === emote ? a : false;
}"""


def test_emotes_reach_another_page_and_raise_the_avatars_hands(
    context: BrowserContext, server: ServerProcess
) -> None:
    alice = open_client(context, server.http, "Alice")
    bob = open_client(context, server.http, "Bob")
    alice_id = expo(alice, "__expo.id")
    alice.evaluate("__expoTest.setPose(2, 1.6, 14, 0, 0)")
    bob.evaluate("__expoTest.setPose(2, 1.6, 18, 0, 0)")
    rest = wait_until(bob, "id => __expo.avatars.find((a) => a.id === id && a.state > 0)", alice_id)
    assert rest["motion"]["emote"] is None
    head_y = rest["head"]["position"][1]
    assert rest["hands"]["right"]["position"][1] < head_y - 0.5, "hands hang at rest"

    alice.click("#emote-wave")
    wait_until(bob, PLAYING, [alice_id, "wave"])
    # The hand rises over the first quarter second of the wave: wait for it, not for a time.
    wait_until(
        bob,
        """([id, headY]) => { const a = __expo.avatars.find((v) => v.id === id);
          return a && a.motion.emote === 'wave' && a.hands.right.position[1] > headY; }""",
        [alice_id, head_y],
        what="a wave raises the right hand above the head",
    )

    # The keyboard: 2 claps (after the one-second pause between emotes).
    alice.locator("#scene").focus()
    wait_until(alice, "!document.querySelector('#emote-wave').hasAttribute('aria-disabled')")
    alice.keyboard.press("Digit2")
    clap = wait_until(bob, PLAYING, [alice_id, "clap"])
    assert clap["id"] == alice_id
    assert not alice.errors and not bob.errors  # type: ignore[attr-defined]


def test_a_walking_avatar_swings_and_a_standing_one_does_not(
    context: BrowserContext, server: ServerProcess
) -> None:
    walker = open_client(context, server.http, "Walker")
    watcher = open_client(context, server.http, "Watcher")
    walker_id = expo(walker, "__expo.id")
    walker.evaluate("__expoTest.setPose(-6, 1.6, 20, 0, 0)")
    watcher.evaluate("__expoTest.setPose(-6, 1.6, 26, 0, 0)")
    standing = wait_until(
        watcher, "id => __expo.avatars.find((a) => a.id === id && a.state > 0)", walker_id
    )
    assert standing["motion"]["speed"] == 0
    walker.bring_to_front()
    walker.locator("#scene").focus()
    walker.keyboard.down("KeyW")
    try:
        walking = wait_until(
            watcher,
            "id => { const a = __expo.avatars.find((v) => v.id === id);"
            " return a && a.motion.speed > 0.8 ? a : false; }",
            walker_id,
        )
    finally:
        walker.keyboard.up("KeyW")
    assert walking["motion"]["emote"] is None
    wait_until(
        watcher,
        "id => __expo.avatars.find((a) => a.id === id && a.motion.speed === 0)",
        walker_id,
    )
