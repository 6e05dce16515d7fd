// A site: its scans over time, the scripts of the latest one, the mails about it.
import type { MailSummary, SiteView } from '../../store/index.ts'
import { may } from '../auth.ts'
import { html, type Html } from '../html.ts'
import { csrfField, layout, table, verdictBadge, type PageContext } from './layout.ts'
import { scriptLink } from './lists.ts'

/** Hold a mail that awaits delivery, or release a held one (analysts and admins). */
function mailAction(ctx: PageContext, m: MailSummary): Html | string {
  if (!may(ctx.user.role, 'decide')) return ''
  const action =
    m.status === 'withdrawn' ? 'release' : ['pending', 'failed'].includes(m.status) ? 'hold' : null
  if (!action) return ''
  return html`<form method="post" action="/mails/${m.id}/${action}">
    ${csrfField(ctx)}<button type="submit">${action === 'hold' ? 'Hold' : 'Release'}</button>
  </form>`
}

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
        ['#', 'Status', '', 'To', 'Subject', 'Created', 'Sent', 'Withdrawn'],
        s.mails,
        (m) => [
          m.id,
          { cls: 'mail-status', value: m.status },
          mailAction(ctx, m),
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
