"""One handler for both places a stream can fail, told apart by status."""

import anthropic

client = anthropic.Anthropic()

pieces = 0
try:
    with client.messages.stream(
        model="claude-sonnet-5-5",
        max_tokens=1024,
        messages=[
            {
                "role": "user",
                "content": "Explain what a hash table is in one paragraph.",
            }
        ],
    ) as stream:
        for text in stream.text_stream:
            print(text, end="", flush=True)
            pieces += 1
except anthropic.APIStatusError as error:
    # error.type is the API's error type, wherever the error came from.
    if error.status_code == 200:
        # An `error` event: the response had started, so the SDK did not
        # retry. The text that came before it is already printed.
        where = f"during the stream, after {pieces} text pieces"
    else:
        # An HTTP error before any event, raised after the SDK's retries.
        where = "before the stream"
    if pieces:
        print()  # end the line of text
    print(f"[{error.type} {where}]")
    print(f"[{type(error).__name__}, HTTP {error.status_code}]")
