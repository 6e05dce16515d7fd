// A site: its scans over time, the scripts of the latest one, the mails about it.
import type { WalkRecord } from '../../core/types.ts'
import type { MailSummary, SiteView } from '../../store/index.ts'
import { may } from '../auth.ts'
import { html, type Html } from '../html.ts'
import { csrfField, layout, table, verdictBadge, type PageContext } from './layout.ts'
import { scriptLink } from './lists.ts'
import { rescanForm } from './operate.ts'

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

// Screenshots are shown inline as data: URLs (the CSP allows images from data: only besides
// the app itself); the type is read from the image's own first bytes.
function screenshot(base64: string, alt: string): Html {
  const type = base64.startsWith('/9j/') ? 'image/jpeg' : 'image/png'
  return html`<img class="step-shot" alt="${alt}" src="data:${type};base64,${base64}" />`
}

/** Whether the skimmer had its chance: the steps passed, the clicks, the rounds, the stop. */
function walkSection(walk: WalkRecord | null): Html | string {
  if (!walk) return ''
  return html`<h2>How the latest scan walked the shop</h2>
    <dl class="facts walk">
      <dt>Stopped</dt>
      <dd>${walk.stop}</dd>
      <dt>Card typed</dt>
      <dd>
        ${walk.fillRounds} time(s), page time run ahead ${Math.round(walk.pageTimeMs / 1000)} s
      </dd>
      <dt>Clicked</dt>
      <dd>${walk.clicked.join(' → ') || 'nothing'}</dd>
      <dt>Cart</dt>
      <dd>
        ${walk.addedToCart === null ? 'not needed' : walk.addedToCart ? 'a product was added' : 'no product could be added'}
      </dd>
    </dl>
    <ol class="walk-steps">
      ${walk.steps.map(
        (st) =>
          html`<li class="${st.passed ? 'passed' : 'not-passed'}">
            <strong>${st.name}</strong> <code>${st.url}</code>
            ${st.passed ? 'passed' : html`not passed${st.reason ? html`: ${st.reason}` : ''}`}
            ${st.screenshot ? screenshot(st.screenshot, `screenshot of ${st.name}`) : ''}
          </li>`,
      )}
    </ol>`
}

export function sitePage(
  ctx: PageContext,
  s: SiteView,
  walk: WalkRecord | null = null,
  queued = false,
): string {
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
      ${may(ctx.user.role, 'operate') ? rescanForm(ctx, s.id, queued) : ''}
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
      ${walkSection(walk)}
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
