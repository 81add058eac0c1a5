// The stream player: plays a recorded stream in the page as a client receives it.
//
// A page places one with <div class="stream-player" data-src="../players/x/y.json"
// data-title="..."></div>; site.js loads this file and player.css only on such a page, and the
// data is fetched only then. The data (written from recordings/ by stream_replay/_player.py)
// is the response status and the body's byte chunks with their arrival times, exactly as the
// replay server sends them, faults included. The chunks are parsed as a client parses them
// (an event counts only at its blank line), and the message assembled as the Python SDK does.
(() => {
  "use strict";

  const HERE = document.currentScript ? document.currentScript.src : location.href;
  const SPEEDS = ["0.25", "0.5", "1", "2", "4", "0"];
  const ICONS = {
    play: "M8 5v14l11-7z",
    pause: "M6 5h4v14H6zm8 0h4v14h-4z",
    restart: "M12 5V1L7 6l5 5V7a6 6 0 1 1-6 6H4a8 8 0 1 0 8-8z",
  };
  const MOTION = matchMedia("(prefers-reduced-motion: reduce)");

  function el(tag, className, ...children) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    node.append(...children);
    return node;
  }
  function icon(name) {
    const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
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
      const bytes = bytesOf(chunk);
      const joined = new Uint8Array(held.length + bytes.length);
      joined.set(held);
      joined.set(bytes, held.length);
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

  // ---------------------------------------------------------------- the player

  class Player {
    constructor(root, data) {
      this.root = root;
      this.data = data;
      data.chunks = data.chunks || [];
      Object.assign(this, parseStream(data.chunks));
      this.total = Math.max(data.at, ...data.chunks.map((c) => c.at));
      this.times = [data.at, ...data.chunks.map((c) => c.at)]; // when something arrives
      this.t = 0;
      this.speed = 1;
      this.playing = false;
      this.build();
      this.render();
      this.announce(["Press play, or step through what arrives with the arrow keys."]);
    }

    marks() {
      const { events, data } = this;
      const end = assemble(events, events.length);
      const first = events.find(({ json }) => {
        const d = json && json.delta;
        return d && (d.type === "text_delta" ? d.text : d.type === "input_json_delta" && d.partial_json);
      });
      const stop = events.find(({ json }) => json && json.type === "message_stop");
      const marks = first ? [["ttft", first.at, "first token"]] : [];
      if (end.failure) marks.push(["fail", end.failedAt, end.failure[0].replace(/ after.*/, "")]);
      else if (data.body !== undefined) marks.push(["fail", data.at, `HTTP ${data.status}`]);
      else if (!end.complete) marks.push(["fail", this.total, data.cut ? "connection dropped" : "body ended early"]);
      else if (stop) marks.push(["done", stop.at, "a non-streaming call returns"]);
      return marks;
    }

    build() {
      const { root, data } = this;
      const title = root.dataset.title || data.recording;
      root.setAttribute("role", "group");
      root.setAttribute("aria-label", `Stream player: ${title}`);
      this.playButton = button("Play", "play", () => this.toggle());
      this.speedSelect = el("select", "sp-speed", ...SPEEDS.map((speed) => {
        const option = el("option", "", speed === "0" ? "instant" : `${speed}×`);
        option.value = speed;
        option.selected = speed === "1";
        return option;
      }));
      this.speedSelect.setAttribute("aria-label", "Speed");
      this.speedSelect.addEventListener("change", () => this.setSpeed(Number(this.speedSelect.value)));
      const scrubber = (this.scrubber = el("input", "sp-scrubber"));
      Object.assign(scrubber, { type: "range", min: 0, max: Math.round(this.total * 1000), step: 1 });
      scrubber.setAttribute("aria-label", "Position in the stream");
      scrubber.addEventListener("input", () => this.seek(scrubber.value / 1000));
      const marks = this.marks();
      const place = (className, t) => {
        const tick = el("span", className);
        tick.style.left = `${this.total ? (100 * t) / this.total : 0}%`;
        return tick;
      };
      const ticks = el("div", "sp-ticks", ...data.chunks.map((c) => place("sp-tick", c.at)),
        ...marks.map(([kind, t]) => place(`sp-mark sp-${kind}`, t)));
      ticks.setAttribute("aria-hidden", "true");
      this.clock = el("span", "sp-clock");
      const controls = el("div", "sp-controls", this.playButton,
        button("Restart", "restart", () => this.restart()), this.speedSelect,
        el("div", "sp-track", scrubber, ticks), this.clock);
      const legend = el("ul", "sp-legend", ...marks.map(([kind, t, what]) => {
        const item = el("li", `sp-${kind}`, el("span", "sp-swatch"), `${what} at ${seconds(t, 3)}`);
        item.dataset.at = t;
        return item;
      }));
      this.status = el("p", "sp-status");
      this.status.setAttribute("aria-live", "polite");

      this.headerEntry = el("li", "sp-http", el("span", "sp-time", seconds(data.at, 3)),
        el("span", "sp-name", `HTTP ${data.status}`), ` ${(data.headers || {})["content-type"] || ""}`);
      if (data.body !== undefined) this.headerEntry.append(el("code", "", data.body));
      this.entries = this.events.map((event) => el("li", "sp-event",
        el("span", "sp-time", seconds(event.at, 3)), el("span", "sp-name", event.name),
        // a long line of JSON may break after a comma or an opening bracket
        el("code", "", ...breakable(event.data))));
      this.pendingEntry = el("li", "sp-pending");
      this.endEntry = el("li", "sp-end", data.cut ? "The connection dropped." : "The body ended.");
      this.log = el("ol", "sp-log", this.headerEntry, ...this.entries, this.pendingEntry, this.endEntry);
      this.log.setAttribute("aria-label", "Events received");
      this.message = el("div", "sp-message");
      this.message.setAttribute("role", "region");
      this.message.setAttribute("aria-label", "The message as the SDK assembles it");
      this.log.tabIndex = this.message.tabIndex = 0; // they scroll
      const panes = el("div", "sp-panes",
        el("div", "sp-pane", el("p", "sp-pane-title", "The message, as the SDK assembles it"), this.message),
        el("div", "sp-pane", el("p", "sp-pane-title", "Events, as they arrive"), this.log));

      const link = el("a", "", (data.provenance || {}).source || "recording");
      link.href = new URL("../recordings/#where-the-recordings-on-this-site-come-from", HERE).href;
      const faults = (data.faults || []).join(" ");
      const source = el("p", "sp-source", `Replays ${data.recording}`,
        ...(faults ? [" with ", el("code", "", `--fault ${faults}`)] : []), " (", link, ").");
      root.replaceChildren(el("p", "sp-title", title), controls, legend, this.status, panes, source);
      root.addEventListener("keydown", (event) => this.key(event));
    }

    // -------------------------------------------------------------- time

    toggle() {
      if (this.playing) this.stop("Paused at ");
      else this.play();
    }

    play() {
      if (this.t >= this.total) this.t = 0;
      if (!this.speed) {
        this.t = this.total;
        this.stop("Ended at ");
        return;
      }
      this.playing = true;
      this.anchor();
      this.render();
      this.announce([`Playing at ${this.speedSelect.selectedOptions[0].textContent}.`]);
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
      this.t = Math.max(0, Math.min(this.total, t));
      if (this.playing) this.anchor();
      this.render();
      if (!this.playing) this.announce(this.summary("At "));
    }

    restart() {
      this.t = 0;
      this.playing = false;
      this.play();
    }

    setSpeed(speed) {
      this.speed = speed;
      if (this.playing && !speed) this.play();
      else if (this.playing) this.anchor();
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
      if (event.altKey || event.ctrlKey || event.metaKey || target.tagName === "SELECT") return;
      if (target.closest(".sp-log, .sp-message")) return; // the panes' own keys scroll them
      if (key === " " && target.tagName === "BUTTON") return; // the button's own click
      if (key === " " || key === "k") this.toggle();
      else if (key === "ArrowRight" || key === "ArrowLeft") this.step(key === "ArrowRight" ? 1 : -1);
      else if (key === "Home") this.restart();
      else return;
      event.preventDefault();
    }

    // -------------------------------------------------------------- what is shown at time t

    render() {
      const { data, total } = this;
      const t = this.t + 1e-9;
      const arrived = data.chunks.filter((c) => c.at <= t).length;
      const count = this.events.filter((e) => e.chunk < arrived).length;
      const started = t >= data.at;
      const ended = (this.ended = started && this.t >= total);
      this.clock.textContent = `${seconds(this.t)} / ${seconds(total)}`;
      this.scrubber.value = Math.round(this.t * 1000);
      // Screen readers hear the slider and the button change when playback stops or jumps,
      // not on every frame while it plays.
      if (!this.playing || this.wasPlaying !== this.playing) {
        this.scrubber.setAttribute("aria-valuetext", `${seconds(this.t)} of ${seconds(total)}`);
      }
      if (this.wasPlaying !== this.playing) {
        this.wasPlaying = this.playing;
        this.playButton.replaceChildren(icon(this.playing ? "pause" : "play"));
        this.playButton.setAttribute("aria-label", this.playing ? "Pause" : "Play");
      }
      this.root.dataset.state = this.playing ? "playing" : ended ? "ended" : "paused";
      const shown = [arrived, count, started, ended].join();
      if (shown === this.shown) return;
      this.shown = shown;

      this.headerEntry.hidden = !started;
      this.entries.forEach((entry, i) => {
        entry.hidden = i >= count;
        entry.classList.toggle("sp-new", i === count - 1);
      });
      const held = arrived ? this.pending[arrived - 1] : 0;
      this.pendingEntry.hidden = !held;
      this.pendingEntry.textContent = ended
        ? `${held} bytes of an unfinished event arrived; a client drops them`
        : `… ${held} bytes of the next event: not an event until its blank line`;
      this.endEntry.hidden = !ended || data.body !== undefined;
      this.state = assemble(this.events, count);
      this.message.replaceChildren(...this.parts(started));
      const log = this.log;
      if (log.scrollHeight > log.clientHeight) {
        log.scrollTo({ top: log.scrollHeight, behavior: MOTION.matches ? "auto" : "smooth" });
      }
    }

    parts(started) {
      const { state, data } = this;
      const failure = (title, text) => el("div", "sp-failure", el("strong", "", title), " ", el("span", "", text));
      const parts = [];
      const m = state.message;
      if (!started) {
        parts.push(el("p", "", "Waiting for the response…"));
      } else if (data.body !== undefined) {
        parts.push(failure(`HTTP ${data.status} before any event`, data.body));
      } else if (!m) {
        parts.push(el("p", "", "200 OK: waiting for message_start…"));
      } else {
        const usage = m.usage || {};
        const foot = el("p", "sp-foot", `stop_reason: ${m.stop_reason} · usage: ` +
          `${usage.input_tokens} in, ${usage.output_tokens} out`);
        foot.dataset.stopReason = m.stop_reason;
        parts.push(el("p", "", [m.id, m.model].filter(Boolean).join(" · ")),
          ...state.blocks.map(renderBlock).filter(Boolean), foot);
      }
      if (state.failure) parts.push(failure(...state.failure));
      else if (this.ended && data.body === undefined && !state.complete) {
        parts.push(failure("incomplete: no message_stop",
          `The ${data.cut ? "connection dropped" : "body ended"} before the stream's end.`));
      } else if (state.complete) parts.push(el("p", "sp-complete", "Complete: message_stop arrived."));
      return parts;
    }

    // What a screen reader hears at a pause, a seek or the end: the state, not every delta.
    summary(when) {
      const { state, data } = this;
      const text = state.blocks.filter((b) => b && b.type === "text").map((b) => b.text).join(" ");
      const how = data.body !== undefined ? `Failed: HTTP ${data.status} before any event.`
        : state.failure ? `Failed: ${state.failure.join(", ")}.`
        : state.complete ? "Complete."
        : this.ended ? "Incomplete: no message_stop." : "";
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
