// A site: its scans over time, the scripts of the latest one, the mails about it.
import type { SiteView } from '../../store/index.ts'
import { html } from '../html.ts'
import { layout, table, verdictBadge, type PageContext } from './layout.ts'
import { scriptLink } from './lists.ts'

export function sitePage(ctx: PageContext, s: SiteView): string {
  const latest = s.scans[0]
  return layout(
    ctx,
    s.domain,
    html`<dl class="facts">
        <dt>URL</dt>
        <dd><code>${s.url}</code></dd>
        <dt>Platform</dt>
        <dd>${s.platform ?? 'unknown'}</dd>
        <dt>Verdict</dt>
        <dd class="site-verdict">${verdictBadge(latest?.verdict ?? null)}</dd>
      </dl>
      <h2>Scans</h2>
      ${table(
        'scans',
        ['#', 'Started', 'Status', 'Verdict', 'Reasons'],
        s.scans,
        (sc) => [
          sc.id,
          sc.startedAt,
          `${sc.status}${sc.reason ? ` (${sc.reason})` : ''}`,
          verdictBadge(sc.verdict),
          html`${sc.reasons.map((r) => html`<div>${r}</div>`)}`,
        ],
        (sc) => ['scan', sc.id],
      )}
      <h2>Scripts of the latest scan</h2>
      ${table('site-scripts', ['sha256', 'Kind', 'URL', 'Verdict', 'Score'], s.scripts, (x) => [
        scriptLink(x.sha256),
        x.kind,
        html`<code>${x.url ?? ''}</code>`,
        verdictBadge(x.verdict),
        x.score ?? '—',
      ])}
      <h2>Notifications</h2>
      ${table(
        'mails',
        ['#', 'Status', 'To', 'Subject', 'Created', 'Sent', 'Withdrawn'],
        s.mails,
        (m) => [
          m.id,
          { cls: 'mail-status', value: m.status },
          m.to.join(', '),
          m.subject,
          m.createdAt,
          m.sentAt ?? '—',
          m.withdrawnAt ?? '—',
        ],
        (m) => ['mail', m.id],
      )}`,
  )
}
