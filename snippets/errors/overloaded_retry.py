"""HTTP 529 before the stream starts: raised at once, or retried for you."""

import anthropic

client = anthropic.Anthropic()  # max_retries=2 by default


def stream_reply(client: anthropic.Anthropic) -> None:
    # with_raw_response gives the HTTP response around the stream: it
    # says how many retries the SDK made before one succeeded.
    response = client.messages.with_raw_response.create(
        model="claude-sonnet-5-5",
        max_tokens=256,
        messages=[
            {
                "role": "user",
                "content": "Suggest a name for a bakery run by two cats.",
            }
        ],
        stream=True,
    )
    retries = response.retries_taken
    print(f"HTTP {response.status_code} (retries taken: {retries})")
    with response.parse() as stream:
        for event in stream:
            if (
                event.type == "content_block_delta"
                and event.delta.type == "text_delta"
            ):
                print(event.delta.text, end="", flush=True)
    print()


# Retries off: the first 529 reaches your code as an OverloadedError.
try:
    stream_reply(client.with_options(max_retries=0))
except anthropic.OverloadedError as error:
    print(f"{type(error).__name__}: HTTP {error.status_code}, {error.type}")

# Retries on (the default): the SDK waits, then sends the request again.
stream_reply(client)
