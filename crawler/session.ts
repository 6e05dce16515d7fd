// One Chromium shared by concurrent visits: relaunched when it dies, every visit under a hard deadline.
import type { Browser, BrowserContext } from 'playwright'
import { SkimwatchError } from '../core/errors.ts'
import type { PageCapture } from '../core/types.ts'
import type { CrawlOptions } from './options.ts'
import { prepareContext, visitPage, type PreparedContext, type VisitContext } from './visit.ts'

export interface BrowserSession {
  /** Safe to call concurrently; resolves within `timeoutMs + DEADLINE_GRACE_MS`. */
  visit(url: string): Promise<PageCapture>
  close(): Promise<void>
}

/** Room after the time budget for collecting script sources and closing the context. */
export const DEADLINE_GRACE_MS = 4000
const CLOSE_MS = 2000
const LATE_RETURN_MS = 500

/** The browser died before the visit opened its context. */
class BrowserGoneEarly extends Error {}

type Outcome<T> = { done: true; value: T } | { done: false }

/** Settles like `work`, or with `{ done: false }` after `ms`; a rejection of `work` is rethrown. */
async function within<T>(work: Promise<T>, ms: number): Promise<Outcome<T>> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<Outcome<T>>((r) => {
    timer = setTimeout(() => r({ done: false }), ms)
  })
  try {
    return await Promise.race([work.then((value) => ({ done: true as const, value })), late])
  } finally {
    clearTimeout(timer)
  }
}

function stoppedCapture(
  url: string,
  started: number,
  status: 'budget' | 'error',
  reason: string,
): PageCapture {
  return {
    url,
    finalUrl: url,
    status,
    reason,
    startedAt: new Date(started).toISOString(),
    durationMs: Date.now() - started,
    visited: [],
    filledCard: false,
    scripts: [],
    requests: [],
    cardReaders: [],
  }
}

export function openSession(
  opts: CrawlOptions,
  first: Browser,
  relaunch: () => Promise<Browser>,
  userAgentOf: (browser: Browser) => string,
): BrowserSession {
  let current: Promise<Browser> = Promise.resolve(first)
  let closed = false
  // One context made ahead: a visit takes it and starts the next one's while it runs.
  let spare: { browser: Browser; ready: Promise<PreparedContext> } | null = null

  function takeContext(browser: Browser): Promise<PreparedContext> {
    const ready = spare?.browser === browser ? spare.ready : prepareContext(browser)
    spare = closed ? null : { browser, ready: prepareContext(browser) }
    spare?.ready.catch(() => undefined)
    return ready
  }

  async function liveBrowser(): Promise<Browser> {
    const seen = current
    const browser = await seen.catch(() => null)
    if (browser?.isConnected()) return browser
    if (closed) throw new SkimwatchError('the browser session is closed')
    // The first visit to find it dead relaunches; concurrent ones wait for the same launch.
    if (current === seen) current = relaunch()
    return current
  }

  async function visit(url: string): Promise<PageCapture> {
    const browser = await liveBrowser()
    try {
      return await visitOn(browser, url)
    } catch (err) {
      // It died before this visit could open a context: nothing was lost, so go again on a new one.
      if (err instanceof BrowserGoneEarly) return visitOn(await liveBrowser(), url)
      throw err
    }
  }

  async function visitOn(browser: Browser, url: string): Promise<PageCapture> {
    const started = Date.now()
    let context: BrowserContext | undefined
    const ctx: VisitContext = {
      browser,
      opts,
      userAgent: userAgentOf(browser),
      prepared: takeContext(browser),
      onContext: (c) => {
        context = c
      },
    }
    const work = visitPage(ctx, url)
    try {
      const outcome = await within(work, opts.timeoutMs + DEADLINE_GRACE_MS)
      if (outcome.done) return outcome.value
      // A hung renderer or CDP call: closing the context unblocks the visit, which may still report.
      await within(context?.close() ?? Promise.resolve(), CLOSE_MS).catch(() => undefined)
      const late = await within(work, LATE_RETURN_MS).catch(() => ({ done: false as const }))
      if (late.done) return late.value
      work.catch(() => undefined)
      return stoppedCapture(
        url,
        started,
        'budget',
        `time budget of ${opts.timeoutMs} ms exceeded while loading ${url}; the visit was cut off`,
      )
    } catch (err) {
      if (err instanceof SkimwatchError || browser.isConnected()) throw err
      if (context === undefined) throw new BrowserGoneEarly()
      return stoppedCapture(
        url,
        started,
        'error',
        'the browser crashed or disconnected during the visit; it is relaunched for the next one',
      )
    }
  }

  async function close(): Promise<void> {
    closed = true
    const left = spare?.ready
    spare = null
    await left?.then(({ context }) => context.close()).catch(() => undefined)
    const browser = await current.catch(() => null)
    await browser?.close().catch(() => undefined)
  }

  return { visit, close }
}
