// Keeps a visit from being hijacked: dialogs dismissed, popups closed, downloads refused.
import type { BrowserContext, BrowserContextOptions, Page } from 'playwright'

/** Context options for every visit: no downloads, no service workers, no permissions granted. */
export const CONTEXT_HYGIENE = {
  acceptDownloads: false,
  serviceWorkers: 'block',
  permissions: [],
} as const satisfies BrowserContextOptions

/** What the page tried that the crawler refused, for the capture. */
export interface HygieneLog {
  popups: string[]
  downloads: string[]
  dialogs: string[]
}

const MAX_LOGGED = 50

const note = (list: string[], entry: string) => {
  if (list.length < MAX_LOGGED) list.push(entry.slice(0, 2000))
}

function refuseDownloads(page: Page, log: HygieneLog): void {
  page.on('download', (d) => {
    note(log.downloads, d.url())
    void d.cancel().catch(() => undefined)
  })
}

/** Call right after the context is made: its first page is the visit's page, later ones are popups. */
export function guardContext(context: BrowserContext): HygieneLog {
  const log: HygieneLog = { popups: [], downloads: [], dialogs: [] }
  let main: Page | null = null
  context.on('dialog', (d) => {
    note(log.dialogs, `${d.type()}: ${d.message()}`)
    // Dismissing "leave this page?" would pin the walk to the page; accepting lets it move on.
    const answer = d.type() === 'beforeunload' ? d.accept() : d.dismiss()
    void answer.catch(() => undefined)
  })
  context.on('page', (page) => {
    refuseDownloads(page, log)
    if (main === null) {
      main = page
      return
    }
    // Playwright hands over a popup once its first navigation has started, so its URL is known.
    note(log.popups, page.url())
    void page.close().catch(() => undefined)
  })
  return log
}

/** The log as optional capture fields, omitting what stayed empty. */
export function hygieneFields(log: HygieneLog): Partial<HygieneLog> {
  const out: Partial<HygieneLog> = {}
  if (log.popups.length > 0) out.popups = log.popups
  if (log.downloads.length > 0) out.downloads = log.downloads
  if (log.dialogs.length > 0) out.dialogs = log.dialogs
  return out
}
