// Operators' pages: the exclusion list, the scheduled rescans, the answer to a rescan request.
import { html, type Html } from '../html.ts'
import type { CrawlRequest, ScheduleView } from '../operations.ts'
import { badLines, csrfField, domainsForm, layout, table, type PageContext } from './layout.ts'

export interface LineError {
  line: number
  text: string
  reason: string
}

export interface ExclusionsView {
  file: string
  domains: string[]
  /** lines of the file itself that exclude nothing */
  errors: LineError[]
}

export interface ExclusionsAdded {
  added: string[]
  known: string[]
  errors: LineError[]
}

export function exclusionsPage(ctx: PageContext, v: ExclusionsView, added?: ExclusionsAdded) {
  const result = added
    ? html`<p class="result">
          ${added.added.length} added, ${added.known.length} already listed, ${added.errors.length}
          bad line(s).
        </p>
        ${badLines(added.errors)}`
    : ''
  const fileErrors =
    v.errors.length > 0
      ? html`<h2>Lines of the file that exclude nothing</h2>
          ${badLines(v.errors)}`
      : ''
  return layout(
    ctx,
    'Exclusions',
    html`<p>
        Domains never visited (a domain covers its subdomains), kept in
        <code>${v.file}</code>. Workers read the file again before each crawl; a queued crawl of an
        excluded site fails at once with the reason kept on the site.
      </p>
      ${result}
      ${table('exclusions', ['Domain', ''], v.domains, (d) => [
        d,
        html`<form method="post" action="/exclusions/remove">
          ${csrfField(ctx)}<input type="hidden" name="domain" value="${d}" />
          <button type="submit">Remove</button>
        </form>`,
      ])}
      ${fileErrors}
      <h2>Add</h2>
      ${domainsForm(ctx, '/exclusions', 'One domain per line, # comments', 6)}`,
  )
}

const DAY = 864e5
function when(s: ScheduleView): string {
  if (s.pattern) return `cron ${s.pattern}`
  if (s.every === null) return ''
  for (const [unit, size] of [
    ['d', DAY],
    ['h', 36e5],
    ['m', 6e4],
  ] as const)
    if (s.every % size === 0) return `every ${s.every / size}${unit}`
  return `every ${s.every}ms`
}

export function schedulesPage(ctx: PageContext, list: ScheduleView[] | null, selectors: string[]) {
  if (!list)
    return layout(
      ctx,
      'Schedules',
      html`<p>
        Scheduled rescans live on the queues, and this app was started without REDIS_URL or
        DATABASE_URL. Without queues, each <code>skimwatch run</code> visits every site: run it from
        cron to rescan.
      </p>`,
    )
  return layout(
    ctx,
    'Schedules',
    html`<p>
        Scheduled rescans, as <code>skimwatch schedule list</code> shows them. Setting an existing
        name replaces it.
      </p>
      ${table('schedules', ['Name', 'Sites', 'When', 'Next run', ''], list, (s) => [
        s.name,
        s.select,
        when(s),
        s.next ? new Date(s.next).toISOString() : '',
        html`<form method="post" action="/schedules/remove">
          ${csrfField(ctx)}<input type="hidden" name="name" value="${s.name}" />
          <button type="submit">Remove</button>
        </form>`,
      ])}
      <h2>Set a schedule</h2>
      <form method="post" action="/schedules" class="schedule">
        ${csrfField(ctx)}
        <label>Name <input name="name" required maxlength="100" /></label>
        <label
          >Sites
          <select name="select">
            ${selectors.map((s) => html`<option value="${s}">${s}</option>`)}
          </select></label
        >
        <label>Every <input name="every" placeholder="7d, 12h, 30m" /></label>
        <label>or cron <input name="cron" placeholder="0 3 * * 1" /></label>
        <button type="submit">Set</button>
      </form>`,
  )
}

const REQUEST_SAID: Record<CrawlRequest['state'], string> = {
  queued: 'A crawl of this site is queued; workers take it up in turn.',
  'already-queued': 'A crawl of this site was already waiting in the queue; nothing was added.',
  running: 'This site is being crawled right now; nothing was added.',
}

export function rescanPage(ctx: PageContext, domain: string, r: CrawlRequest) {
  return layout(
    ctx,
    `Rescan of ${domain}`,
    html`<p class="result">${REQUEST_SAID[r.state]} Job <code>${r.jobId}</code>.</p>
      <p><a href="/sites/${r.siteId}">Back to the site</a></p>`,
  )
}

/** The site page's rescan control, for operators. */
export function rescanForm(ctx: PageContext, siteId: number, queued: boolean): Html {
  if (!queued)
    return html`<p class="rescan">
      No rescan button here: this app runs without queues (no REDIS_URL or DATABASE_URL), and the
      next <code>skimwatch run</code> visits every site, this one included.
    </p>`
  return html`<form class="rescan" method="post" action="/sites/${siteId}/rescan">
    ${csrfField(ctx)}<button type="submit">Rescan now</button>
  </form>`
}
