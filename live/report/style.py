"""The page's inline CSS: one column on a phone, cards and plots side by side on a wide screen.
No web fonts, no external anything: the page must open offline, years later."""

CSS = """
:root { --good:#2e9d5b; --border:#c98a00; --fault:#d9534f; --unknown:#8a8f98; --ink:#1d2330; --soft:#5b6372;
        --line:#e3e6eb; --card:#f6f7f9; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink);
       background: #fff; }
main { max-width: 1240px; margin: 0 auto; padding: 16px; }
h1 { font-size: 1.5rem; margin: 0 0 4px; }
h2 { font-size: 1.15rem; margin: 28px 0 10px; padding-bottom: 4px; border-bottom: 2px solid var(--line); }
p { margin: 6px 0; }
.sub { color: var(--soft); font-size: .9rem; overflow-wrap: anywhere; }
.notes { background: #fff6e0; border-left: 4px solid var(--border); padding: 8px 12px; margin: 12px 0; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(min(100%, 260px), 1fr)); gap: 12px; }
.card { background: var(--card); border-radius: 8px; padding: 12px 14px; border-left: 6px solid var(--unknown); }
.card.good { border-left-color: var(--good); } .card.borderline { border-left-color: var(--border); }
.card.fault { border-left-color: var(--fault); }
.card h3 { margin: 0; font-size: .95rem; font-weight: 600; }
.big { font-size: 2rem; font-weight: 700; line-height: 1.15; margin: 4px 0; }
.unit { font-size: 1rem; font-weight: 400; color: var(--soft); }
.badge { display: inline-block; font-size: .75rem; font-weight: 700; text-transform: uppercase; letter-spacing: .04em;
         padding: 1px 7px; border-radius: 10px; color: #fff; background: var(--unknown); }
.good .badge { background: var(--good); } .borderline .badge { background: var(--border); }
.fault .badge { background: var(--fault); }
.card .meaning, .card .target { font-size: .85rem; color: var(--soft); }
.scroll { overflow-x: auto; -webkit-overflow-scrolling: touch; }
table.setup td { overflow-wrap: anywhere; }
table { border-collapse: collapse; width: 100%; font-size: .9rem; }
th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: var(--card); font-weight: 600; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.plots { display: grid; grid-template-columns: repeat(auto-fill, minmax(min(100%, 480px), 1fr)); gap: 14px; }
.keyframes { display: grid; grid-template-columns: repeat(3, minmax(0, 1fr)); gap: 8px; max-width: 720px; margin-bottom: 14px; }
figure { margin: 0; background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 8px; }
figure img { width: 100%; height: auto; display: block; }
figcaption { font-weight: 600; font-size: .95rem; margin-bottom: 4px; }
.legend { display: flex; flex-wrap: wrap; gap: 6px 18px; font-size: .85rem; color: var(--soft); margin: 6px 0 12px; }
.sw { display: inline-block; width: 14px; height: 14px; vertical-align: -2px; margin-right: 5px; border-radius: 3px; }
.sw.dot { border-radius: 50%; background: #1f5fa8; } .sw.ring { border-radius: 50%; border: 2px solid #1f5fa8; }
.sw.goodband { background: rgba(46,157,91,.25); } .sw.faultband { background: rgba(217,83,79,.22); }
.sw.cue { width: 0; border-left: 2px dashed #7b3fa0; border-radius: 0; }
td .unit { font-size: .8em; }
.leg-diff { font-weight: 600; color: var(--fault); }
dl.setup { display: grid; grid-template-columns: minmax(7em, max-content) 1fr; gap: 4px 14px; margin: 0; font-size: .9rem; }
dl.setup dt { color: var(--soft); } dl.setup dd { margin: 0; overflow-wrap: anywhere; }
footer { margin-top: 28px; font-size: .8rem; color: var(--soft); }
@media (max-width: 480px) {
  main { padding: 10px; } .big { font-size: 1.7rem; } th, td { padding: 5px 5px; }
  .wide { display: none; } table { font-size: .85rem; } dl.setup { grid-template-columns: 40% 1fr; }
}
@media (min-width: 1800px) { body { font-size: 19px; } main { max-width: 1700px; } }
"""
