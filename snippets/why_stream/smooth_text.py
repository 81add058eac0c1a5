"""Show streamed text at an even pace, however unevenly it arrives."""

import asyncio
from collections.abc import AsyncIterator

import anthropic

client = anthropic.AsyncAnthropic()

# --8<-- [start:smooth]
FRAME = 1 / 60  # seconds between two updates of the screen
SLOWEST = 200  # characters a second, when little is waiting
CATCH_UP = 0.5  # the pace for a backlog: what waits, over this many seconds


async def show_smoothly(pieces: AsyncIterator[str]) -> None:
    """Print the text a few characters a frame, not a piece at a time."""
    waiting = ""

    async def read() -> None:
        nonlocal waiting
        async for piece in pieces:
            waiting += piece

    reader = asyncio.create_task(read())
    while not reader.done() or waiting:
        # Faster when more is waiting, so the screen never lags far behind.
        count = round(max(SLOWEST, len(waiting) / CATCH_UP) * FRAME)
        print(waiting[:count], end="", flush=True)
        waiting = waiting[count:]
        await asyncio.sleep(FRAME)
    await reader  # raises here if the stream failed


# --8<-- [end:smooth]


async def main() -> None:
    async with client.messages.stream(
        model="claude-sonnet-5-5",
        max_tokens=1024,
        messages=[{"role": "user", "content": "What is a CDN, in brief?"}],
    ) as stream:
        await show_smoothly(stream.text_stream)
    print()


if __name__ == "__main__":
    asyncio.run(main())
