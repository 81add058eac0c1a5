"""Cancel the asyncio task that streams: async with closes the stream."""

import asyncio

import anthropic

client = anthropic.AsyncAnthropic()


async def stream_reply(pieces: asyncio.Queue[str]) -> None:
    async with client.messages.stream(
        model="claude-sonnet-5-5",
        max_tokens=2048,
        messages=[
            {
                "role": "user",
                "content": "Tell a short story about a lighthouse keeper.",
            }
        ],
    ) as stream:
        async for text in stream.text_stream:
            await pieces.put(text)  # waits while the reader is behind


async def main() -> None:
    # main() plays a chat window: it shows the pieces, and has a Stop button
    pieces: asyncio.Queue[str] = asyncio.Queue(maxsize=1)
    task = asyncio.create_task(stream_reply(pieces))
    shown = ""
    while "." not in shown:  # the user presses Stop after one sentence
        piece = await pieces.get()
        print(piece, end="", flush=True)
        shown += piece
    task.cancel()  # raises CancelledError in the task, where it waits
    await asyncio.wait([task])  # let it run its async with exit: the close
    print(f"\n[task cancelled: {task.cancelled()}]")


asyncio.run(main())
