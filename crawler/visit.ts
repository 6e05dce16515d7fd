// One page visit: home → add to cart → checkout → honeypot fill → pay, captured throughout.
import type { Browser, BrowserContext, Page } from 'playwright'
import type { PageCapture, ScanStatus, WalkRecord } from '../core/types.ts'
import { BudgetExceeded, watchBudgets } from './budget.ts'
import { applyUserAgent, contextOptions, windowsUserAgent } from './evasion.ts'
import { assertTargetAllowed } from './guard.ts'
import { CONTEXT_HYGIENE, guardContext, hygieneFields, type HygieneLog } from './hygiene.ts'
import { watchIdle } from './idle.ts'
import { listenToMarks } from './marks.ts'
import { phaseClock, type PhaseClock } from './phases.ts'
import { fingerprint } from './platform.ts'
import { INIT_SCRIPT } from './init-script.ts'
import { collectRequests } from './requests.ts'
import { collectScripts } from './scripts.ts'
import type { CrawlOptions } from './options.ts'
import { walkAndFill, type Progress } from './walk.ts'
import { DEFAULT_FILL_ROUNDS, DEFAULT_PAGE_TIME_MS, watchCode } from './rounds.ts'

const FINISH_MS = 5000

export interface VisitContext {
  browser: Browser
  opts: CrawlOptions
  userAgent: string
  /** a fresh context for this visit, made ahead of it; a new one is made when absent */
  prepared?: Promise<PreparedContext>
  /** told of the visit's context as soon as it exists, so a hard deadline can close it */
  onContext?: (context: BrowserContext) => void
}

function reasonOf(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err)
  const net = /net::ERR_[A-Z_]+/.exec(message)
  return net ? net[0] : (message.split('\n')[0] ?? message)
}

/** A visit's own context with its blank page, before anything of the visit is known. */
export interface PreparedContext {
  context: BrowserContext
  page: Page
  log: HygieneLog
}

/**
 * A fresh context and page, ready for any visit: made while other visits run, it takes the
 * context's and renderer's start-up off the visit. The page's clock starts with its first load.
 */
export async function prepareContext(browser: Browser): Promise<PreparedContext> {
  const context = await browser.newContext({
    // ctx.userAgent is not used: UA, client hints and navigator.platform must agree.
    ...contextOptions(windowsUserAgent(browser.version())),
    ...CONTEXT_HYGIENE,
  })
  try {
    const log = guardContext(context)
    // The clock goes first, so the init script's timer hooks wrap Playwright's fake timers.
    await context.clock.install()
    await context.addInitScript({ content: INIT_SCRIPT })
    return { context, page: await context.newPage(), log }
  } catch (err) {
    await context.close().catch(() => undefined)
    throw err
  }
}

/** What ended the walk: the visit's own stop (budget, error) wins over the walk's. */
const stopOf = (status: ScanStatus, reason: string | null, walked: string) =>
  status !== 'ok' && reason !== null ? reason : walked || 'walk ended'

/** Throws BlockedTargetError for refused targets: there is nothing to capture. */
export async function visitPage(ctx: VisitContext, url: string): Promise<PageCapture> {
  await assertTargetAllowed(url, ctx.opts)
  const started = Date.now()
  const clock = phaseClock('context')
  const { context, page, log } = await (ctx.prepared ?? prepareContext(ctx.browser))
  ctx.onContext?.(context)
  const capture = await captureIn(ctx, page, url, started, clock).finally(async () => {
    clock.enter('close')
    await context.close().catch(() => undefined)
  })
  const walk = { ...capture.walk, phasesMs: clock.times() }
  return { ...capture, walk, ...hygieneFields(log) }
}

/** The visit in its own context; the capture's walk has no phase times yet. */
async function captureIn(
  ctx: VisitContext,
  page: Page,
  url: string,
  started: number,
  clock: PhaseClock,
): Promise<PageCapture & { walk: WalkRecord }> {
  const deadline = started + ctx.opts.timeoutMs
  const remaining = () => Math.max(1, deadline - Date.now())
  const context = page.context()
  const cdp = await context.newCDPSession(page)
  const budget = watchBudgets(page, cdp, ctx.opts)
  const scripts = collectScripts(cdp)
  const requests = collectRequests(page, cdp)
  const marks = listenToMarks(cdp, scripts, requests)
  const { readers } = marks
  const progress: Progress = {
    idle: watchIdle(page),
    cdp,
    clock,
    visited: [],
    filledCard: false,
    siteHost: new URL(url).hostname,
    html: [],
    code: watchCode(scripts, marks),
    walk: {
      steps: [],
      clicked: [],
      fillRounds: 0,
      pageTimeMs: 0,
      roundsMs: 0,
      stepsMs: 0,
      addedToCart: null,
      stop: '',
    },
    maxRounds: ctx.opts.fillRounds ?? DEFAULT_FILL_ROUNDS,
    pageTimeMs: ctx.opts.pageTimeMs ?? DEFAULT_PAGE_TIME_MS,
  }
  await Promise.all([
    applyUserAgent(cdp, ctx.browser.version()),
    cdp.send('Page.enable'),
    cdp.send('Runtime.enable'),
    cdp.send('Network.enable'),
    cdp.send('Debugger.enable'),
    // Anti-debugging `debugger;` loops must not freeze the visit; V8's heap-limit pause still comes.
    cdp.send('Debugger.setBreakpointsActive', { active: false }),
    // Stacks through promise callbacks and timers still reach the script that scheduled them.
    cdp.send('Debugger.setAsyncCallStackDepth', { maxDepth: 8 }),
  ])

  let status: ScanStatus = 'ok'
  let reason: string | null = null
  clock.enter('find')
  const work = walkAndFill(page, url, progress, remaining)
  try {
    await Promise.race([work, budget.broken])
  } catch (err) {
    // A step that ran out of the remaining budget is a budget stop, not a page error.
    const outOfTime = err instanceof Error && err.name === 'TimeoutError' && remaining() < 100
    const broke = err instanceof BudgetExceeded || budget.reason() !== null || outOfTime
    status = broke ? 'budget' : 'error'
    reason = broke ? (budget.reason() ?? budget.timeReason()) : reasonOf(err)
    work.catch(() => undefined)
  } finally {
    budget.stop()
  }

  clock.enter('collect')
  const finish = async () => {
    const scriptList = await scripts.finish((u) => {
      const init = requests.initiatorOf(u)
      return init?.type === 'script' ? scripts.attribute(init.stack) : null
    })
    const requestList = await requests.finish(progress.siteHost, (s) => scripts.attribute(s))
    const cardReaders = [...new Set((await Promise.all(readers)).filter((s) => s !== null))]
    const cookies = (await context.cookies().catch(() => [])).map((c) => c.name)
    // Navigations are the crawler's own guesses (platform paths), not evidence of the platform.
    const urls = requestList.filter((r) => r.type !== 'document').map((r) => r.url)
    const platform = fingerprint({ html: progress.html, cookies, urls })
    return { scriptList, requestList, cardReaders, platform }
  }
  // Script sources still in flight on a hung renderer must not hang the worker either.
  const done = await Promise.race([
    finish(),
    new Promise<null>((r) => setTimeout(() => r(null), FINISH_MS).unref()),
  ])
  return {
    url,
    finalUrl: page.url(),
    status: done === null && status === 'ok' ? 'budget' : status,
    reason: done === null && reason === null ? 'timed out collecting script sources' : reason,
    startedAt: new Date(started).toISOString(),
    durationMs: Date.now() - started,
    visited: progress.visited,
    filledCard: progress.filledCard,
    scripts: done?.scriptList ?? [],
    requests: done?.requestList ?? [],
    cardReaders: done?.cardReaders ?? [],
    platform: done?.platform ?? null,
    walk: { ...progress.walk, stop: stopOf(status, reason, progress.walk.stop) },
  }
}
