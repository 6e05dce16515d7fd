// A script: its source as escaped text with findings marked at their lines, where it ran, what it sent.
import type { Finding, Observation } from '../../core/types.ts'
import {
  TLP_LEVELS,
  type DecisionRecord,
  type ScriptView,
  type SharedIndicator,
  type Tlp,
} from '../../store/index.ts'
import { may } from '../auth.ts'
import type { ScriptDiff } from '../diff.ts'
import { html, type Html } from '../html.ts'
import { decisionRows } from './lists.ts'
import { csrfField, layout, shortSha, table, verdictBadge, type PageContext } from './layout.ts'

// Lines longer than this are cut in the listing (minified bundles); the findings keep their text.
const MAX_LINE = 4000

function sourceListing(source: string, findings: Finding[]): Html {
  const byLine = new Map<number, Finding[]>()
  for (const f of findings) byLine.set(f.line, [...(byLine.get(f.line) ?? []), f])
  const lines = source.split(/\r\n|\r|\n/)
  return html`<ol class="source">
    ${lines.map((text, i) => {
      const hits = byLine.get(i + 1)
      const shown =
        text.length > MAX_LINE
          ? `${text.slice(0, MAX_LINE)} … (${text.length - MAX_LINE} more characters)`
          : text
      return hits
        ? html`<li
            id="L${i + 1}"
            class="finding-line"
            data-rules="${hits.map((f) => f.rule).join(' ')}"
          >
            <code>${shown}</code>${hits.map(
              (f) =>
                html`<div class="finding-note">
                  ▲ ${f.rule} (${f.severity}, column ${f.column}): ${f.message}
                </div>`,
            )}
          </li>`
        : html`<li id="L${i + 1}"><code>${shown}</code></li>`
    })}
  </ol>`
}

function findingsTable(findings: Finding[]): Html {
  return table('findings', ['Rule', 'Severity', 'Points', 'Line', 'Message'], findings, (f) => [
    f.rule,
    f.severity,
    f.points,
    html`<a href="#L${f.line}">${f.line}:${f.column}</a>`,
    html`${f.message}${f.snippet ? html`<br /><code>${f.snippet}</code>` : ''}`,
  ])
}

function observationsBlock(list: Observation[]): Html {
  if (list.length === 0) return html`<p>Never detonated.</p>`
  // the observation is a plain record; shown as escaped JSON so every field the chamber kept is visible
  return html`${list.map((o) => html`<pre class="observation">${JSON.stringify(o, null, 2)}</pre>`)}`
}

const tlpSelect = (chosen: Tlp | null): Html =>
  html`<label
    >TLP
    <select name="tlp">
      ${chosen ? '' : html`<option value="">default</option>`}
      ${TLP_LEVELS.map(
        (t) =>
          html`<option value="${t}" ${t === chosen ? 'selected' : ''}>
            TLP:${t.toUpperCase()}
          </option>`,
      )}
    </select></label
  >`

/** How partners receive this script: its TLP (changeable), or revoked. */
function shareBlock(ctx: PageContext, share: SharedIndicator | null): Html {
  if (!share) return html``
  const state = share.revoked ? 'revoked for partners' : `shared as TLP:${share.tlp.toUpperCase()}`
  return html`<p class="share">Partners: ${state} (version ${share.version})</p>
    ${
      may(ctx.user.role, 'decide') && !share.revoked
        ? html`<form class="share-tlp" method="post" action="/indicators/${share.sha256}/tlp">
            ${csrfField(ctx)}${tlpSelect(share.tlp)}<button type="submit">Change TLP</button>
          </form>`
        : ''
    }`
}

function decisionForms(ctx: PageContext, v: ScriptView): Html {
  if (!may(ctx.user.role, 'decide')) return html``
  const form = (kind: string, label: string, extra: Html = html``) =>
    html`<form class="decide decide-${kind}" method="post" action="/decisions">
      ${csrfField(ctx)}<input type="hidden" name="kind" value="${kind}" />
      <input type="hidden" name="sha256" value="${v.sha256}" />
      <label>Reason <input name="reason" required /></label>${extra}
      <button type="submit">${label}</button>
    </form>`
  return html`<section class="decide-forms">
    ${form('confirm', 'Confirm malicious', tlpSelect(null))}
    ${form('false-positive', 'False positive')}
    ${form('allowlist', 'Allowlist this hash', html`<label>Expires <input type="date" name="expires" required /></label>`)}
  </section>`
}

function diffBlock(diffs: ScriptDiff[]): Html {
  if (diffs.length === 0) return html`<p>No earlier version at the same URL on the same site.</p>`
  return html`${diffs.map(
    (d) =>
      html`<h3>against ${shortSha(d.previousSha256)} on ${d.domain} at <code>${d.url}</code></h3>
        ${
          d.skipped
            ? html`<p>${d.skipped}</p>`
            : html`<pre class="diff">
${d.parts.map((p) =>
                  p.op === 'same' ? p.text : html`<span class="diff-${p.op}">${p.text}</span>`,
                )}</pre>`
        }`,
  )}`
}

// A layer longer than this is cut on the page (the API has it whole).
const MAX_LAYER = 200_000

function layersBlock(layers: string[]): Html {
  if (layers.length === 0)
    return html`<p>Nothing decoded: the source is what the detector read.</p>`
  return html`${layers.map(
    (text, i) =>
      html`<details class="layer" ${i === 0 ? 'open' : ''}>
        <summary>Layer ${i + 1} (${text.length} characters)</summary>
        <pre class="layer-text">
${text.length > MAX_LAYER ? `${text.slice(0, MAX_LAYER)} … (cut)` : text}</pre>
      </details>`,
  )}`
}

export function scriptPage(
  ctx: PageContext,
  v: ScriptView & {
    decisions: DecisionRecord[]
    diffs: ScriptDiff[]
    layers: string[]
    share: SharedIndicator | null
  },
): string {
  return layout(
    ctx,
    `Script ${shortSha(v.sha256)}`,
    html`<dl class="facts">
        <dt>sha256</dt>
        <dd><code>${v.sha256}</code></dd>
        <dt>Verdict</dt>
        <dd>${verdictBadge(v.verdict)} score ${v.score ?? '—'} (rules ${v.rulesVersion ?? '—'})</dd>
        <dt>Size</dt>
        <dd>${v.size} bytes</dd>
        <dt>First seen</dt>
        <dd>${v.firstSeen ?? '—'}</dd>
        <dt>Last seen</dt>
        <dd>${v.lastSeen ?? '—'}</dd>
      </dl>
      ${shareBlock(ctx, v.share)} ${decisionForms(ctx, v)}
      <h2>Decisions</h2>
      ${decisionRows(ctx, v.decisions)}
      <h2>Findings</h2>
      ${findingsTable(v.findings)}
      <h2>Deobfuscated layers</h2>
      <p class="note">
        The script as the detector's static evaluator rewrote it, and code it decoded: text only.
      </p>
      ${layersBlock(v.layers)}
      <h2>Served on</h2>
      ${table(
        'sightings',
        ['Site', 'Page', 'Script URL (text, not a link)', 'Seen'],
        v.sightings,
        (s) => [
          s.siteId !== null ? html`<a href="/sites/${s.siteId}">${s.domain}</a>` : '—',
          html`<code>${s.pageUrl}</code>`,
          html`<code>${s.url ?? 'inline'}</code>`,
          s.seenAt,
        ],
      )}
      <h2>Requests it sent off-site</h2>
      ${table('exfil', ['Scan', 'Method', 'Type', 'URL', 'Card', 'Personal'], v.exfil, (e) => [
        e.scanId,
        e.method,
        e.type,
        html`<code>${e.url}</code>`,
        e.carriesCard ? 'yes' : 'no',
        e.carriesPersonal ? 'yes' : 'no',
      ])}
      <h2>Changes from the previous version</h2>
      ${diffBlock(v.diffs)}
      <h2>Detonation</h2>
      ${observationsBlock(v.observations)}
      <h2>Source</h2>
      <p class="note">Shown as text only: this page never loads or runs the script.</p>
      ${sourceListing(v.source, v.findings)}`,
  )
}
