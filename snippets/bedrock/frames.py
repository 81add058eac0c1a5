"""Read Bedrock's stream as bytes and take its first frames apart by hand."""

import base64
import json
import struct
import zlib

from anthropic import AnthropicBedrock

client = AnthropicBedrock()

with client.messages.with_streaming_response.create(
    model="anthropic.claude-sonnet-4-6",
    max_tokens=1024,
    messages=[
        {
            "role": "user",
            "content": "In two sentences: why do chat apps stream replies?",
        }
    ],
    extra_body={"anthropic_version": "bedrock-2023-05-31"},
    stream=True,
) as response:
    print(response.headers["content-type"])
    body = b"".join(response.iter_bytes())  # the raw frames, undecoded

# --8<-- [start:frame]
offset = 0
for _ in range(2):  # the first two frames
    total, headers_length = struct.unpack_from(">II", body, offset)
    frame = body[offset : offset + total]
    crc_ok = zlib.crc32(frame[:8]) == int.from_bytes(frame[8:12])
    print(f"frame: {total} bytes, headers {headers_length} bytes, ", end="")
    print(f"prelude CRC ok: {crc_ok}")
    at = 12
    while at < 12 + headers_length:  # name, type 7 (string), value
        name_length = frame[at]
        name = frame[at + 1 : at + 1 + name_length].decode()
        at += 1 + name_length + 1  # the type byte
        (value_length,) = struct.unpack_from(">H", frame, at)
        value = frame[at + 2 : at + 2 + value_length].decode()
        at += 2 + value_length
        print(f"  {name}: {value}")
    payload = json.loads(frame[at:-4])  # {"bytes": "<base64>"}
    print(f"  payload: {json.dumps(payload)[:60]}...")
    print(f"  event: {base64.b64decode(payload['bytes']).decode()[:66]}...")
    offset += total
# --8<-- [end:frame]
print(f"{len(body)} bytes in all")
