"""Stream a reply with the async client."""

import asyncio

import anthropic

client = anthropic.AsyncAnthropic()  # reads the same variables as Anthropic()


async def main() -> None:
    async with client.messages.stream(
        model="claude-sonnet-5-5",
        max_tokens=1024,
        messages=[
            {
                "role": "user",
                "content": "In one sentence: what does async/await buy you?",
            }
        ],
    ) as stream:
        async for text in stream.text_stream:  # awaits each piece
            print(text, end="", flush=True)
        message = await stream.get_final_message()  # helpers are awaited
    print()
    print(f"stop_reason={message.stop_reason}")


asyncio.run(main())
