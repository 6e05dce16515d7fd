// Dashboard, flagged scripts, campaigns, decisions and search results.
import type { DashboardCounts, DecisionRecord, SearchHit } from '../../store/index.ts'
import { may } from '../auth.ts'
import type { Campaign } from '../campaigns.ts'
import { html, type Html } from '../html.ts'
import type { FlaggedRow } from '../service.ts'
import { csrfField, layout, shortSha, table, verdictBadge, type PageContext } from './layout.ts'

export const scriptLink = (sha: string): Html =>
  html`<a class="sha" href="/scripts/${sha}" title="${sha}">${shortSha(sha)}</a>`

export function dashboardPage(ctx: PageContext, c: DashboardCounts): string {
  const tiles: [string, number][] = [
    ['sites', c.sites],
    ['scanned', c.scanned],
    ['flagged', c.flagged],
    ['malicious', c.malicious],
    ['notified', c.notified],
    ['fixed', c.fixed],
    ['mails pending', c.pendingMails],
    ['mails withdrawn', c.withdrawnMails],
  ]
  return layout(
    ctx,
    'Dashboard',
    html`<ul class="tiles">
        ${tiles.map(([k, v]) => html`<li data-count="${k}"><b>${v}</b> ${k}</li>`)}
      </ul>
      <h2>Last scans</h2>
      ${table('last-scans', ['Site', 'When', 'Verdict'], c.lastScans, (s) => [
        html`<a href="/sites/${s.siteId}">${s.domain}</a>`,
        s.startedAt,
        verdictBadge(s.verdict),
      ])}`,
  )
}

export function flaggedPage(ctx: PageContext, rows: FlaggedRow[]): string {
  const headers = ['sha256', 'Verdict', 'Score', 'Sites', 'Rules', 'Served from', 'Sends to']
  return layout(
    ctx,
    'Flagged scripts',
    rows.length === 0
      ? html`<p>Nothing flagged.</p>`
      : table(
          'flagged',
          [...headers, 'Last seen', 'Decision'],
          rows,
          (r) => [
            scriptLink(r.sha256),
            verdictBadge(r.verdict),
            r.score,
            { cls: 'sites', value: r.sites },
            r.rules.join(', '),
            html`<code>${r.urls.join('\n') || 'inline'}</code>`,
            r.exfilHosts.join(', '),
            r.lastSeen,
            {
              cls: 'decision',
              value: r.decision ? `${r.decision.kind} (${r.decision.createdBy})` : '—',
            },
          ],
          (r) => ['sha256', r.sha256],
        ),
  )
}

export function campaignsPage(ctx: PageContext, list: Campaign[]): string {
  return layout(
    ctx,
    'Campaigns',
    list.length === 0
      ? html`<p>No campaigns: nothing flagged shares an exfil host, signature or loader host.</p>`
      : table(
          'campaigns',
          ['Linked by', 'Key', 'Sites', 'Scripts'],
          list,
          (c) => [
            c.kind,
            html`<code>${c.key}</code>`,
            { cls: 'sites', value: c.siteIds.length },
            html`${c.scripts.map((s) => html`${scriptLink(s)} `)}`,
          ],
          (c) => ['campaign', `${c.kind}:${c.key}`],
        ),
  )
}

function decisionState(ctx: PageContext, d: DecisionRecord): Html | string {
  if (d.revokedAt) return `reversed by ${d.revokedBy ?? '?'} at ${d.revokedAt}`
  if (!may(ctx.user.role, 'decide')) return 'in force'
  return html`<form method="post" action="/decisions/${d.id}/revoke">
    ${csrfField(ctx)}<button type="submit">Reverse</button>
  </form>`
}

export function decisionRows(ctx: PageContext, list: DecisionRecord[]): Html {
  return table(
    'decisions',
    ['#', 'Decision', 'On', 'Reason', 'Expires', 'By', 'When', 'State'],
    list,
    (d) => [
      d.id,
      d.kind,
      d.sha256 ? scriptLink(d.sha256) : html`host <code>${d.host}</code>`,
      d.reason,
      d.expires ?? 'never',
      d.createdBy,
      d.createdAt,
      { cls: 'state', value: decisionState(ctx, d) },
    ],
    (d) => ['decision', d.id],
  )
}

export function decisionsPage(ctx: PageContext, list: DecisionRecord[]): string {
  const form = may(ctx.user.role, 'decide')
    ? html`<h2>Allowlist a host or a script</h2>
        <form class="allowlist" method="post" action="/decisions">
          ${csrfField(ctx)}<input type="hidden" name="kind" value="allowlist" />
          <label>Host <input name="host" placeholder="cdn.example.com" /></label>
          <label>or sha256 <input name="sha256" pattern="[0-9a-fA-F]{64}" /></label>
          <label>Reason <input name="reason" required /></label>
          <label>Expires <input type="date" name="expires" required /></label>
          <button type="submit">Allowlist</button>
        </form>`
    : ''
  return layout(ctx, 'Decisions', html`${form}${decisionRows(ctx, list)}`)
}

export function searchPage(ctx: PageContext, q: string, hits: SearchHit[]): string {
  const hit = (h: SearchHit) =>
    h.kind === 'site'
      ? html`<li>site <a href="/sites/${h.id}">${h.label}</a> <code>${h.detail}</code></li>`
      : html`<li>script ${scriptLink(h.id)} <code>${h.detail}</code></li>`
  return layout(
    ctx,
    `Search: ${q}`,
    html`<ul class="hits">
        ${hits.map(hit)}
      </ul>
      ${hits.length === 0 ? html`<p>No match.</p>` : ''}`,
  )
}
