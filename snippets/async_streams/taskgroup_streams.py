"""Streams in a TaskGroup; each task handles its own stream's failure."""

import asyncio

import anthropic

client = anthropic.AsyncAnthropic()

LANGUAGES = ["Japanese", "Finnish", "Swahili"]


async def translate(language: str) -> str:
    try:
        async with client.messages.stream(
            model="claude-sonnet-5-5",
            max_tokens=256,
            messages=[
                {
                    "role": "user",
                    "content": f"'Thank you' in {language}? Reply briefly.",
                }
            ],
        ) as stream:
            return await stream.get_final_text()
    # Caught here, inside the task: an exception that escaped would make the
    # TaskGroup cancel the other streams.
    except anthropic.APIStatusError as error:  # an HTTP error, an error event
        return f"[failed: {error.type}]"
    except anthropic.APIConnectionError as error:
        # no connection, or one that broke or stalled mid-stream (SDK 2.17.0
        # and later; before, mid-stream failures were httpx2.TransportError)
        return f"[failed: {type(error).__name__}]"


async def main() -> None:
    async with asyncio.TaskGroup() as group:
        tasks = [group.create_task(translate(lang)) for lang in LANGUAGES]
    # Leaving the block waited for every task: all results are ready.
    for language, task in zip(LANGUAGES, tasks, strict=True):
        print(f"{language}: {task.result()}")


asyncio.run(main())
