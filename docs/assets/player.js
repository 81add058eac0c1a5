// The stream player: plays a recorded stream in the page as a client receives it.
//
// A page places one with <div class="stream-player" data-src="../players/x/y.json"
// data-title="..."></div>; site.js loads this file (and player.css) only on such pages, and the
// data is fetched only then. The data (stream_replay/_player.py writes it from recordings/) is
// the response status and the body's byte chunks with their arrival times, exactly as the
// replay server sends them, faults included. This script parses the chunks as a client does
// (an event counts only at its blank line), and assembles the message as the Python SDK does.
(function () {
  "use strict";

  var HERE = document.currentScript ? document.currentScript.src : location.href;
  var SPEEDS = [["0.25", "0.25×"], ["0.5", "0.5×"], ["1", "1×"], ["2", "2×"], ["4", "4×"],
    ["0", "instant"]];
  var ICONS = {
    play: "M8 5v14l11-7z",
    pause: "M6 5h4v14H6zm8 0h4v14h-4z",
    restart: "M12 5V1L7 6l5 5V7a6 6 0 1 1-6 6H4a8 8 0 1 0 8-8z",
  };
  var MOTION = window.matchMedia ? matchMedia("(prefers-reduced-motion: reduce)") : null;

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function icon(name) {
    var svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
    var path = document.createElementNS("http://www.w3.org/2000/svg", "path");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    path.setAttribute("d", ICONS[name]);
    svg.append(path);
    return svg;
  }
  function seconds(t, digits) {
    return t.toFixed(digits === undefined ? 2 : digits) + " s";
  }
  function clip(text, size) {
    return text.length > size ? text.slice(0, size - 1) + "…" : text;
  }

  // ------------------------------------------------------------------ the data, checked

  function bytesOf(chunk) {
    if (typeof chunk.text === "string") return new TextEncoder().encode(chunk.text);
    var binary = atob(chunk.base64);
    var bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return bytes;
  }

  function base64(text) {
    try {
      return typeof text === "string" && atob(text) !== undefined;
    } catch (error) {
      return false;
    }
  }

  function check(data) {
    var time = function (t) { return typeof t === "number" && isFinite(t) && t >= 0; };
    var last = 0;
    var ok = data && typeof data === "object" && data.format === 1 &&
      Number.isInteger(data.status) && time(data.at) &&
      (typeof data.body === "string" || Array.isArray(data.chunks));
    ok = ok && (data.chunks || []).every(function (chunk) {
      var fine = chunk && time(chunk.at) && chunk.at >= last &&
        (typeof chunk.text === "string" || base64(chunk.base64));
      last = fine ? chunk.at : last;
      return fine;
    });
    if (!ok) throw new Error("it is not stream player data");
  }

  // ------------------------------------------------------------------ SSE, as a client reads it

  // Events from byte chunks, split on the raw bytes at a blank line (CRLF, LF or CR line
  // ends), then read field by field (WHATWG HTML 9.2.6). Each event notes the chunk that
  // completed it; `pending[i]` is the bytes of an unfinished event held after chunk i.
  function parseStream(chunks) {
    var events = [];
    var pending = [];
    var held = new Uint8Array(0);
    var lineStart = 0;
    var decoder = new TextDecoder("utf-8", { ignoreBOM: true });
    chunks.forEach(function (chunk, index) {
      var bytes = bytesOf(chunk);
      var joined = new Uint8Array(held.length + bytes.length);
      joined.set(held);
      joined.set(bytes, held.length);
      held = joined;
      var position = lineStart;
      for (var i = position; i < held.length; i++) {
        var byte = held[i];
        if (byte !== 10 && byte !== 13) continue;
        if (byte === 13 && i + 1 === held.length) break; // maybe the CR of a CRLF: wait
        var end = i + (byte === 13 && held[i + 1] === 10 ? 2 : 1);
        if (i === position) { // a blank line: the event is complete
          var event = readEvent(decoder.decode(held.subarray(0, end)), events.length === 0);
          if (event) {
            event.chunk = index;
            event.at = chunk.at;
            events.push(event);
          }
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
    return { events: events, pending: pending };
  }

  function readEvent(text, first) {
    if (first) text = text.replace(/^\ufeff/, "");
    var name = "";
    var data = [];
    text.split(/\r\n|\r|\n/).forEach(function (line) {
      if (!line || line.charAt(0) === ":") return;
      var colon = line.indexOf(":");
      var field = colon < 0 ? line : line.slice(0, colon);
      var value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
      if (field === "event") name = value;
      else if (field === "data") data.push(value);
    });
    if (!data.length) return null; // a comment, or no data: no event is dispatched
    var event = { name: name || "message", data: data.join("\n") };
    try {
      event.json = JSON.parse(event.data);
    } catch (error) {
      event.bad = true;
    }
    return event;
  }

  // ------------------------------------------------------------------ the message, as the SDK builds it

  // The state after the first `count` events: the message, its blocks by index, and how the
  // stream stands (complete at message_stop, failed at an `error` event or unreadable data).
  function assemble(events, count) {
    var state = { message: null, blocks: [], failure: null, complete: false };
    for (var i = 0; i < count && !state.failure; i++) {
      var event = events[i];
      var data = event.json;
      if (event.bad || !data || typeof data !== "object") {
        state.failure = { kind: "malformed", text: "data: is not JSON; a client's parser fails here" };
      } else if (event.name === "error" || data.type === "error") {
        var error = data.error || {};
        state.failure = { kind: "error", type: String(error.type), text: String(error.message) };
      } else {
        apply(state, data);
      }
    }
    return state;
  }

  function apply(state, data) {
    var block = state.blocks[data.index];
    var delta = data.delta || {};
    if (data.type === "message_start") {
      state.message = Object.assign({}, data.message);
      state.message.usage = Object.assign({}, (data.message || {}).usage);
    } else if (data.type === "content_block_start") {
      block = Object.assign({ open: true }, data.content_block);
      if (block.type === "tool_use" || block.type === "server_tool_use") block.json = "";
      state.blocks[data.index] = block;
    } else if (data.type === "content_block_delta" && block) {
      if (delta.type === "text_delta") block.text = (block.text || "") + delta.text;
      else if (delta.type === "input_json_delta") block.json += delta.partial_json;
      else if (delta.type === "thinking_delta") block.thinking = (block.thinking || "") + delta.thinking;
      else if (delta.type === "signature_delta") block.signature = delta.signature;
      else if (delta.type === "citations_delta") block.citations = (block.citations || []).concat([delta.citation]);
    } else if (data.type === "content_block_stop" && block) {
      block.open = false;
      if (block.json !== undefined && block.json) {
        try {
          block.input = JSON.parse(block.json);
        } catch (error) {
          block.invalid = error.message;
        }
      }
    } else if (data.type === "message_delta" && state.message) {
      state.message.stop_reason = delta.stop_reason;
      state.message.stop_sequence = delta.stop_sequence;
      Object.keys(data.usage || {}).forEach(function (key) {
        if (data.usage[key] !== null) state.message.usage[key] = data.usage[key];
      });
    } else if (data.type === "message_stop") {
      state.complete = true;
    }
  }

  // ------------------------------------------------------------------ the player

  function Player(root, data) {
    this.root = root;
    this.data = data;
    var parsed = parseStream(data.chunks || []);
    this.events = parsed.events;
    this.pending = parsed.pending;
    var chunks = data.chunks || [];
    this.total = chunks.length ? Math.max(data.at, chunks[chunks.length - 1].at) : data.at;
    this.t = 0;
    this.speed = 1;
    this.playing = false;
    this.shown = null;
    this.marks = this.findMarks();
    this.build();
    this.render();
    this.announce("Press play, or step through what arrives with the arrow keys.");
  }

  Player.prototype.findMarks = function () {
    var marks = [];
    var first = this.events.find(function (e) {
      var d = e.json && e.json.delta;
      return d && ((d.type === "text_delta" && d.text) || (d.type === "input_json_delta" && d.partial_json));
    });
    var end = assemble(this.events, this.events.length);
    var stop = this.events.find(function (e) { return e.json && e.json.type === "message_stop"; });
    if (first) marks.push(["ttft", first.at, "first token"]);
    if (end.failure && end.failure.kind === "error") {
      var failed = this.events.find(function (e) { return e.name === "error"; });
      marks.push(["fail", failed.at, "error event"]);
    } else if (this.data.body !== undefined) {
      marks.push(["fail", this.data.at, "HTTP " + this.data.status]);
    } else if (!end.complete) {
      marks.push(["fail", this.total, this.data.cut ? "connection dropped" : "body ended early"]);
    } else if (stop) {
      marks.push(["done", stop.at, "a non-streaming call returns"]);
    }
    return marks;
  };

  Player.prototype.build = function () {
    var self = this;
    var root = this.root;
    var title = root.getAttribute("data-title") || this.data.recording;
    root.setAttribute("role", "group");
    root.setAttribute("aria-label", "Stream player: " + title);
    var bar = el("div", "sp-controls");
    this.playButton = el("button", "sp-button");
    this.playButton.type = "button";
    this.playButton.addEventListener("click", function () { self.toggle(); });
    var restart = el("button", "sp-button");
    restart.type = "button";
    restart.setAttribute("aria-label", "Restart");
    restart.append(icon("restart"));
    restart.addEventListener("click", function () { self.restart(); });
    this.speedSelect = el("select", "sp-speed");
    this.speedSelect.setAttribute("aria-label", "Speed");
    SPEEDS.forEach(function (speed) {
      var option = el("option", "", speed[1]);
      option.value = speed[0];
      option.selected = speed[0] === "1";
      self.speedSelect.append(option);
    });
    this.speedSelect.addEventListener("change", function () { self.setSpeed(Number(this.value)); });
    var track = el("div", "sp-track");
    this.scrubber = el("input", "sp-scrubber");
    this.scrubber.type = "range";
    this.scrubber.min = "0";
    this.scrubber.max = String(Math.round(this.total * 1000));
    this.scrubber.step = "1";
    this.scrubber.setAttribute("aria-label", "Position in the stream");
    this.scrubber.addEventListener("input", function () { self.seek(Number(this.value) / 1000); });
    var ticks = el("div", "sp-ticks");
    ticks.setAttribute("aria-hidden", "true");
    var at = function (t) { return (self.total ? (100 * t) / self.total : 0) + "%"; };
    (this.data.chunks || []).forEach(function (chunk) {
      var tick = el("span", "sp-tick");
      tick.style.left = at(chunk.at);
      ticks.append(tick);
    });
    this.marks.forEach(function (mark) {
      var tick = el("span", "sp-mark sp-" + mark[0]);
      tick.style.left = at(mark[1]);
      ticks.append(tick);
    });
    track.append(this.scrubber, ticks);
    this.clock = el("span", "sp-clock");
    bar.append(this.playButton, restart, this.speedSelect, track, this.clock);

    var legend = el("ul", "sp-legend");
    this.marks.forEach(function (mark) {
      var item = el("li", "sp-" + mark[0]);
      item.setAttribute("data-at", mark[1]);
      item.append(el("span", "sp-swatch"), mark[2] + " at " + seconds(mark[1], 3));
      legend.append(item);
    });

    this.status = el("p", "sp-status");
    this.status.setAttribute("aria-live", "polite");

    var panes = el("div", "sp-panes");
    this.log = el("ol", "sp-log");
    this.log.tabIndex = 0;
    this.log.setAttribute("aria-label", "Events received");
    this.entries = this.events.map(function (event) { return self.entry(event); });
    this.headerEntry = el("li", "sp-http");
    this.headerEntry.append(el("span", "sp-time", seconds(this.data.at, 3)),
      el("span", "sp-name", "HTTP " + this.data.status), " " + ((this.data.headers || {})["content-type"] || ""));
    if (this.data.body !== undefined) this.headerEntry.append(el("code", "", this.data.body));
    this.pendingEntry = el("li", "sp-pending");
    this.endEntry = el("li", "sp-end");
    this.log.append(this.headerEntry);
    this.entries.forEach(function (entry) { self.log.append(entry); });
    this.log.append(this.pendingEntry, this.endEntry);
    this.message = el("div", "sp-message");
    this.message.tabIndex = 0;
    this.message.setAttribute("role", "region");
    this.message.setAttribute("aria-label", "The message as the SDK assembles it");
    var logPane = el("div", "sp-pane");
    logPane.append(el("p", "sp-pane-title", "Events, as they arrive"), this.log);
    var messagePane = el("div", "sp-pane");
    messagePane.append(el("p", "sp-pane-title", "The message, as the SDK assembles it"), this.message);
    panes.append(messagePane, logPane);

    var source = el("p", "sp-source");
    var faults = (this.data.faults || []).join(" ");
    var link = el("a", "", (this.data.provenance || {}).source || "recording");
    link.href = new URL("../recordings/#where-the-recordings-on-this-site-come-from", HERE).href;
    source.append("Replays " + this.data.recording + (faults ? " with --fault " + faults : "") + " (", link, ").");

    root.replaceChildren(el("p", "sp-title", title), bar, legend, this.status, panes, source);
    root.addEventListener("keydown", function (event) { self.key(event); });
  };

  Player.prototype.entry = function (event) {
    var item = el("li", "sp-event");
    var code = el("code");
    event.data.split(/(?<=[,{[])/).forEach(function (piece, i) { // a line may break after , { [
      if (i) code.append(el("wbr"));
      code.append(piece);
    });
    item.append(el("span", "sp-time", seconds(event.at, 3)), el("span", "sp-name", event.name), code);
    return item;
  };

  // ---------------------------------------------------------------- time

  Player.prototype.toggle = function () {
    if (this.playing) this.pause();
    else this.play();
  };

  Player.prototype.play = function () {
    if (this.t >= this.total) this.t = 0;
    if (this.speed === 0) {
      this.t = this.total;
      this.render();
      this.end();
      return;
    }
    this.playing = true;
    this.anchor();
    this.render();
    this.announce("Playing at " + this.speedSelect.selectedOptions[0].textContent + ".");
    this.tick();
  };

  Player.prototype.anchor = function () {
    this.wallStart = performance.now();
    this.tStart = this.t;
  };

  Player.prototype.tick = function () {
    var self = this;
    requestAnimationFrame(function (now) {
      if (!self.playing) return;
      try {
        self.t = Math.min(self.total, self.tStart + ((now - self.wallStart) / 1000) * self.speed);
        self.render();
        if (self.t >= self.total) self.end();
        else self.tick();
      } catch (error) {
        fail(self.root, error);
      }
    });
  };

  Player.prototype.pause = function () {
    this.playing = false;
    this.render();
    this.announce.apply(this, this.summary("Paused at "));
  };

  Player.prototype.end = function () {
    this.playing = false;
    this.render();
    this.announce.apply(this, this.summary("Ended at "));
  };

  Player.prototype.seek = function (t) {
    this.t = Math.max(0, Math.min(this.total, t));
    if (this.playing) this.anchor();
    this.render();
    if (!this.playing) this.announce.apply(this, this.summary("At "));
  };

  Player.prototype.restart = function () {
    this.t = 0;
    this.playing = false;
    this.play();
  };

  Player.prototype.setSpeed = function (speed) {
    this.speed = speed;
    if (!this.playing) return;
    if (speed === 0) this.play();
    else this.anchor();
  };

  // The moments something arrives: the headers, then each chunk. → and ← step between them.
  Player.prototype.step = function (direction) {
    var times = [this.data.at].concat((this.data.chunks || []).map(function (c) { return c.at; }));
    var t = this.t;
    if (direction > 0) {
      var next = times.find(function (time) { return time > t + 1e-9; });
      this.seek(next === undefined ? this.total : next);
    } else {
      var shown = times.filter(function (time) { return time <= t + 1e-9; });
      var current = shown.length ? shown[shown.length - 1] : 0;
      var before = times.filter(function (time) { return time < current - 1e-9; });
      this.seek(before.length ? before[before.length - 1] : 0);
    }
  };

  Player.prototype.key = function (event) {
    var target = event.target;
    var key = event.key;
    if (event.altKey || event.ctrlKey || event.metaKey || target.tagName === "SELECT") return;
    if (key === " " || key === "k") {
      if (key === " " && target.tagName === "BUTTON") return; // the button's own click
      this.toggle();
    } else if (key === "ArrowRight" || key === "ArrowLeft") {
      this.step(key === "ArrowRight" ? 1 : -1);
    } else if (key === "Home") {
      this.restart();
    } else {
      return;
    }
    event.preventDefault();
  };

  // ---------------------------------------------------------------- what is shown at time t

  Player.prototype.render = function () {
    var t = this.t + 1e-9;
    var chunks = this.data.chunks || [];
    var arrived = chunks.filter(function (c) { return c.at <= t; }).length;
    var count = this.events.filter(function (e) { return e.chunk < arrived; }).length;
    var started = t >= this.data.at;
    var ended = this.t >= this.total && started;
    this.clock.textContent = seconds(this.t) + " / " + seconds(this.total);
    this.scrubber.value = String(Math.round(this.t * 1000));
    this.scrubber.setAttribute("aria-valuetext", seconds(this.t) + " of " + seconds(this.total));
    this.playButton.replaceChildren(icon(this.playing ? "pause" : "play"));
    this.playButton.setAttribute("aria-label", this.playing ? "Pause" : "Play");
    this.root.setAttribute("data-state", this.playing ? "playing" : ended ? "ended" : "paused");
    var now = [arrived, count, started, ended].join();
    if (now === this.shown) return;
    this.shown = now;

    this.headerEntry.hidden = !started;
    this.entries.forEach(function (entry, i) {
      entry.hidden = i >= count;
      entry.classList.toggle("sp-new", i === count - 1);
    });
    var held = arrived ? this.pending[arrived - 1] : 0;
    this.pendingEntry.hidden = !held;
    this.pendingEntry.textContent = ended
      ? held + " bytes of an unfinished event arrived; a client drops them"
      : "… " + held + " bytes of the next event: not an event until its blank line";
    this.endEntry.hidden = !ended || this.data.body !== undefined;
    this.endEntry.textContent = this.data.cut ? "The connection dropped." : "The body ended.";
    this.state = assemble(this.events, count);
    this.renderMessage(started);
    this.follow();
  };

  Player.prototype.follow = function () {
    var log = this.log;
    var behavior = MOTION && MOTION.matches ? "auto" : "smooth";
    if (log.scrollHeight > log.clientHeight) log.scrollTo({ top: log.scrollHeight, behavior: behavior });
  };

  Player.prototype.renderMessage = function (started) {
    var state = this.state;
    var data = this.data;
    var box = this.message;
    var parts = [];
    if (!started) {
      parts.push(el("p", "sp-note", "Waiting for the response…"));
    } else if (data.body !== undefined) {
      parts.push(this.failure("HTTP " + data.status + " before any event", data.body));
    } else if (!state.message) {
      parts.push(el("p", "sp-note", "200 OK: waiting for message_start…"));
    } else {
      var m = state.message;
      parts.push(el("p", "sp-head", [m.id, m.model].filter(Boolean).join(" · ")));
      state.blocks.forEach(function (block, index) {
        if (block) parts.push(renderBlock(block, index));
      });
      var usage = m.usage || {};
      var foot = el("p", "sp-foot", "stop_reason: " + m.stop_reason + " · usage: " +
        usage.input_tokens + " in, " + usage.output_tokens + " out");
      foot.setAttribute("data-stop-reason", String(m.stop_reason));
      parts.push(foot);
    }
    var ended = this.t >= this.total && started;
    if (state.failure) {
      var failure = state.failure;
      parts.push(failure.kind === "error"
        ? this.failure("error event after 200 OK", failure.type + ": " + failure.text)
        : this.failure("unreadable event", failure.text));
    } else if (ended && data.body === undefined && !state.complete) {
      parts.push(this.failure("incomplete: no message_stop",
        data.cut ? "The connection dropped before the stream's end." : "The body ended before the stream's end."));
    } else if (state.complete) {
      parts.push(el("p", "sp-complete", "Complete: message_stop arrived."));
    }
    box.replaceChildren.apply(box, parts);
  };

  Player.prototype.failure = function (title, text) {
    var box = el("div", "sp-failure");
    box.append(el("strong", "", title), " ", el("span", "", text));
    return box;
  };

  function renderBlock(block, index) {
    var box = el("div", "sp-block" + (block.open ? " sp-open" : ""));
    box.setAttribute("data-type", block.type);
    box.setAttribute("data-index", index);
    var head = "[" + index + "] " + block.type + (block.name ? " " + block.name : "");
    box.append(el("p", "sp-block-head", head + (block.open ? "" : " (stopped)")));
    if (block.type === "text") {
      box.append(el("div", "sp-body", block.text || ""));
      (block.citations || []).forEach(function (c) {
        box.append(el("p", "sp-cite", "cites: “" + clip(String(c.cited_text), 120) + "”"));
      });
    } else if (block.type === "thinking") {
      box.append(el("div", "sp-body", block.thinking || ""));
      if (block.signature) {
        var sig = block.signature;
        var short = sig.length > 16 ? sig.slice(0, 8) + "…" + sig.slice(-4) : sig;
        box.append(el("p", "sp-sig", "signature: " + short + " (" + sig.length + " characters)"));
      }
    } else if (block.json !== undefined) {
      var parsed = !block.open && !block.invalid;
      var shown = parsed ? JSON.stringify(block.input || {}) : block.json;
      var label = parsed ? "input, parsed at content_block_stop:" : block.invalid
        ? "input is not valid JSON (" + block.invalid + "):" : "input so far, partial JSON:";
      var input = el("pre", "sp-input", shown);
      input.setAttribute("data-state", parsed ? "parsed" : "partial");
      box.append(el("p", "sp-label", label), input);
    } else {
      box.append(el("pre", "sp-input", JSON.stringify(block)));
    }
    return box;
  }

  // What a screen reader hears at a pause, a seek or the end: the state, not every delta.
  Player.prototype.summary = function (when) {
    var state = this.state;
    var text = state.blocks.filter(function (b) { return b && b.type === "text"; })
      .map(function (b) { return b.text; }).join(" ");
    var count = this.entries.filter(function (e) { return !e.hidden; }).length;
    var failure = state.failure;
    var how = this.data.body !== undefined ? "Failed: HTTP " + this.data.status + " before any event."
      : failure ? "Failed: " + (failure.type ? "error event " + failure.type + ", " : "") + failure.text + "."
      : state.complete ? "Complete."
      : this.t >= this.total ? "Incomplete: no message_stop." : "";
    return [[when + seconds(this.t) + ":", count + " events.", how].filter(Boolean).join(" "), text ? "Text: " + clip(text, 300) : ""];
  };

  Player.prototype.announce = function (text, detail) {
    this.status.replaceChildren(text);
    if (detail) this.status.append(el("span", "sp-sr", " " + detail));
  };

  // ------------------------------------------------------------------ loading

  function fail(root, error) {
    var box = el("p", "sp-error", "The stream player could not play " +
      (root.getAttribute("data-src") || "its recording") + ": " + (error && error.message) + ".");
    root.replaceChildren(box);
    root.setAttribute("data-state", "error");
  }

  function mount(root) {
    if (root.getAttribute("data-state")) return;
    root.setAttribute("data-state", "loading");
    var src = root.getAttribute("data-src");
    Promise.resolve()
      .then(function () {
        if (!src) throw new Error("no data-src");
        return fetch(new URL(src, location.href));
      })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.text();
      })
      .then(function (text) {
        var data;
        try {
          data = JSON.parse(text);
        } catch (error) {
          throw new Error("its data is not JSON");
        }
        check(data);
        root.player = new Player(root, data);
      })
      .catch(function (error) {
        fail(root, error);
      });
  }

  window.mountStreamPlayers = function () {
    document.querySelectorAll(".stream-player").forEach(mount);
  };
  window.mountStreamPlayers();
})();
