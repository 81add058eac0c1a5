"""`python3 dev.py bench`: figures for this machine, printed, and with --write published.

Never part of the pass/fail tests. Sections (`--only` picks some):

- fidelity: every recording replayed at speed 1 to a client on 127.0.0.1; each event's
  observed minus recorded arrival offset, every stream on a new connection;
- load: 100 and 300 concurrent clients at speed 0 and 1; every stream byte-identical, none
  lost, events per second, the server's peak memory;
- snippets: what the suite pays per snippet at speed 0 beyond the one-time `import anthropic`;
- suite: the whole test suite's wall time (minutes; only with --suite, or --write);
- site: `mkdocs build --strict`, and each page's first visit in headless Chromium;
- costs: the replay tool's own costs (a request that matches nothing, loading a large
  recording), from issue 13.

`--write` merges the figures into docs/benchmarks/figures.json and renders
docs/benchmarks/figures.txt, which the Benchmarks page includes.
"""
