// The one stylesheet, served from memory so the bundled CLI needs no asset files.
export const REVIEW_CSS = `
body { font: 14px/1.4 system-ui, sans-serif; margin: 0; color: #1b1f24; background: #f6f7f9; }
nav { display: flex; gap: 1em; align-items: center; padding: .6em 1em; background: #1b2a41; }
nav a, nav span { color: #fff; text-decoration: none; }
nav form { display: inline-flex; gap: .4em; margin: 0; }
nav .logout { margin-left: auto; }
main { padding: 1em 2em; }
table { border-collapse: collapse; background: #fff; margin-bottom: 1.5em; width: 100%; }
th, td { border: 1px solid #d0d7de; padding: .3em .5em; text-align: left; vertical-align: top; }
code, pre { font-family: ui-monospace, monospace; white-space: pre-wrap; word-break: break-all; }
.tiles { display: flex; flex-wrap: wrap; gap: 1em; list-style: none; padding: 0; }
.tiles li { background: #fff; border: 1px solid #d0d7de; padding: 1em; min-width: 8em; }
.tiles b { display: block; font-size: 2em; }
.verdict { padding: .1em .4em; border-radius: 3px; font-weight: 600; }
.verdict-malicious { background: #ffd7d5; color: #82071e; }
.verdict-suspicious { background: #fff1c2; color: #7d4e00; }
.verdict-clean { background: #d2f4dc; color: #116329; }
.source { background: #fff; border: 1px solid #d0d7de; padding-left: 4em; font-size: 13px; }
.source li { padding: 0 .5em; }
.source li.finding-line { background: #ffebe9; border-left: 4px solid #cf222e; }
.finding-note { color: #82071e; font-weight: 600; }
.decide-forms { display: flex; gap: 1em; flex-wrap: wrap; }
.decide-forms form, form.allowlist, form.login { background: #fff; border: 1px solid #d0d7de; padding: .6em; display: flex; gap: .5em; flex-wrap: wrap; align-items: end; }
.diff { background: #fff; border: 1px solid #d0d7de; padding: .5em; }
.diff-added { background: #d2f4dc; display: block; }
.diff-added::before { content: '+ '; }
.diff-removed { background: #ffd7d5; display: block; text-decoration: line-through; }
.error { color: #82071e; font-weight: 600; }
.walk-steps li.not-passed { color: #82071e; }
.step-shot { display: block; max-width: 100%; max-height: 24em; border: 1px solid #d0d7de; margin: 0.3em 0 0.8em; }
`
