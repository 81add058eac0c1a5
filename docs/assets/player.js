// The stream player: plays a recorded stream in the page as a client receives it.
//
// A page places one with <div class="stream-player" data-src="../players/x/y.json"
// data-title="..."></div>; site.js loads this file and player.css only on such a page, and the
// data is fetched only then. The data (written from recordings/ by stream_replay/_player.py)
// is the response status and the body's byte chunks with their arrival times, exactly as the
// replay server sends them, faults included. The chunks are parsed as a client parses them
// (an event counts only at its blank line), and the message assembled as the Python SDK does.
//
// It opens on a poster: the stream's shape and its final message, greyed. It plays at a pace
// that lasts about PACE seconds whatever the recording's length (real time is one choice
// away). A timeline picture of the same stream just before the player (figure.picture, drawn
// by stream_replay/_timeline_svg.py) becomes its track. "What if" replays the same bytes as a
// buffering proxy, a stall or a dropped connection would deliver them, computed here.
(() => {
  "use strict";

  const HERE = document.currentScript ? document.currentScript.src : location.href;
  const PACE = 7; // seconds: the default playing time of any recording
  const ICONS = {
    play: "M8 5v14l11-7z",
    pause: "M6 5h4v14H6zm8 0h4v14h-4z",
    start: "M6 5h2v14H6zm3.5 7L18 5v14z",
  };
  const MOTION = matchMedia("(prefers-reduced-motion: reduce)");
  const TOUCH = matchMedia("(hover: none) and (pointer: coarse)");
  const SVG = "http://www.w3.org/2000/svg";

  function el(tag, className, ...children) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    node.append(...children.filter((child) => child !== null && child !== undefined));
    return node;
  }
  function icon(name) {
    const svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    svg.innerHTML = `<path d="${ICONS[name]}"/>`;
    return svg;
  }
  function button(label, name, action) {
    const node = el("button", "sp-button", icon(name));
    node.type = "button";
    node.setAttribute("aria-label", label);
    node.addEventListener("click", action);
    return node;
  }
  const seconds = (t, digits = 2) => `${t.toFixed(digits)} s`;
  const clip = (text, size) => (text.length > size ? `${text.slice(0, size - 1)}…` : text);
  const last = (list) => list[list.length - 1];

  // A line of JSON as text pieces with a break opportunity (<wbr>) after each comma and opening
  // bracket. (A lookbehind in the pattern would be shorter, but Safari before 16.4 cannot parse it.)
  function breakable(text) {
    const parts = text.split(/([,{[])/);
    const pieces = [];
    for (let i = 0; i < parts.length; i += 2) pieces.push(parts[i] + (parts[i + 1] || ""));
    return pieces.filter(Boolean).flatMap((piece, i) => (i ? [el("wbr"), piece] : [piece]));
  }

  // ---------------------------------------------------------------- the data, checked

  function bytesOf(chunk) {
    if (typeof chunk.text === "string") return new TextEncoder().encode(chunk.text);
    return Uint8Array.from(atob(chunk.base64), (c) => c.charCodeAt(0));
  }

  function check(data) {
    const time = (t) => typeof t === "number" && isFinite(t) && t >= 0;
    const base64 = (text) => {
      try {
        return typeof text === "string" && atob(text) !== undefined;
      } catch (error) {
        return false;
      }
    };
    let previous = 0;
    const ok = data && typeof data === "object" && data.format === 1 &&
      Number.isInteger(data.status) && time(data.at) &&
      (typeof data.body === "string" || Array.isArray(data.chunks)) &&
      (data.chunks || []).every((chunk) => {
        const fine = chunk && time(chunk.at) && chunk.at >= previous &&
          (typeof chunk.text === "string" || base64(chunk.base64));
        previous = fine ? chunk.at : previous;
        return fine;
      });
    if (!ok) throw new Error("it is not stream player data");
  }

  // ---------------------------------------------------------------- what if

  // The same bytes, delivered differently. Each returns the chunks ({at, bytes}) a client
  // would receive, whether the connection drops after them, and the read timeout, if any.
  // `spec` is the replay server's --fault spec that sends the same (stall and cut apply to
  // the data's steps, one event each, as the server's faults do).
  const FIELDS = { // [label, min, step] of each number a choice takes
    size: ["Bytes a chunk", 1, 1],
    stall: ["Seconds of the stall", 0, 0.1],
    at: ["Event number", 0, 1],
    timeout: ["Read timeout in seconds", 0.1, 0.1],
    piece: ["Bytes a piece", 1, 1],
    every: ["Seconds between pieces", 0, 0.01],
  };
  const WHAT_IF = {
    recorded: { label: "As recorded", make: (d) => ({ chunks: d.chunks, cut: d.cut }) },
    all: {
      label: "A buffering proxy passes it on all at once, at the end",
      make: (d) => ({ chunks: proxy(d.chunks, Infinity), cut: d.cut, spec: "buffer" }),
    },
    chunks: {
      label: "A proxy passes it on in chunks of {size} bytes",
      make: (d, { size }) => ({ chunks: proxy(d.chunks, size), cut: d.cut, spec: `buffer:${size}` }),
    },
    stall: {
      label: "It stalls for {stall} s before event {at}; the client's read timeout is {timeout} s",
      make: (d, { stall, at, timeout }) => ({
        chunks: d.chunks.map((c, i) => (i >= at - 1 ? { ...c, at: c.at + stall } : c)),
        cut: d.cut, timeout, spec: `stall:${at}:${stall}`,
      }),
    },
    drip: {
      label: "It trickles in, {piece} bytes at a time, {every} s apart",
      make: (d, { piece, every }) => ({ chunks: drip(d.chunks, piece, every), cut: d.cut,
        spec: `drip:${piece}:${every}` }),
    },
    error: {
      label: "An overloaded_error event comes after event {at}, and the stream ends",
      make: (d, { at }) => ({
        // The bytes the replay server sends (Python's json.dumps spacing included).
        chunks: [...d.chunks.slice(0, at), { at: at ? d.chunks[at - 1].at : 0, bytes: new TextEncoder().encode(
          'event: error\ndata: {"type": "error", "error": {"type": "overloaded_error", ' +
          '"message": "Overloaded"}}\n\n') }],
        cut: false, spec: `error:${at}`,
      }),
    },
    cut: {
      label: "The connection drops after event {at}, {mid}",
      make: (d, { at, mid }) => {
        const kept = d.chunks.slice(0, at);
        const next = d.chunks[at];
        if (mid && next) kept.push({ ...next, bytes: next.bytes.slice(0, next.bytes.length >> 1) });
        return { chunks: kept, cut: true, spec: `${mid ? "cut-mid" : "cut"}:${at}` };
      },
    },
  };

  // A proxy that buffers: it passes `size` bytes on as soon as it holds them (at the time the
  // last of them came), and the rest when the upstream response ends.
  function proxy(chunks, size) {
    const out = [];
    let held = new Uint8Array(0);
    for (const chunk of chunks) {
      const joined = new Uint8Array(held.length + chunk.bytes.length);
      joined.set(held);
      joined.set(chunk.bytes, held.length);
      held = joined;
      while (held.length >= size) {
        out.push({ at: chunk.at, bytes: held.slice(0, size) });
        held = held.slice(size);
      }
    }
    if (held.length) out.push({ at: last(chunks).at, bytes: held });
    return out;
  }

  // Each chunk's bytes `piece` at a time, each piece `every` seconds after the one before, as
  // a slow link delivers them (the replay server's drip).
  function drip(chunks, piece, every) {
    const out = [];
    for (const chunk of chunks) {
      for (let start = 0; start < chunk.bytes.length; start += piece) {
        out.push({ at: chunk.at + every * (out.length + 1), bytes: chunk.bytes.slice(start, start + piece) });
      }
    }
    return out;
  }

  // The chunks a client reads with a read timeout: after `timeout` seconds with nothing new
  // (from the headers on), it gives up; what came later never reaches it.
  function withTimeout(view, headersAt) {
    if (!(view.timeout > 0)) return view;
    let previous = headersAt;
    for (const [i, chunk] of view.chunks.entries()) {
      if (chunk.at - previous > view.timeout) {
        return { ...view, chunks: view.chunks.slice(0, i), timedOut: previous + view.timeout };
      }
      previous = chunk.at;
    }
    return view;
  }

  // ---------------------------------------------------------------- SSE, as a client reads it

  // Events from byte chunks, split on the raw bytes at a blank line (CRLF, LF or CR line
  // ends), then read field by field (WHATWG HTML 9.2.6). Each event notes the chunk that
  // completed it; `pending[i]` counts the bytes of an unfinished event held after chunk i.
  function parseStream(chunks) {
    const events = [];
    const pending = [];
    const decoder = new TextDecoder("utf-8", { ignoreBOM: true });
    let held = new Uint8Array(0);
    let lineStart = 0;
    chunks.forEach((chunk, index) => {
      const joined = new Uint8Array(held.length + chunk.bytes.length);
      joined.set(held);
      joined.set(chunk.bytes, held.length);
      held = joined;
      let position = lineStart;
      for (let i = position; i < held.length; i++) {
        const byte = held[i];
        if (byte !== 10 && byte !== 13) continue;
        if (byte === 13 && i + 1 === held.length) break; // perhaps the CR of a CRLF: wait
        const end = i + (byte === 13 && held[i + 1] === 10 ? 2 : 1);
        if (i === position) { // a blank line: the event is complete
          const event = readEvent(decoder.decode(held.subarray(0, end)), !events.length);
          if (event) events.push(Object.assign(event, { chunk: index, at: chunk.at }));
          held = held.slice(end);
          position = 0;
          i = -1;
        } else {
          position = end;
          i = end - 1;
        }
      }
      lineStart = position;
      pending.push(held.length);
    });
    return { events, pending };
  }

  function readEvent(text, first) {
    let name = "";
    const data = [];
    for (const line of (first ? text.replace(/^\ufeff/, "") : text).split(/\r\n|\r|\n/)) {
      if (!line || line[0] === ":") continue;
      const colon = line.indexOf(":");
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
      if (field === "event") name = value;
      else if (field === "data") data.push(value);
    }
    if (!data.length) return null; // a comment, or no data: no event is dispatched
    const event = { name: name || "message", data: data.join("\n") };
    try {
      event.json = JSON.parse(event.data);
    } catch (error) {
      event.json = null;
    }
    return event;
  }

  // ---------------------------------------------------------------- the message, as the SDK builds it

  // The state after the first `count` events: the message, its blocks by index, and how the
  // stream stands (complete at message_stop; failed at an `error` event or unreadable data,
  // where the SDK raises and reads no further).
  function assemble(events, count) {
    const state = { message: null, blocks: [], failure: null, complete: false };
    for (const [index, { name, json }] of events.slice(0, count).entries()) {
      if (!json || typeof json !== "object") {
        state.failure = ["unreadable event", "data: is not JSON; a client's parser fails here"];
      } else if (name === "error" || json.type === "error") {
        const error = json.error || {};
        state.failure = ["error event after 200 OK", `${error.type}: ${error.message}`];
      } else {
        apply(state, json);
      }
      if (state.failure) {
        state.failedAt = events[index].at;
        break;
      }
    }
    return state;
  }

  function apply(state, data) {
    const block = state.blocks[data.index];
    const delta = data.delta || {};
    const message = state.message;
    if (data.type === "message_start") {
      state.message = { ...data.message, usage: { ...(data.message || {}).usage } };
    } else if (data.type === "content_block_start") {
      const started = { ...data.content_block, open: true };
      if (/tool_use$/.test(started.type)) started.json = "";
      state.blocks[data.index] = started;
    } else if (data.type === "content_block_delta" && block) {
      if (delta.type === "text_delta") block.text = (block.text || "") + delta.text;
      else if (delta.type === "input_json_delta") block.json += delta.partial_json;
      else if (delta.type === "thinking_delta") block.thinking = (block.thinking || "") + delta.thinking;
      else if (delta.type === "signature_delta") block.signature = delta.signature;
      else if (delta.type === "citations_delta") block.citations = [...(block.citations || []), delta.citation];
    } else if (data.type === "content_block_stop" && block) {
      block.open = false;
      try {
        if (block.json) block.input = JSON.parse(block.json); // "" leaves the input {}
      } catch (error) {
        block.invalid = error.message;
      }
    } else if (data.type === "message_delta" && message) {
      message.stop_reason = delta.stop_reason;
      message.stop_sequence = delta.stop_sequence;
      for (const [key, value] of Object.entries(data.usage || {})) {
        if (value !== null) message.usage[key] = value; // cumulative counts: they replace
      }
    } else if (data.type === "message_stop") {
      state.complete = true;
    }
  }

  // What an event's row says after its name: the piece of text, of JSON, the stop reason...
  function gist({ name, json, data }) {
    if (!json || typeof json !== "object") return `not JSON: ${clip(data, 40)}`;
    const d = json.delta || {};
    const block = json.content_block || {};
    switch (json.type) {
      case "message_start": return `${(json.message || {}).model || ""}`;
      case "content_block_start": return `[${json.index}] ${block.type}${block.name ? ` ${block.name}` : ""}`;
      case "content_block_stop": return `[${json.index}]`;
      case "content_block_delta":
        if (d.type === "text_delta") return JSON.stringify(d.text);
        if (d.type === "input_json_delta") return d.partial_json;
        if (d.type === "thinking_delta") return JSON.stringify(d.thinking);
        if (d.type === "signature_delta") return `signature, ${(d.signature || "").length} characters`;
        return d.type || "";
      case "message_delta": return `${d.stop_reason}, ${(json.usage || {}).output_tokens} out`;
      case "error": return `${(json.error || {}).type}: ${(json.error || {}).message}`;
      case "ping": case "message_stop": return "";
      default: return clip(data, 60);
    }
  }

  // ---------------------------------------------------------------- the player

  class Player {
    constructor(root, data) {
      this.root = root;
      data.chunks = (data.chunks || []).map((chunk) => ({ at: chunk.at, bytes: bytesOf(chunk) }));
      this.data = data;
      this.choice = { kind: "recorded", size: 64, stall: 2, at: Math.min(4, data.chunks.length || 1),
        timeout: 600, mid: false, piece: 16, every: 0.02 }; // 600 s: the Python SDK's default read timeout
      this.pace = "fit";
      this.build();
      this.load();
      this.announce([TOUCH.matches
        ? "Tap play, or drag along the track to any moment."
        : "Press play, or step through what arrives with the arrow keys."]);
    }

    // The stream as the chosen "what if" delivers it, parsed; the player back on its poster.
    load() {
      const { data, choice } = this;
      const made = WHAT_IF[choice.kind].make(data, choice);
      const view = (this.view = withTimeout({ ...made, timeout: made.timeout }, data.at));
      Object.assign(this, parseStream(view.chunks));
      this.total = Math.max(data.at, view.timedOut || 0, ...view.chunks.map((c) => c.at));
      this.times = [data.at, ...view.chunks.map((c) => c.at), ...(view.timedOut ? [view.timedOut] : [])];
      this.end = assemble(this.events, this.events.length);
      this.picture = this.adopted && choice.kind === "recorded" ? this.adopted : null;
      if (this.adopted) this.adopted.figure.hidden = !this.picture;
      if (this.caption) this.caption.hidden = !this.picture; // it describes the picture
      this.setPace(this.pace);
      this.buildLog();
      this.buildTrack();
      this.t = 0;
      this.playing = false;
      this.poster = true;
      this.shown = null;
      this.render();
    }

    // The moments the track marks: the first text, and how the stream ends.
    marks() {
      const { events, data, view, end } = this;
      this.firstIndex = events.findIndex(({ json }) => {
        const d = json && json.delta;
        return d && (d.type === "text_delta" ? d.text : d.type === "input_json_delta" && d.partial_json);
      });
      const stop = events.find(({ json }) => json && json.type === "message_stop");
      const marks = this.firstIndex < 0 ? [] : [["first", events[this.firstIndex].at, "first text"]];
      if (end.failure) marks.push(["fail", end.failedAt, end.failure[0].replace(/ after.*/, "")]);
      else if (data.body !== undefined) marks.push(["fail", data.at, `HTTP ${data.status}`]);
      else if (view.timedOut) marks.push(["fail", view.timedOut, "read timeout"]);
      else if (!end.complete) marks.push(["fail", this.total, view.cut ? "connection dropped" : "body ended early"]);
      else if (stop) marks.push(["done", stop.at, "message_stop"]);
      return marks;
    }

    build() {
      const { root, data } = this;
      const title = root.dataset.title || data.recording;
      root.setAttribute("role", "group");
      root.setAttribute("aria-label", `Stream player: ${title}`);
      // The timeline picture of this very stream just before the player becomes its track.
      const figure = root.previousElementSibling;
      const svg = figure && figure.matches("figure.picture") && figure.querySelector("svg[data-axis]");
      const axis = svg ? svg.dataset.axis.split(" ").map(Number) : [];
      if (svg && svg.dataset.recording === data.recording && axis.length === 4 && data.body === undefined &&
          svg.dataset.faults === (data.faults || []).join(" ")) {
        this.adopted = { figure, svg, axis, lanes: svg.dataset.lanes.split(" ").map(Number) };
        figure.classList.add("sp-picture");
        // Its caption goes under the panes, where it describes the stream played above.
        const caption = figure.querySelector("figcaption");
        if (caption) {
          this.caption = el("p", "sp-caption", ...caption.childNodes);
          caption.remove();
        }
      }

      this.playButton = button("Play", "play", () => this.toggle());
      this.paceSelect = el("select", "sp-speed");
      this.paceSelect.setAttribute("aria-label", "Pace");
      this.paceSelect.addEventListener("change", () => this.setPace(this.paceSelect.value));
      const scrubber = (this.scrubber = el("input", "sp-scrubber"));
      Object.assign(scrubber, { type: "range", min: 0, step: 1 });
      scrubber.setAttribute("aria-label", "Position in the stream");
      scrubber.addEventListener("input", () => this.seek(scrubber.value / 1000));
      this.ticks = el("div", "sp-ticks");
      this.ticks.setAttribute("aria-hidden", "true");
      this.clock = el("span", "sp-clock");
      this.legend = el("ul", "sp-legend");
      this.track = el("div", "sp-track", this.adopted && this.adopted.figure, scrubber, this.ticks, this.legend);
      const controls = el("div", "sp-controls", this.playButton,
        button("To the start", "start", () => this.toStart()), this.paceSelect, this.clock);
      this.ending = el("div", "sp-ending");
      this.status = el("p", "sp-status");
      this.status.setAttribute("aria-live", "polite");

      this.log = el("ol", "sp-log");
      this.log.setAttribute("aria-label", "Events received");
      this.message = el("div", "sp-message");
      this.message.setAttribute("role", "region");
      this.message.setAttribute("aria-label", "The message as the SDK assembles it");
      this.log.tabIndex = this.message.tabIndex = 0; // they scroll
      const panes = el("div", "sp-panes",
        el("div", "sp-pane", el("p", "sp-pane-title", "The message, as the SDK assembles it"), this.message),
        el("div", "sp-pane", el("p", "sp-pane-title", "Events, as your code receives them"), this.log));

      const link = el("a", "", (data.provenance || {}).source || "recording");
      link.href = new URL("../recordings/#where-the-recordings-on-this-site-come-from", HERE).href;
      this.source = el("p", "sp-source");
      this.sourceParts = [link];
      root.replaceChildren(el("div", "sp-frame", el("p", "sp-title", title), this.track, controls,
        this.ending, data.body === undefined ? this.whatIf() : null, this.status, panes, this.caption,
        this.source));
      root.addEventListener("keydown", (event) => this.key(event));
      if (this.adopted) {
        this.adopted.svg.addEventListener("click", (event) => {
          const box = this.adopted.svg.getBoundingClientRect();
          const x = ((event.clientX - box.left) / box.width) * this.adopted.svg.viewBox.baseVal.width;
          this.seek(this.timeAt(x));
        });
      }
    }

    // The "what if" choices: one at a time, each with its numbers.
    whatIf() {
      const choice = this.choice;
      const name = `sp-whatif-${Math.random().toString(36).slice(2)}`;
      const field = (key) => {
        if (key === "mid") {
          const select = el("select", "sp-number",
            el("option", "", "between two events"), el("option", "", "in the middle of the next one"));
          select.setAttribute("aria-label", "Where it drops");
          select.dataset.key = key;
          return select;
        }
        const [label, min, step] = FIELDS[key];
        const input = el("input", "sp-number");
        Object.assign(input, { type: "number", min, step, value: choice[key] });
        input.setAttribute("aria-label", label);
        input.dataset.key = key;
        return input;
      };
      const options = Object.entries(WHAT_IF).map(([kind, { label }]) => {
        const radio = el("input");
        Object.assign(radio, { type: "radio", name, value: kind, checked: kind === choice.kind });
        const parts = label.split(/\{(\w+)\}/).map((part, i) => (i % 2 ? field(part) : part));
        return el("li", "", el("label", "", radio, " ", ...parts));
      });
      this.whatIfNote = el("p", "sp-whatif-note");
      const box = el("details", "sp-whatif", el("summary", "", "What if…"),
        el("fieldset", "", el("legend", "", "Deliver the same bytes differently"),
          el("ul", "sp-options", ...options)), this.whatIfNote);
      box.addEventListener("change", (event) => {
        const item = event.target.closest("li");
        if (event.target.dataset.key) item.querySelector("input[type=radio]").checked = true;
        const radio = box.querySelector("input[type=radio]:checked");
        choice.kind = radio.value;
        for (const input of radio.closest("li").querySelectorAll("[data-key]")) {
          const key = input.dataset.key;
          if (key === "mid") choice.mid = input.selectedIndex === 1;
          else if (input.value !== "" && input.validity.valid) choice[key] = Number(input.value);
        }
        const n = this.data.chunks.length;
        const before = choice.kind === "cut" || choice.kind === "error"; // an event must follow
        choice.at = Math.max(choice.kind === "cut" ? 0 : 1, Math.min(choice.at, n - before));
        this.load();
        this.announce([`What if: ${this.describe()}. ${this.outcome(this.end).join(": ")}.`]);
      });
      return box;
    }

    describe() {
      const { choice } = this;
      return WHAT_IF[choice.kind].label.replace(/\{(\w+)\}/g, (_, key) => key === "mid"
        ? (choice.mid ? "in the middle of the next one" : "between two events") : choice[key]);
    }

    buildLog() {
      const { data } = this;
      this.headerEntry = el("li", "sp-http", el("span", "sp-time", seconds(data.at, 3)),
        el("span", "sp-name", `HTTP ${data.status}`), el("span", "sp-gist", (data.headers || {})["content-type"] || ""));
      if (data.body !== undefined) this.headerEntry.append(el("code", "", data.body));
      this.marks();
      this.entries = this.events.map((event, i) => {
        const kind = !event.json || event.json.type === "error" ? "fail"
          : i === this.firstIndex ? "first" : event.json.type === "message_stop" ? "done" : "";
        const details = el("details", "", el("summary", "", el("span", "sp-num", `${i + 1}`),
          el("span", "sp-time", seconds(event.at, 3)), el("span", "sp-name", event.name),
          el("span", "sp-gist", gist(event))),
        // the event's JSON, one click away; a long line may break after a comma or bracket
        el("code", "", ...breakable(event.data)));
        return el("li", `sp-event${kind ? ` sp-${kind}` : ""}`, details);
      });
      this.pendingEntry = el("li", "sp-pending");
      this.endEntry = el("li", "sp-end");
      this.log.replaceChildren(this.headerEntry, ...this.entries, this.pendingEntry, this.endEntry);
    }

    buildTrack() {
      const marks = this.marks();
      const place = (className, t) => {
        const tick = el("span", className);
        tick.style.left = `${this.total ? (100 * t) / this.total : 0}%`;
        return tick;
      };
      this.ticks.replaceChildren(...this.view.chunks.map((c) => place("sp-tick", c.at)),
        ...marks.map(([kind, t]) => place(`sp-mark sp-${kind}`, t)));
      this.ticks.hidden = !!this.picture;
      this.scrubber.max = Math.round(this.total * 1000);
      this.track.classList.toggle("sp-on-picture", !!this.picture);
      this.legend.hidden = !!this.picture;
      this.legend.replaceChildren(...marks.map(([kind, t, what]) => {
        const item = el("li", `sp-${kind}`, el("span", "sp-swatch"), `${what} ${seconds(t, 3)}`);
        item.dataset.at = t;
        return item;
      }));
      if (this.picture) {
        // The slider runs under the picture's axis, from 0 s to the end of the stream.
        const { svg } = this.picture;
        const width = svg.viewBox.baseVal.width;
        const from = this.xAt(0) / width;
        const to = this.xAt(this.total) / width;
        this.scrubber.style.setProperty("--from", `${100 * from}%`);
        this.scrubber.style.setProperty("--span", `${100 * (to - from)}%`);
        if (!this.overlay) {
          const [top, bottom] = this.picture.lanes;
          const shade = document.createElementNS(SVG, "rect");
          shade.setAttribute("class", "sp-future");
          Object.entries({ y: top, height: bottom - top, width }).forEach(([k, v]) => shade.setAttribute(k, v));
          const head = document.createElementNS(SVG, "path");
          head.setAttribute("class", "sp-playhead");
          head.setAttribute("stroke-width", "2");
          const group = document.createElementNS(SVG, "g");
          group.setAttribute("aria-hidden", "true");
          group.append(shade, head);
          svg.append(group);
          this.overlay = { shade, head, top, bottom, width };
        }
      }
      const faults = [...(this.data.faults || []), ...(this.view.spec ? [this.view.spec] : [])].join(" ");
      const replays = faults ? [" with ", el("code", "", faults.split(" ").map((f) => `--fault ${f}`).join(" "))] : [];
      this.source.replaceChildren(`Replays ${this.data.recording}`, ...replays, " (", ...this.sourceParts, ").");
      const kind = this.choice.kind;
      if (this.whatIfNote) this.whatIfNote.replaceChildren(kind === "recorded" ? "" :
        el("span", "", "The replay server does the same with ", el("code", "", `--fault ${this.view.spec}`), "."));
    }

    // The picture's x of a time, and back (its axis is linear between its two knots).
    xAt(t) {
      const [t0, x0, t1, x1] = this.adopted.axis;
      return x0 + ((t - t0) * (x1 - x0)) / (t1 - t0);
    }
    timeAt(x) {
      const [t0, x0, t1, x1] = this.adopted.axis;
      return t0 + ((x - x0) * (t1 - t0)) / (x1 - x0);
    }

    setPace(pace) {
      this.pace = pace;
      const fit = Math.max(this.total, 0.001) / PACE;
      const options = [["fit", `slowed, ${PACE} s`], ["1", `real time, ${seconds(this.total)}`], ["0", "instant"]];
      this.paceSelect.replaceChildren(...options.map(([value, text]) => {
        const option = el("option", "", text);
        option.value = value;
        option.selected = value === pace;
        return option;
      }));
      this.speed = pace === "fit" ? fit : Number(pace);
      if (this.playing && !this.speed) this.play();
      else if (this.playing) this.anchor();
    }

    // -------------------------------------------------------------- time

    toggle() {
      if (this.playing) this.stop("Paused at ");
      else this.play();
    }

    play() {
      if (this.poster || this.t >= this.total) this.t = 0;
      this.poster = false;
      if (!this.speed) {
        this.t = this.total;
        this.stop("Ended at ");
        return;
      }
      this.playing = true;
      this.anchor();
      this.render();
      this.announce([`Playing, ${this.paceSelect.selectedOptions[0].textContent}.`]);
      this.tick();
    }

    anchor() {
      this.wallStart = performance.now();
      this.tStart = this.t;
    }

    tick() {
      requestAnimationFrame((now) => {
        if (!this.playing) return;
        try {
          this.t = Math.min(this.total, this.tStart + ((now - this.wallStart) / 1000) * this.speed);
          if (this.t >= this.total) this.stop("Ended at ");
          else {
            this.render();
            this.tick();
          }
        } catch (error) {
          fail(this.root, error);
        }
      });
    }

    stop(when) {
      this.playing = false;
      this.render();
      this.announce(this.summary(when));
    }

    seek(t) {
      this.poster = false;
      this.t = Math.max(0, Math.min(this.total, t));
      if (this.playing) this.anchor();
      this.render();
      if (!this.playing) this.announce(this.summary("At "));
    }

    // "Home": back to the start, and wait there.
    toStart() {
      this.playing = false;
      this.seek(0);
    }

    // → and ←: to the next moment something arrives, or back to the one before what is shown.
    step(direction) {
      const t = this.t + 1e-9;
      if (direction > 0) {
        this.seek(this.times.find((time) => time > t) ?? this.total);
      } else {
        const current = last(this.times.filter((time) => time <= t)) ?? 0;
        this.seek(last(this.times.filter((time) => time < current - 1e-9)) ?? 0);
      }
    }

    key(event) {
      const { key, target } = event;
      if (event.altKey || event.ctrlKey || event.metaKey) return;
      if (target.closest(".sp-log, .sp-message, .sp-whatif, select")) return; // their own keys
      if (key === " " && target.tagName === "BUTTON") return; // the button's own click
      if (key === " " || key === "k") this.toggle();
      else if (key === "ArrowRight" || key === "ArrowLeft") this.step(key === "ArrowRight" ? 1 : -1);
      else if (key === "Home") this.toStart();
      else return;
      event.preventDefault();
    }

    // -------------------------------------------------------------- what is shown at time t

    render() {
      const { data, view } = this;
      const poster = this.poster;
      const t = (poster ? this.total : this.t) + 1e-9;
      const arrived = view.chunks.filter((c) => c.at <= t).length;
      const count = this.events.filter((e) => e.chunk < arrived).length;
      const started = t >= data.at;
      const ended = (this.ended = started && t >= this.total);
      const timedOut = ended && !!view.timedOut;
      this.clock.textContent = `${seconds(this.t)} / ${seconds(this.total)}`;
      this.scrubber.value = Math.round(this.t * 1000);
      // Screen readers hear the slider and the button change when playback stops or jumps,
      // not on every frame while it plays.
      if (!this.playing || this.wasPlaying !== this.playing) {
        this.scrubber.setAttribute("aria-valuetext", `${seconds(this.t)} of ${seconds(this.total)}`);
      }
      if (this.wasPlaying !== this.playing) {
        this.wasPlaying = this.playing;
        this.playButton.replaceChildren(icon(this.playing ? "pause" : "play"));
        this.playButton.setAttribute("aria-label", this.playing ? "Pause" : "Play");
      }
      this.root.dataset.state = poster ? "poster" : this.playing ? "playing" : ended ? "ended" : "paused";
      if (this.overlay) {
        const x = poster ? this.overlay.width : this.xAt(this.t);
        this.overlay.shade.setAttribute("x", x);
        this.overlay.head.setAttribute("d", poster ? "" : `M${x} ${this.overlay.top - 4}V${this.overlay.bottom}`);
      }
      const shown = [poster, arrived, count, started, ended].join();
      if (shown === this.shown) return;
      this.shown = shown;

      this.headerEntry.hidden = !started;
      this.entries.forEach((entry, i) => {
        entry.hidden = i >= count;
        entry.classList.toggle("sp-new", !poster && i === count - 1);
      });
      const held = arrived ? this.pending[arrived - 1] : 0;
      this.pendingEntry.hidden = !held;
      this.pendingEntry.textContent = ended
        ? `${held} bytes of an unfinished event arrived; a client drops them`
        : `… ${held} bytes of the next event: not an event until its blank line`;
      this.endEntry.hidden = !ended || data.body !== undefined;
      this.endEntry.textContent = timedOut ? `Nothing for ${view.timeout} s: the client gives up.`
        : view.cut ? "The connection dropped." : "The body ended.";
      this.state = assemble(this.events, count);
      this.message.replaceChildren(...this.parts(started));
      this.ending.replaceChildren(...this.endingParts(started, ended));
      const log = this.log;
      if (!poster && log.scrollHeight > log.clientHeight) {
        log.scrollTo({ top: log.scrollHeight, behavior: MOTION.matches ? "auto" : "smooth" });
      } else if (poster) {
        log.scrollTop = 0;
      }
    }

    parts(started) {
      const { state, data } = this;
      const m = state.message;
      if (!started) return [el("p", "", "Waiting for the response…")];
      if (data.body !== undefined) return [el("p", "", "No events: the response is an HTTP error.")];
      if (!m) return [el("p", "", "200 OK: waiting for message_start…")];
      return [el("p", "sp-id", [m.id, m.model].filter(Boolean).join(" · ")),
        ...state.blocks.map(renderBlock).filter(Boolean)];
    }

    // How the stream stands, or ends: [headline, detail].
    outcome(state) {
      const { data, view } = this;
      if (data.body !== undefined) return [`HTTP ${data.status} before any event`, data.body];
      if (state.failure) return state.failure;
      if (state.complete) return ["Complete", "message_stop arrived"];
      if (view.timedOut) return ["read timeout", `nothing arrived for ${view.timeout} s, so the SDK raises`];
      return ["incomplete: no message_stop",
        `the ${view.cut ? "connection dropped" : "body ended"} before the stream's end`];
    }

    // The ending, always in sight above the panes: stop reason, usage, complete or failed.
    endingParts(started, ended) {
      const { state, poster } = this;
      const m = (poster ? this.end : state).message || {};
      const usage = m.usage || {};
      const foot = el("span", "sp-foot", `stop_reason: ${m.stop_reason === undefined ? "–" : m.stop_reason}`,
        " · ", `usage: ${usage.input_tokens ?? "–"} in, ${usage.output_tokens ?? "–"} out`);
      foot.dataset.stopReason = m.stop_reason;
      const done = poster ? this.end : state;
      const over = poster || ended || done.failure || done.complete;
      let how;
      if (!over) how = el("span", "sp-going", started ? "streaming…" : "waiting for the response…");
      else {
        const [headline, detail] = this.outcome(done);
        const good = headline === "Complete";
        how = el("span", good ? "sp-complete" : "sp-failure", el("strong", "", `${headline}:`), " ", el("span", "", detail));
        if (!good) how.dataset.kind = headline;
      }
      return [...(poster ? [el("span", "sp-when", "When it ends: ")] : []), foot, " · ", how];
    }

    // What a screen reader hears at a pause, a seek or the end: the state, not every delta.
    summary(when) {
      const { state } = this;
      const text = state.blocks.filter((b) => b && b.type === "text").map((b) => b.text).join(" ");
      const [headline] = this.outcome(state);
      const how = headline === "Complete" ? "Complete." : this.ended || state.failure ? `Failed: ${headline}.` : "";
      const count = this.entries.filter((e) => !e.hidden).length;
      return [[`${when}${seconds(this.t)}:`, `${count} events.`, how].filter(Boolean).join(" "),
        text && `Text: ${clip(text, 300)}`];
    }

    announce([text, detail]) {
      this.status.replaceChildren(text);
      if (detail) this.status.append(el("span", "sp-sr", ` ${detail}`));
    }
  }

  function renderBlock(block, index) {
    if (!block) return null;
    const box = el("div", `sp-block${block.open ? " sp-open" : ""}`,
      el("p", "sp-block-head", `[${index}] ${block.type}${block.name ? ` ${block.name}` : ""}` +
        (block.open ? "" : " (stopped)")));
    box.dataset.type = block.type;
    if (block.type === "text" || block.type === "thinking") {
      box.append(el("div", "sp-body", block.text ?? block.thinking ?? ""));
      for (const c of block.citations || []) box.append(el("p", "", `cites: “${clip(String(c.cited_text), 120)}”`));
      const sig = block.signature;
      const short = sig && sig.length > 16 ? `${sig.slice(0, 8)}…${sig.slice(-4)}` : sig;
      if (sig) box.append(el("p", "", `signature: ${short} (${sig.length} characters)`));
    } else if (block.json !== undefined) {
      const parsed = !block.open && !block.invalid;
      const input = el("pre", "sp-input", parsed ? JSON.stringify(block.input || {}) : block.json);
      input.dataset.state = parsed ? "parsed" : "partial";
      box.append(el("p", "sp-label", parsed ? "input, parsed at content_block_stop:" : block.invalid
        ? `input is not valid JSON (${block.invalid}):` : "input so far, partial JSON:"), input);
    } else {
      box.append(el("pre", "sp-input", JSON.stringify(block)));
    }
    return box;
  }

  // ---------------------------------------------------------------- loading

  function fail(root, error) {
    root.replaceChildren(el("p", "sp-error",
      `The stream player could not play ${root.dataset.src || "its recording"}: ${error.message}.`));
    root.dataset.state = "error";
  }

  async function mount(root) {
    if (root.dataset.state) return;
    root.dataset.state = "loading";
    try {
      if (!root.dataset.src) throw new Error("no data-src");
      const response = await fetch(new URL(root.dataset.src, location.href));
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const text = await response.text();
      let data;
      try {
        data = JSON.parse(text);
      } catch (error) {
        throw new Error("its data is not JSON");
      }
      check(data);
      root.player = new Player(root, data);
    } catch (error) {
      fail(root, error);
    }
  }

  window.mountStreamPlayers = () => document.querySelectorAll(".stream-player").forEach(mount);
  window.mountStreamPlayers();
})();
