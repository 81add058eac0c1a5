// Stream a reply and print its text as it arrives.
import Anthropic from "@anthropic-ai/sdk";

// Reads ANTHROPIC_API_KEY, and ANTHROPIC_BASE_URL when it is set.
const client = new Anthropic();

// --8<-- [start:stream]
const stream = client.messages.stream({
  model: "claude-sonnet-5-5",
  max_tokens: 1024,
  messages: [
    {
      role: "user",
      content: "In two sentences: why do chat apps stream replies?",
    },
  ],
});
stream.on("text", (text) => process.stdout.write(text)); // each piece
const message = await stream.finalMessage(); // the whole message, assembled
// --8<-- [end:stream]

console.log();
console.log(`stop_reason=${message.stop_reason}`);
console.log(`output_tokens=${message.usage.output_tokens}`);
