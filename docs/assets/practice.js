// Practising the interview bank: rate each answer, see it again when it is due (FSRS-5, from
// vendor/femto-fsrs.js), progress, a timed mock interview. site.js loads it on the bank's pages:
// a group page (<div class="iq" data-qid>), the index (<ul class="iq-list">), the mock interview
// (<form class="iq-setup">). Progress stays in localStorage under KEY, as {format, version,
// questions: {id: review}}; it can be exported, imported and reset. Nothing is sent anywhere.
(() => {
  "use strict";

  const KEY = "streaming-interview-progress"; // the storage key, and the files' "format"
  const VERSION = 1;
  const DAY = 864e5;
  const AGAIN = 6e5; // "Again" brings a question back after ten minutes, as a learning step
  const MASTERED = 21; // days: a question next due this long after its review is mastered
  const GRADES = ["Again", "Hard", "Good", "Easy"];
  const LEVELS = { junior: "Junior", mid: "Mid", senior: "Senior", design: "Design" };
  const HERE = document.currentScript ? document.currentScript.src : location.href;
  const PRACTICE = new URL("../interview/practice/", HERE).href;
  const MOTION = matchMedia("(prefers-reduced-motion: reduce)");
  const fsrs = window.femtoFsrs.createDeck();
  const views = []; // what each part of the page shows of the progress, redrawn on a change
  const refresh = () => views.forEach((view) => view());

  // An element: its properties, or attributes for names it has no property of ("aria-*").
  function el(tag, props = {}, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(props)) {
      if (name in node) node[name] = value;
      else node.setAttribute(name, value);
    }
    node.append(...children);
    return node;
  }
  const hint = (key) => el("kbd", { textContent: key, "aria-hidden": "true" });
  // A button; given a key, it shows the key and names it to assistive technology.
  const button = (text, onclick, className = "iq-btn", key = "") =>
    el("button", { type: "button", className, onclick, ...(key && { "aria-keyshortcuts": key }) },
      ...(key ? [hint(key), " "] : []), text);
  const link = (href, textContent, className = "") => el("a", { href, textContent, className });
  const practise = (params) => `${PRACTICE}?${new URLSearchParams(params)}`;
  const count = (n, what) => `${n} ${what}${n === 1 ? "" : "s"}`;
  let live;
  function say(text) {
    if (!live) document.body.append((live = el("div", { className: "iq-live", role: "status" })));
    live.textContent = text;
  }

  // ---------------------------------------------------------------- progress, stored

  const store = { questions: {}, broken: "" };
  // A review's numbers: [lowest, highest, whole].
  const NUMBERS = { difficulty: [1, 10], stability: [0, 1e6], reviews: [1, 1e6, 1], lapses: [0, 1e6, 1], rating: [1, 4, 1] };
  function reviewProblem(r) {
    if (!r || typeof r !== "object") return "is not an object";
    for (const [name, [low, high, whole]] of Object.entries(NUMBERS)) {
      const v = r[name];
      if (typeof v !== "number" || v < low || v > high || (whole && v % 1)) return `has no ${name} from ${low} to ${high}`;
    }
    for (const name of ["due", "reviewed"]) if (!(typeof r[name] === "string" && Date.parse(r[name]) > 0)) return `has no ${name} date`;
    return "";
  }
  // A later format converts the one before it here: MIGRATE[1] turns version 1 into 2, etc.
  const MIGRATE = {};
  // [questions, ""] for progress these pages saved, or [null, "what is wrong"].
  function checked(data) {
    if (data?.format !== KEY) return [null, `it is not progress saved by these pages (no "format": "${KEY}")`];
    if (!Number.isInteger(data.version) || data.version < 1) return [null, "it has no version"];
    if (data.version > VERSION) return [null, `it was saved by a newer version (${data.version}) of these pages`];
    while (data.version < VERSION) data = MIGRATE[data.version](data);
    const found = data.questions;
    if (!found || typeof found !== "object" || Array.isArray(found)) return [null, "it has no questions"];
    for (const [id, review] of Object.entries(found)) {
      if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(id)) return [null, `"${id.slice(0, 40)}" is not a question's id`];
      const problem = reviewProblem(review);
      if (problem) return [null, `the entry of "${id}" ${problem}`];
    }
    return [found, ""];
  }
  function parsed(text) {
    try {
      return checked(JSON.parse(text));
    } catch {
      return [null, "it is not JSON"];
    }
  }
  function storage(action) {
    try {
      return action(localStorage); // a browser may refuse storage: progress then lasts the visit
    } catch {
      return null;
    }
  }
  function load() {
    const text = storage((s) => s.getItem(KEY));
    const [found, problem] = text === null ? [{}, ""] : parsed(text);
    Object.assign(store, { questions: found || {}, broken: problem });
  }
  const saved = () => ({ format: KEY, version: VERSION, questions: store.questions });
  const save = () => storage((s) => s.setItem(KEY, JSON.stringify(saved())));

  // ---------------------------------------------------------------- the schedule

  const round = (x) => Math.max(0.01, Math.round(x * 1e4) / 1e4);
  const iso = (time) => new Date(time).toISOString();
  // The review a grade (1-4) would give a question now: FSRS-5's interval, in whole days.
  function after(id, grade, now) {
    const old = store.questions[id];
    const card = old
      ? fsrs.gradeCard({ D: old.difficulty, S: old.stability }, Math.max(0, now - Date.parse(old.reviewed)) / DAY, grade)
      : fsrs.newCard(grade);
    return {
      difficulty: round(card.D),
      stability: round(card.S),
      due: iso(now + (grade === 1 ? AGAIN : Math.round(card.I) * DAY)),
      reviewed: iso(now),
      reviews: (old?.reviews || 0) + 1,
      lapses: (old?.lapses || 0) + (!!old && grade === 1),
      rating: grade,
    };
  }
  function wait(ms) {
    const minutes = Math.round(ms / 6e4);
    if (minutes < 60) return count(minutes, "minute");
    if (minutes < 1440) return count(Math.round(minutes / 60), "hour");
    const days = Math.round(ms / DAY);
    return days < 60 ? count(days, "day") : count(Math.round(days / 30.4), "month");
  }
  function endOfDay(now) {
    const day = new Date(now);
    return day.setHours(24, 0, 0, 0);
  }
  function when(time, now) {
    const date = new Date(time);
    if (time < endOfDay(now)) return `at ${date.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" })}`;
    return `on ${date.toLocaleDateString([], { day: "numeric", month: "short", year: time - now > 3e2 * DAY ? "numeric" : undefined })}`;
  }
  function rate(id, grade) {
    if (store.broken) return "Not saved: the progress stored in this browser cannot be read.";
    const now = Date.now();
    store.questions[id] = after(id, grade, now);
    const kept = save() === undefined ? "" : " (this browser keeps nothing: it lasts this visit)";
    const due = Date.parse(store.questions[id].due);
    return `Rated ${GRADES[grade - 1]}: due again in ${wait(due - now)}, ${when(due, now)}${kept}.`;
  }
  // new, due, learning or mastered, in words; and what the counts of a group add up.
  function stateOf(id, now = Date.now()) {
    const review = store.questions[id];
    if (!review) return { key: "new", text: "New" };
    const due = Date.parse(review.due);
    const mastered = due - Date.parse(review.reviewed) >= MASTERED * DAY;
    const base = { seen: 1, mastered, today: due < endOfDay(now) };
    if (due <= now) return { ...base, key: "due", text: "Due now" };
    const key = mastered ? "mastered" : "learning";
    return { ...base, key, text: `${mastered ? "Mastered" : "Learning"}, due ${when(due, now)}` };
  }
  function tally(ids) {
    const states = ids.map((id) => stateOf(id));
    const of = (name) => states.filter((s) => s[name]).length;
    return `${of("mastered")} mastered, ${of("seen")} seen, ${of("today")} due today, of ${ids.length}`;
  }
  const showState = (node, id) => {
    const state = stateOf(id);
    Object.assign(node, { textContent: state.text }).dataset.state = state.key;
  };

  // The rating buttons of a question: each says when the question would come back.
  function rater(id, done) {
    const label = el("p", { className: "iq-rate-label", id: `iq-rate-${id}`, textContent: "How well did you know it?" });
    const grades = GRADES.map((name, i) => button("", () => {
      done(rate(id, i + 1), i + 1);
      refresh();
    }, "iq-btn iq-grade"));
    const bar = el("div", { className: "iq-rate", role: "group", "aria-labelledby": label.id }, label, ...grades);
    bar.update = (keys) => {
      const now = Date.now();
      grades.forEach((grade, i) => {
        const next = Date.parse(after(id, i + 1, now).due) - now;
        grade.replaceChildren(...(keys ? [hint(i + 1), " "] : []), `${GRADES[i]} `, el("small", { textContent: wait(next) }));
        if (keys) grade.setAttribute("aria-keyshortcuts", i + 1);
        grade.disabled = !!store.broken;
      });
    };
    return bar;
  }

  // ---------------------------------------------------------------- messages, files

  // Under the page's title: the stored progress cannot be read, and the way out.
  function notice() {
    const text = el("p");
    const box = el("div", { className: "iq-notice", hidden: true, role: "alert" },
      text, el("p", {}, button("Reset progress", reset, "iq-btn iq-primary")));
    document.querySelector(".md-content h1")?.after(box);
    views.push(() => {
      box.hidden = !store.broken;
      text.textContent = `The progress stored in this browser cannot be read: ${store.broken}. Nothing has been changed, and ratings are not saved until you reset it or import a file.`;
    });
  }
  function download(text, download) {
    const a = el("a", { href: URL.createObjectURL(new Blob([text], { type: "application/json" })), download });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 6e4);
  }
  function exportFile() {
    const now = iso(Date.now());
    download(`${JSON.stringify({ ...saved(), exported: now }, null, 2)}\n`, `${KEY}-${now.slice(0, 10)}.json`);
    return `Exported the progress of ${count(Object.keys(store.questions).length, "question")}.`;
  }
  // A file merged in: for each question, the newer review of the two.
  function importText(text, name) {
    const [found, problem] = parsed(text);
    if (!found) return `${name} was not imported: ${problem}. Nothing has been changed.`;
    if (store.broken) Object.assign(store, { questions: {}, broken: "" });
    let taken = 0;
    for (const [id, review] of Object.entries(found)) {
      const mine = store.questions[id];
      if (!mine || Date.parse(review.reviewed) > Date.parse(mine.reviewed)) {
        store.questions[id] = review;
        taken += 1;
      }
    }
    save();
    refresh();
    return `Imported ${name}: ${taken} of ${count(Object.keys(found).length, "question")} taken (the newer review of each).`;
  }
  function reset() {
    const ask = store.broken
      ? "Delete the unreadable progress stored in this browser?"
      : `Delete your progress on ${count(Object.keys(store.questions).length, "question")} from this browser? Export it first to keep a copy.`;
    if (!confirm(ask)) return "Nothing was deleted.";
    storage((s) => s.removeItem(KEY));
    Object.assign(store, { questions: {}, broken: "" });
    refresh();
    return "Progress reset: every question is new again.";
  }
  function fileTools() {
    const message = el("p", { className: "iq-message", role: "status" });
    const show = (text) => (message.textContent = text);
    const input = el("input", { type: "file", accept: ".json,application/json", className: "iq-import", hidden: true });
    input.onchange = async () => {
      const file = input.files[0];
      input.value = "";
      if (file) show(importText(await file.text(), file.name));
    };
    return el("div", {},
      el("p", {}, "Your progress stays in this browser. Move it to another as a file:"),
      el("p", {}, button("Export progress", () => show(exportFile())), " ",
        button("Import progress", () => input.click()), " ", button("Reset progress", () => show(reset())), input),
      message);
  }

  // ---------------------------------------------------------------- a group page

  function groupPage(boxes) {
    const open = (on) => boxes.forEach((box) => box.querySelectorAll("details.iq-answer").forEach((d) => (d.open = on)));
    const first = boxes[0].previousElementSibling;
    (/^H[23]$/.test(first?.tagName) ? first : boxes[0]).before(el("div", { className: "iq-toolbar" },
      button("Expand all", () => open(true)), " ", button("Collapse all", () => open(false)), " ",
      link(practise({ group: boxes[0].dataset.group }), "Practise this group", "iq-btn")));
    for (const box of boxes) {
      const id = box.dataset.qid;
      const state = el("span", { className: "iq-state" });
      const badge = box.querySelector(".iq-level");
      const where = el("span", {}, " ", state, " ", link(practise({ question: id }), "Practise it", "iq-go"));
      if (badge) badge.after(where);
      else box.prepend(where);
      const bar = rater(id, say);
      (box.querySelector("details.iq-answer") || box).append(bar);
      views.push(() => {
        showState(state, id);
        bar.update(false);
      });
    }
  }

  // ---------------------------------------------------------------- the index

  function indexPage(lists) {
    const query = new URLSearchParams(location.search);
    const sections = lists.map((list) => {
      const progress = el("p", { className: "iq-progress" });
      list.before(progress);
      const items = [...list.querySelectorAll("li[data-qid]")];
      items.forEach((item) => item.append(" ", el("span", { className: "iq-state" })));
      return { key: list.dataset.group, title: list.dataset.title, nodes: [list.previousElementSibling, progress, list], items };
    });
    const choose = (name, all, options) => {
      const select = el("select", { name }, el("option", { value: "", textContent: all }),
        ...options.map(([value, textContent]) => el("option", { value, textContent })));
      select.value = options.some(([value]) => value === query.get(name)) ? query.get(name) : "";
      select.onchange = filter;
      return el("label", {}, `${name[0].toUpperCase()}${name.slice(1)} `, select);
    };
    const levels = Object.entries(LEVELS).filter(([key]) => document.querySelector(`.iq-list [data-level="${key}"]`));
    const group = choose("group", "All groups", sections.map((s) => [s.key, s.title]));
    const level = choose("level", "All levels", levels);
    const shown = el("output");
    const total = el("p");
    (document.querySelector(".iq-tools") || lists[0]).append(total,
      el("form", { className: "iq-filter", onsubmit: (e) => e.preventDefault() }, group, " ", level, " ", shown), fileTools());
    function filter() {
      const [g, l] = [group, level].map((label) => label.lastChild.value);
      let visible = 0;
      for (const s of sections) {
        s.items.forEach((item) => (item.hidden = (g && s.key !== g) || (l && item.dataset.level !== l)));
        const here = s.items.filter((item) => !item.hidden).length;
        s.nodes.forEach((node) => (node.hidden = !here));
        visible += here;
      }
      shown.textContent = `Showing ${visible} of ${count(sections.flatMap((s) => s.items).length, "question")}.`;
    }
    filter();
    views.push(() => {
      for (const s of sections) {
        s.items.forEach((item) => showState(item.lastElementChild, item.dataset.qid));
        s.nodes[1].replaceChildren(`Your progress: ${tally(s.items.map((item) => item.dataset.qid))}. `,
          link(practise({ group: s.key }), `Practise ${s.title}`));
      }
      const ids = [...document.querySelectorAll(".iq-list li[data-qid]")].map((item) => item.dataset.qid);
      total.replaceChildren(`All questions: ${tally(ids)}. `, link(PRACTICE, "Start a mock interview"));
    });
  }

  // ---------------------------------------------------------------- the mock interview

  function shuffle(list) {
    for (let i = list.length - 1; i > 0; i--) {
      const j = Math.floor(Math.random() * (i + 1));
      [list[i], list[j]] = [list[j], list[i]];
    }
    return list;
  }
  const clockText = (ms) => {
    const s = Math.ceil(Math.abs(ms) / 1e3);
    return `${ms < -999 ? "-" : ""}${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
  };
  const spoken = (ms) => {
    const s = Math.max(0, Math.ceil(ms / 1e3));
    return [s >= 60 && count(Math.floor(s / 60), "minute"), (s % 60 || s < 60) && count(s % 60, "second")].filter(Boolean).join(" ");
  };
  // What the timer announces: these moments only, never each second.
  const MARKS = [[6e4, "One minute left."], [3e4, "30 seconds left."], [0, "Time is up."]];

  async function practicePage(form) {
    const status = form.querySelector(".iq-count");
    const query = new URLSearchParams(location.search);
    for (const name of ["group", "level"]) {
      const wanted = query.getAll(name).flatMap((v) => v.split(","));
      if (wanted.length) form.querySelectorAll(`[name=${name}]`).forEach((box) => (box.checked = wanted.includes(box.value)));
    }
    const minutes = (name, fallback) => {
      const input = form.elements[name];
      if (query.get(name)) input.value = query.get(name);
      return () => (input.checkValidity() && +input.value > 0 ? +input.value : fallback) * 6e4;
    };
    const limits = { standard: minutes("minutes", 2), design: minutes("design-minutes", 10) };
    // The list of questions now; a group's answers when one of its questions is first asked.
    const source = new URL(form.dataset.src, location.href);
    const answers = {};
    const answersOf = (group) => (answers[group] ||= fetch(new URL(`${group}.json`, source))
      .then((response) => response.json())
      .catch((error) => {
        delete answers[group];
        throw error;
      }));
    let data;
    try {
      data = await (await fetch(new URL("questions.json", source))).json();
    } catch (error) {
      status.textContent = `The questions could not be loaded (${error.message}); reload the page to try again.`;
      return;
    }
    const picked = () => {
      const ticked = (name) => [...form.querySelectorAll(`[name=${name}]:checked`)].map((box) => box.value);
      return data.questions.filter((q) => ticked("group").includes(q.group) && ticked("level").includes(q.level));
    };
    const describe = () => {
      const states = picked().map((q) => stateOf(q.id).key);
      const of = (key) => states.filter((s) => s === key).length;
      status.textContent = states.length
        ? `${count(states.length, "question")} chosen: ${of("due")} due now, ${of("new")} new.`
        : "No question chosen: tick at least one group and one level.";
    };
    form.addEventListener("change", describe);
    views.push(describe);
    form.after(fileTools());

    // The stage: one question at a time.
    const meta = el("p", { className: "iq-meta" });
    const title = el("h2", { className: "iq-question", tabIndex: -1, id: "iq-question" });
    const clock = el("span", { className: "iq-clock", role: "timer", "aria-labelledby": "iq-clock-label" });
    const pause = el("button", { type: "button", className: "iq-btn", onclick: () => togglePause(), "aria-keyshortcuts": "P" });
    const reveal = button("Show answer", () => showAnswer(), "iq-btn iq-primary", "Space");
    const back = el("div", { className: "iq-back", hidden: true });
    const result = el("p", { className: "iq-result" });
    const next = button("Next question", () => nextQuestion(), "iq-btn iq-primary", "N");
    const stage = el("section", { className: "iq-stage", hidden: true, "aria-labelledby": title.id },
      meta, title, el("p", { className: "iq-timer" }, el("span", { id: "iq-clock-label", textContent: "Time left" }), " ", clock, " ", pause),
      el("p", {}, reveal), back,
      el("p", {}, next, " ", button("Keys", () => keys.showModal(), "iq-btn", "?"), " ", button("End the session", () => finish())));
    const summary = el("section", { className: "iq-end", hidden: true });
    // The keys, as the page lists them under its heading "Keys".
    const keys = el("dialog", { className: "iq-keys", "aria-labelledby": "iq-keys-title" },
      el("h2", { id: "iq-keys-title", textContent: "Keys" }),
      document.querySelector("#keys + p").cloneNode(true), button("Close (Esc)", () => keys.close()));
    form.after(stage, summary, keys);

    const session = { queue: [], at: -1, rated: [], active: false };
    const timer = { limit: 0, used: 0, since: 0, running: false, said: [], id: 0 };
    let current = null;
    let bar = null;
    const left = () => timer.limit - timer.used - (timer.running ? Date.now() - timer.since : 0);
    function tick() {
      const ms = left();
      clock.textContent = clockText(ms);
      stage.classList.toggle("iq-over", ms <= 0);
      const crossed = MARKS.filter(([at]) => ms <= at && timer.limit > at && !timer.said.includes(at));
      timer.said.push(...crossed.map(([at]) => at));
      if (crossed.length) say(crossed.at(-1)[1]);
    }
    function run(on) {
      clearInterval(timer.id);
      if (on) {
        timer.since = Date.now();
        timer.id = setInterval(tick, 250);
      } else if (timer.running) timer.used += Date.now() - timer.since;
      timer.running = on;
      pause.textContent = on ? "Pause" : "Resume";
      pause.hidden = !!current?.revealed;
      tick();
    }
    function togglePause() {
      if (!current || current.revealed) return;
      run(!timer.running);
      say(`Timer ${timer.running ? "running" : "paused"}: ${spoken(left())} left.`);
    }
    const focus = (node) => node.focus({ preventScroll: MOTION.matches });

    function start(first) {
      const pool = picked();
      const due = pool.filter((q) => stateOf(q.id).key === "due");
      session.queue = [...shuffle(due), ...shuffle(pool.filter((q) => !due.includes(q)))];
      if (first) session.queue = [first, ...session.queue.filter((q) => q !== first)];
      if (!session.queue.length) return describe();
      Object.assign(session, { at: -1, rated: [], active: true });
      form.hidden = summary.hidden = true;
      stage.hidden = false;
      nextQuestion();
    }
    function show(q) {
      current = { ...q, revealed: false, rated: 0 };
      bar = null;
      const place = `Question ${session.at + 1} of ${session.queue.length}`;
      meta.replaceChildren(`${place} · ${data.groups[q.group].title} · `,
        el("span", { className: `iq-level iq-level--${q.level}`, textContent: LEVELS[q.level] }), " · ", el("span", { className: "iq-state" }));
      showState(meta.lastChild, q.id);
      title.innerHTML = q.question;
      answersOf(q.group).catch(() => {}); // fetched while the candidate answers
      back.hidden = true;
      reveal.hidden = false;
      result.textContent = "";
      Object.assign(timer, { limit: limits[q.level === "design" ? "design" : "standard"](), used: 0, said: [] });
      run(true);
      focus(title);
      title.scrollIntoView({ block: "nearest", behavior: MOTION.matches ? "auto" : "smooth" });
      say(`${place}, ${spoken(timer.limit)} on the clock: ${title.textContent}`);
    }
    async function showAnswer() {
      if (!current || current.revealed) return;
      const q = current;
      q.revealed = true;
      run(false);
      const spent = timer.limit - left();
      let a;
      try {
        a = (await answersOf(q.group))[q.id];
      } catch (error) {
        a = { headline: `The answer could not be loaded (${error.message}).`, answer: "", signals: [] };
      }
      if (current !== q) return; // the candidate has moved on
      const heading = el("h3", { tabIndex: -1, textContent: `The answer (you took ${clockText(spent)})` });
      bar = rater(q.id, (text, grade) => {
        q.rated = grade;
        session.rated.push(grade);
        result.textContent = text;
        say(text);
        bar.querySelectorAll("button").forEach((b) => (b.disabled = true));
        next.focus();
      });
      bar.update(true);
      const rows = (list, row) => list.flatMap(row);
      back.replaceChildren(heading, el("p", { className: "iq-headline" }, el("strong", { innerHTML: a.headline })),
        el("div", { innerHTML: a.answer }),
        el("h3", { textContent: "Did you say it? Tick what you covered" }),
        el("ul", { className: "iq-checklist" }, ...rows(a.signals, (signal) =>
          el("li", {}, el("label", {}, el("input", { type: "checkbox" }), " ", el("span", { innerHTML: signal }))))),
        ...(a.rubric ? [el("h3", { textContent: "The rubric" }), el("dl", { className: "iq-rubric" }, ...rows(Object.entries(a.rubric),
          ([level, text]) => [el("dt", { textContent: LEVELS[level] }), el("dd", { innerHTML: text })]))] : []),
        el("p", {}, link(new URL(`../${data.groups[q.group].page}#${q.id}`, source).href, "The whole answer, on its page")), bar, result);
      back.hidden = false;
      reveal.hidden = true;
      focus(heading);
      say(`Answer shown, after ${spoken(spent)}. Rate it with 1 to 4.`);
    }
    function nextQuestion() {
      if (session.at + 1 >= session.queue.length) return finish();
      session.at += 1;
      show(session.queue[session.at]);
    }
    function finish() {
      run(false);
      session.active = false;
      current = null;
      stage.hidden = true;
      const by = GRADES.map((g, i) => `${g} ${session.rated.filter((r) => r === i + 1).length}`).join(", ");
      const done = `${count(session.rated.length, "question")} rated (${by}), of ${session.at + 1} seen.`;
      const heading = el("h2", { tabIndex: -1, textContent: "Session over" });
      summary.replaceChildren(heading, el("p", { textContent: done }), el("p", {}, button("Practise again", () => {
        summary.hidden = true;
        form.hidden = false;
        form.querySelector("[type=submit]").focus();
      }, "iq-btn iq-primary")));
      summary.hidden = false;
      heading.focus();
      say(`Session over: ${done}`);
    }
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      start(null);
    });
    views.push(() => {
      if (current) showState(meta.lastChild, current.id);
      if (current && !current.rated) bar?.update(true);
    });

    // Keys, while a question is shown; taken before Material's own (n and p turn its pages).
    addEventListener("keydown", (event) => {
      const target = event.target;
      if (!session.active || keys.open || event.ctrlKey || event.metaKey || event.altKey) return;
      if (target.closest("textarea, select, [contenteditable]") || target.matches("input:not([type=checkbox])")) return;
      const key = event.key.toLowerCase();
      if (key === " ") {
        if (target.closest("button, a, input, summary") || current.revealed) return;
        showAnswer();
      } else if (/^[1-4]$/.test(key)) {
        if (current.revealed && !current.rated) bar?.querySelectorAll("button")[key - 1].click();
      } else if (key === "n") nextQuestion();
      else if (key === "p") togglePause();
      else if (key === "?") keys.showModal();
      else return;
      event.preventDefault();
      event.stopImmediatePropagation();
    }, true);

    describe();
    form.querySelector("[type=submit]").disabled = false;
    const first = data.questions.find((q) => q.id === query.get("question"));
    if (first) start(first);
    document.body.dataset.practice = "ready"; // for the tests: the questions are here
  }

  // ---------------------------------------------------------------- on the page

  load();
  const boxes = [...document.querySelectorAll(".iq[data-qid]")];
  const lists = [...document.querySelectorAll("ul.iq-list")];
  const form = document.querySelector("form.iq-setup");
  notice();
  if (boxes.length) groupPage(boxes);
  if (lists.length) indexPage(lists);
  if (form) practicePage(form);
  else document.body.dataset.practice = "ready"; // for the tests: the page is set up
  addEventListener("storage", (event) => {
    if (event.key === KEY || event.key === null) {
      load();
      refresh();
    }
  });
  refresh();
})();
