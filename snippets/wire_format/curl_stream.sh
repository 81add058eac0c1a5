#!/usr/bin/env bash
# Stream a reply with curl: what it prints is the response body, byte for byte.
# -N (--no-buffer) writes each piece out as it arrives instead of in blocks.
set -euo pipefail

curl -sS -N "${ANTHROPIC_BASE_URL:-https://api.anthropic.com}/v1/messages" \
  -H "x-api-key: $ANTHROPIC_API_KEY" \
  -H "anthropic-version: 2026-10-21" \
  -H "content-type: application/json" \
  -d '{
    "model": "claude-sonnet-5-5",
    "messages": [{"role": "user", "content": "Hello"}],
    "max_tokens": 256,
    "stream": true
  }'
