// One page visit: home → add to cart → checkout → honeypot fill → pay, captured throughout.
import type { Browser, BrowserContext, Page } from 'playwright'
import type { PageCapture, ScanStatus } from '../core/types.ts'
import { findAddToCart, findCheckoutTargets, PLATFORM_PATHS, type Target } from './checkout.ts'
import { fillAndPay, pageHasCardForm } from './fill.ts'
import { assertTargetAllowed } from './guard.ts'
import { watchIdle, type IdleWatcher } from './idle.ts'
import { installGuard } from './route-guard.ts'
import { INIT_SCRIPT, LISTEN_MARK, READ_MARK, SEND_MARK } from './init-script.ts'
import { collectRequests } from './requests.ts'
import { collectScripts, type StackTrace } from './scripts.ts'
import type { CrawlOptions } from './options.ts'

const MAX_HOPS = 4
const SETTLE_MS = 3000
const FINISH_MS = 5000

export interface VisitContext {
  browser: Browser
  opts: CrawlOptions
  userAgent: string
}

interface Progress {
  idle: IdleWatcher
  visited: string[]
  filledCard: boolean
  siteHost: string
}

class BudgetExceeded extends Error {}

const QUIET_MS = 500

/** Waits for load and a quiet network, bounded: late senders get their chance. */
async function settle(page: Page, idle: IdleWatcher, ms: number): Promise<void> {
  const started = Date.now()
  await page.waitForLoadState('load', { timeout: ms }).catch(() => undefined)
  await idle.wait(QUIET_MS, Math.max(1, ms - (Date.now() - started)))
}

async function follow(page: Page, target: Target, progress: Progress, remaining: () => number) {
  if (target.href !== null) {
    await page.goto(target.href, { waitUntil: 'load', timeout: remaining() })
  } else {
    await page.locator(target.selector).first().click({ timeout: 2000 })
  }
  await settle(page, progress.idle, Math.min(SETTLE_MS, remaining()))
}

async function tryPlatformPaths(page: Page, remaining: () => number): Promise<boolean> {
  for (const path of PLATFORM_PATHS) {
    const url = new URL(path, page.url()).href
    const response = await page
      .goto(url, { waitUntil: 'load', timeout: remaining() })
      .catch(() => null)
    if (response && response.status() < 400 && (await pageHasCardForm(page))) return true
  }
  return false
}

async function walkToCheckout(page: Page, progress: Progress, remaining: () => number) {
  let addedToCart = false
  for (let hop = 0; hop < MAX_HOPS; hop++) {
    if (await pageHasCardForm(page)) return
    const html = await page.content()
    const add = addedToCart ? null : findAddToCart(html)
    const target = add ?? findCheckoutTargets(html, page.url(), progress.visited)[0]
    if (add) addedToCart = true
    if (!target) {
      if (await tryPlatformPaths(page, remaining)) progress.visited.push(page.url())
      return
    }
    await follow(page, target, progress, remaining).catch(() => undefined)
    if (progress.visited.at(-1) !== page.url()) progress.visited.push(page.url())
  }
}

async function run(page: Page, url: string, progress: Progress, remaining: () => number) {
  const response = await page.goto(url, { waitUntil: 'load', timeout: remaining() })
  progress.visited.push(page.url())
  progress.siteHost = new URL(page.url()).hostname
  if (response && response.status() >= 400) throw new Error(`HTTP ${response.status()} for ${url}`)
  await settle(page, progress.idle, Math.min(SETTLE_MS, remaining()))
  await walkToCheckout(page, progress, remaining)
  progress.filledCard = await fillAndPay(page)
  await settle(page, progress.idle, Math.min(SETTLE_MS, remaining()))
}

function reasonOf(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err)
  const net = /net::ERR_[A-Z_]+/.exec(message)
  return net ? net[0] : (message.split('\n')[0] ?? message)
}

async function newContext(ctx: VisitContext): Promise<BrowserContext> {
  const context = await ctx.browser.newContext({
    userAgent: ctx.userAgent,
    viewport: { width: 1366, height: 768 },
    locale: 'en-US',
    serviceWorkers: 'block',
  })
  await context.addInitScript({ content: INIT_SCRIPT })
  if (!ctx.opts.allowPrivate) await installGuard(context, ctx.opts)
  return context
}

/** Throws BlockedTargetError for refused targets: there is nothing to capture. */
export async function visitPage(ctx: VisitContext, url: string): Promise<PageCapture> {
  await assertTargetAllowed(url, ctx.opts)
  const started = Date.now()
  const deadline = started + ctx.opts.timeoutMs
  const remaining = () => Math.max(1, deadline - Date.now())
  const context = await newContext(ctx)
  try {
    const page = await context.newPage()
    const progress: Progress = {
      idle: watchIdle(page),
      visited: [],
      filledCard: false,
      siteHost: new URL(url).hostname,
    }
    page.on('dialog', (d) => void d.dismiss().catch(() => undefined))
    const cdp = await context.newCDPSession(page)
    const scripts = collectScripts(cdp)
    const requests = collectRequests(page, cdp)
    const readers: Array<Promise<string | null>> = []
    cdp.on('Runtime.consoleAPICalled', (e) => {
      const { args, stackTrace } = e as {
        args: Array<{ value?: unknown }>
        stackTrace?: StackTrace
      }
      const mark = args[0]?.value
      if (mark === READ_MARK || mark === LISTEN_MARK) readers.push(scripts.attribute(stackTrace))
      const url = args[1]?.value
      if (mark === SEND_MARK && typeof url === 'string') requests.noteImageSource(url, stackTrace)
    })
    await Promise.all([
      cdp.send('Page.enable'),
      cdp.send('Runtime.enable'),
      cdp.send('Network.enable'),
      cdp.send('Debugger.enable'),
      // Anti-debugging `debugger;` loops must not freeze the visit.
      cdp.send('Debugger.setSkipAllPauses', { skip: true }),
    ])

    let status: ScanStatus = 'ok'
    let reason: string | null = null
    let timer: NodeJS.Timeout | undefined
    const budget = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new BudgetExceeded()), ctx.opts.timeoutMs)
    })
    const work = run(page, url, progress, remaining)
    try {
      await Promise.race([work, budget])
    } catch (err) {
      // A step that ran out of the remaining budget is a budget stop, not a page error.
      const outOfTime = err instanceof Error && err.name === 'TimeoutError' && remaining() < 100
      status = err instanceof BudgetExceeded || outOfTime ? 'budget' : 'error'
      reason =
        status === 'budget'
          ? `visit took longer than ${ctx.opts.timeoutMs} ms; capture is partial`
          : reasonOf(err)
      work.catch(() => undefined)
    } finally {
      clearTimeout(timer)
    }

    const finish = async () => {
      const scriptList = await scripts.finish((u) => {
        const init = requests.initiatorOf(u)
        return init?.type === 'script' ? scripts.attribute(init.stack) : null
      })
      const requestList = await requests.finish(progress.siteHost, (s) => scripts.attribute(s))
      const cardReaders = [...new Set((await Promise.all(readers)).filter((s) => s !== null))]
      return { scriptList, requestList, cardReaders }
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
    }
  } finally {
    await context.close().catch(() => undefined)
  }
}
