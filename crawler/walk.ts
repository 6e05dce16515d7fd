// The route through a shop: home → product → add to cart → cart → checkout (→ payment step),
// then, if the site remembered the visitor, the same checkout again straight away as a new one.
import type { CDPSession, Page } from 'playwright'
import {
  findAddToCart,
  findCheckoutTargets,
  findContinueButton,
  PLATFORM_PATHS,
} from './checkout.ts'
import type { Target } from './checkout.ts'
import type { WalkRecord } from '../core/types.ts'
import { cardForm, fillPersonal, scanFrames, type ScannedFrame } from './fill.ts'
import { callIn, type FrameWorld } from './frames.ts'
import type { IdleWatcher } from './idle.ts'
import { existingPaths } from './probe.ts'
import { fillInRounds, type CodeWatch } from './rounds.ts'

const MAX_HOPS = 5
const MAX_STEPS = 2
// Late senders after pay and late-loading skimmers on the card page get a full quiet window.
const SETTLE_MS = 3000
const QUIET_MS = 500
// Pages on the way (home, product, cart) only need their links: load plus a short quiet.
const STEP_MS = 1500
const STEP_QUIET_MS = 100
const MAX_HTML = 512 * 1024
// The direct pass runs only when this much of the budget is left, so pass one is never starved.
const DIRECT_SHARE = 0.35

export interface Progress {
  idle: IdleWatcher
  /** the visit's CDP session, for page-side work in isolated worlds */
  cdp: CDPSession
  visited: string[]
  filledCard: boolean
  siteHost: string
  /** HTML of pages on the way, for the platform fingerprint */
  html: string[]
  /** new code since the last fill */
  code: CodeWatch
  walk: WalkRecord
  /** most fill rounds per card form */
  maxRounds: number
  /** page time to run timers ahead after a fill */
  pageTimeMs: number
}

export type Remaining = () => number

/** Waits for load and a quiet network, bounded: late senders get their chance. */
export async function settle(
  page: Page,
  idle: IdleWatcher,
  ms: number,
  quietMs = QUIET_MS,
): Promise<void> {
  const started = Date.now()
  await page.waitForLoadState('load', { timeout: ms }).catch(() => undefined)
  await idle.wait(quietMs, Math.max(1, ms - (Date.now() - started)))
}

const CHECKOUT_URL = /check.?out|commande|order|pedido|bestellung|kasse|pay/i

/** After a navigation: a full quiet window on checkout-looking URLs, a short one elsewhere. */
const step = (page: Page, progress: Progress, remaining: Remaining) =>
  CHECKOUT_URL.test(page.url())
    ? settle(page, progress.idle, Math.min(SETTLE_MS, remaining()))
    : settle(page, progress.idle, Math.min(STEP_MS, remaining()), STEP_QUIET_MS)

function note(page: Page, progress: Progress): void {
  if (progress.visited.at(-1) !== page.url()) progress.visited.push(page.url())
}

/** The main frame's HTML from a scan, kept for the platform fingerprint. */
function keep(scanned: ScannedFrame[], progress: Progress): ScannedFrame | undefined {
  const main = scanned.find((f) => f.world.main)
  if (main && progress.html.length < 12) progress.html.push(main.html.slice(0, MAX_HTML))
  return main
}

async function follow(page: Page, target: Target, progress: Progress, remaining: Remaining) {
  if (target.href !== null) {
    await page.goto(target.href, { waitUntil: 'load', timeout: remaining() })
  } else {
    await page.locator(target.selector).first().click({ timeout: 2000 })
  }
  await step(page, progress, remaining)
}

/** Card frames once a card form shows, after a full quiet window for late-loading skimmers. */
async function readyToFill(page: Page, progress: Progress, remaining: Remaining) {
  // step() already waited the full window on checkout-looking URLs.
  if (CHECKOUT_URL.test(page.url())) return cardForm(progress.cdp)
  await settle(page, progress.idle, Math.min(SETTLE_MS, remaining()))
  return cardForm(progress.cdp)
}

async function tryPlatformPaths(page: Page, progress: Progress, remaining: Remaining) {
  const urls = PLATFORM_PATHS.map((path) => new URL(path, page.url()).href)
  // Probed first: a shop answers few of the paths, and a render of each 404 costs a page load.
  const existing = await existingPaths(progress.cdp, urls, remaining).catch(() => urls)
  for (const url of existing) {
    const response = await page
      .goto(url, { waitUntil: 'load', timeout: remaining() })
      .catch(() => null)
    if (!response || response.status() >= 400) continue
    await step(page, progress, remaining)
    const found = await reachPayment(page, progress, remaining)
    if (found) return found
  }
  return null
}

/** On a checkout page: fill the address step and continue until card fields show. */
async function reachPayment(
  page: Page,
  progress: Progress,
  remaining: Remaining,
  scanned?: ScannedFrame[],
): Promise<ScannedFrame[] | null> {
  let frames = scanned
  for (let n = 0; n <= MAX_STEPS; n++) {
    frames ??= await scanFrames(progress.cdp)
    if (await cardForm(progress.cdp, frames)) return readyToFill(page, progress, remaining)
    if (n === MAX_STEPS || !CHECKOUT_URL.test(page.url())) return null
    const main = keep(frames, progress)
    const next = main ? findContinueButton(main.html) : null
    if (!main || !next) return null
    await fillPersonal(progress.cdp, main)
    await follow(page, next, progress, remaining).catch(() => undefined)
    note(page, progress)
    frames = undefined
  }
  return null
}

async function walkToCheckout(page: Page, progress: Progress, remaining: Remaining) {
  let addedToCart = false
  for (let hop = 0; hop < MAX_HOPS; hop++) {
    const scanned = await scanFrames(progress.cdp)
    const found = await reachPayment(page, progress, remaining, scanned)
    if (found) return found
    const html = keep(scanned, progress)?.html ?? ''
    const add = addedToCart ? null : findAddToCart(html, page.url())
    const target = add ?? findCheckoutTargets(html, page.url(), progress.visited)[0]
    if (add) addedToCart = true
    if (!target) break
    await follow(page, target, progress, remaining).catch(() => undefined)
    note(page, progress)
  }
  return tryPlatformPaths(page, progress, remaining)
}

const STORED_FN = `async () => {
  const dbs = indexedDB.databases ? await indexedDB.databases() : [];
  return localStorage.length + sessionStorage.length + dbs.length;
}`

/**
 * Whether the site left anything to recognise the visitor by. A first-visit gate needs it: with
 * nothing remembered, a second first visit straight to the checkout would be the same visit.
 */
async function siteRemembers(page: Page, cdp: CDPSession): Promise<boolean> {
  const cookies = await page
    .context()
    .cookies()
    .catch(() => [])
  if (cookies.length > 0) return true
  const { frameTree } = (await cdp.send('Page.getFrameTree')) as {
    frameTree: { frame: { id: string } }
  }
  const world = (await cdp.send('Page.createIsolatedWorld', {
    frameId: frameTree.frame.id,
    worldName: 'skimwatch-storage',
  })) as { executionContextId: number }
  const main: FrameWorld = { contextId: world.executionContextId, url: page.url(), main: true }
  // Storage that cannot be read (opaque origin, a hung page) counts as remembered: go again.
  return ((await callIn<number>(cdp, main, STORED_FN, null)) ?? 1) > 0
}

/** Forgets the site's cookies and storage so the next load looks like a first visit. */
async function forgetSite(page: Page, cdp: CDPSession): Promise<void> {
  await page
    .context()
    .clearCookies()
    .catch(() => undefined)
  // Through CDP, not page.evaluate: code evaluated in the page would show up as page scripts.
  await cdp
    .send('Storage.clearDataForOrigin', {
      origin: new URL(page.url()).origin,
      storageTypes: 'local_storage,session_storage,indexeddb,cookies',
    })
    .catch(() => undefined)
}

/** Fills and pays on the card frames found, then waits for late senders. */
async function fillHere(
  page: Page,
  progress: Progress,
  frames: ScannedFrame[] | null,
  remaining: Remaining,
) {
  const { cdp, idle, code, walk, maxRounds, pageTimeMs } = progress
  const rounds = { page, cdp, idle, code, walk, maxRounds, pageTimeMs, remaining }
  progress.filledCard = (await fillInRounds(rounds, frames)) || progress.filledCard
  await settle(page, progress.idle, Math.min(SETTLE_MS, remaining()))
}

/**
 * Pass one from `url`; then, budget allowing and only if the site remembered the visitor,
 * pass two straight to the checkout found, as a first-time visitor.
 */
export async function walkAndFill(
  page: Page,
  url: string,
  progress: Progress,
  remaining: Remaining,
) {
  const budget = remaining()
  const response = await page.goto(url, { waitUntil: 'load', timeout: remaining() })
  progress.visited.push(page.url())
  progress.siteHost = new URL(page.url()).hostname
  if (response && response.status() >= 400) throw new Error(`HTTP ${response.status()} for ${url}`)
  await step(page, progress, remaining)
  const found = await walkToCheckout(page, progress, remaining)
  const checkoutUrl = found ? (page.url().split('#')[0] ?? null) : null
  // Pass one's own card form (or none found anywhere): fill what there is.
  await fillHere(page, progress, found, remaining)
  if (checkoutUrl === null || checkoutUrl === url || remaining() < budget * DIRECT_SHARE) return
  if (!(await siteRemembers(page, progress.cdp).catch(() => true))) return
  // Skimmers gated on the landing page or on a first visit fire again here.
  await forgetSite(page, progress.cdp)
  await page.goto(checkoutUrl, { waitUntil: 'load', timeout: remaining() })
  note(page, progress)
  await step(page, progress, remaining)
  const again = await reachPayment(page, progress, remaining)
  if (again) await fillHere(page, progress, again, remaining)
}
