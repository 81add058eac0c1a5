"""The SDK's tool runner: the tool loop, each reply streamed (beta)."""

import anthropic
from anthropic import beta_tool

client = anthropic.Anthropic()


@beta_tool
def get_weather(city: str) -> str:
    """The current weather in a city.

    Args:
        city: The city's name.
    """
    return {"Lisbon": "19 °C, sunny"}.get(city, "unknown")


# --8<-- [start:runner]
runner = client.beta.messages.tool_runner(
    model="claude-sonnet-5-5",
    max_tokens=1024,
    tools=[get_weather],
    messages=[{"role": "user", "content": "Is it warm in Lisbon right now?"}],
    stream=True,  # each iteration is a stream, not a finished message
    thread=False,  # send the whole history each time (no server thread)
)
for number, stream in enumerate(runner, start=1):
    print(f"--- request {number}")
    for event in stream:
        if event.type == "text":
            print(event.text, end="", flush=True)
        elif event.type == "content_block_stop":
            block = stream.current_message_snapshot.content[event.index]
            if block.type == "tool_use":  # the runner calls it after the reply
                print(f"\n[{block.name}({block.input})]", end="")
    print(f"\n[{stream.get_final_message().stop_reason}]")
# --8<-- [end:runner]
