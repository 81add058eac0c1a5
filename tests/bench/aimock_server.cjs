// aimock (@copilotkit/aimock, installed in the folder AIMOCK_DIR names) serving the fixtures in
// the JSON file given as the argument; prints its address, stops when its stdin closes.
// Started by tests/bench/aimock.py.
const { createRequire } = require("node:module");
const { readFileSync } = require("node:fs");
const path = require("node:path");

const { LLMock } = createRequire(path.join(process.env.AIMOCK_DIR, "package.json"))(
  "@copilotkit/aimock",
);

async function main() {
  const mock = new LLMock({ port: 0 });
  mock.addFixtures(JSON.parse(readFileSync(process.argv[2], "utf8")));
  console.log(await mock.start());
  process.stdin.resume();
  process.stdin.on("end", async () => {
    await mock.stop();
    process.exit(0);
  });
}

main();
