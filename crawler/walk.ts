// The route through a shop: home → product → add to cart → cart → checkout (→ payment step),
// then, if the site remembered the visitor, the same checkout again straight away as a new one.
import type { CDPSession, Page } from 'playwright'
import { findAddToCart, findCheckoutTargets, findProductLink, PLATFORM_PATHS } from './checkout.ts'
import type { Target } from './checkout.ts'
import type { WalkRecord } from '../core/types.ts'
import { cardForm, scanFrames, type ScannedFrame } from './fill.ts'
import { callIn, type FrameWorld } from './frames.ts'
import { quietWindow, type IdleWatcher } from './idle.ts'
import type { PhaseClock } from './phases.ts'
import { existingPaths } from './probe.ts'
import { fillInRounds, type CodeWatch } from './rounds.ts'
import { describeInvalid, fillStep, invalidFields, record, visibleContinue } from './steps.ts'

const MAX_HOPS = 5
const MAX_STEPS = 5
// Late senders after pay and late-loading skimmers on the card page get a full quiet window.
const SETTLE_MS = 3000
const QUIET_MS = 500
// Pages on the way (home, product, cart) only need their links: load plus a short quiet.
const STEP_MS = 1500
const STEP_QUIET_MS = 100
const STEP_SETTLE_QUIET_MS = 200
const MAX_HTML = 512 * 1024
// The direct pass runs only when this much of the budget is left, so pass one is never starved.
const DIRECT_SHARE = 0.35

export interface Progress {
  idle: IdleWatcher
  /** the visit's CDP session, for page-side work in isolated worlds */
  cdp: CDPSession
  /** where the visit's wall time goes */
  clock: PhaseClock
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

/**
 * Waits for load and a quiet network, bounded: late senders get their chance. The quiet window's
 * timers run ahead on the page clock, so only what they start is waited for, not the window.
 */
export async function settle(
  page: Page,
  idle: IdleWatcher,
  ms: number,
  quietMs = QUIET_MS,
): Promise<void> {
  const started = Date.now()
  await page.waitForLoadState('load', { timeout: ms }).catch(() => undefined)
  await quietWindow(page, idle, quietMs, Math.max(1, ms - (Date.now() - started)))
}

const CHECKOUT_URL = /check.?out|commande|order|pedido|bestellung|kasse|pay/i

/** After a navigation: a full quiet window on checkout-looking URLs, a short one elsewhere. */
const step = (page: Page, progress: Progress, remaining: Remaining) =>
  CHECKOUT_URL.test(page.url())
    ? progress.clock.during('settle checkout', () =>
        settle(page, progress.idle, Math.min(SETTLE_MS, remaining())),
      )
    : progress.clock.during('settle page', () =>
        settle(page, progress.idle, Math.min(STEP_MS, remaining()), STEP_QUIET_MS),
      )

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
  await progress.clock.during('navigate', async () => {
    if (target.href !== null) {
      await page.goto(target.href, { waitUntil: 'load', timeout: remaining() })
    } else {
      await page.locator(target.selector).first().click({ timeout: 2000 })
    }
  })
  await step(page, progress, remaining)
}

/** Card frames once a card form shows, after a full quiet window for late-loading skimmers. */
async function readyToFill(page: Page, progress: Progress, remaining: Remaining) {
  // step() already waited the full window on checkout-looking URLs.
  if (CHECKOUT_URL.test(page.url())) return cardForm(progress.cdp)
  await progress.clock.during('settle checkout', () =>
    settle(page, progress.idle, Math.min(SETTLE_MS, remaining())),
  )
  return cardForm(progress.cdp)
}

async function tryPlatformPaths(page: Page, progress: Progress, remaining: Remaining) {
  const urls = PLATFORM_PATHS.map((path) => new URL(path, page.url()).href)
  // Probed first: a shop answers few of the paths, and a render of each 404 costs a page load.
  const existing = await progress.clock.during('probe', () =>
    existingPaths(progress.cdp, urls, remaining).catch(() => urls),
  )
  for (const url of existing) {
    const response = await progress.clock.during('navigate', () =>
      page.goto(url, { waitUntil: 'load', timeout: remaining() }).catch(() => null),
    )
    if (!response || response.status() >= 400) continue
    await step(page, progress, remaining)
    const found = await reachPayment(page, progress, remaining)
    if (found) return found
  }
  return null
}

/** Card fields show: the payment step is recorded and the form read after late loaders settle. */
async function atPayment(page: Page, progress: Progress, remaining: Remaining) {
  await record(page, progress, 'payment', true)
  return readyToFill(page, progress, remaining)
}

/** Clicks the step's continue control; on validation errors fixes the fields once and retries. */
async function passStep(
  page: Page,
  progress: Progress,
  remaining: Remaining,
  next: Target,
  name: string,
): Promise<boolean> {
  const { cdp, walk } = progress
  for (let attempt = 0; attempt < 2; attempt++) {
    const before = page.url()
    walk.clicked.push(next.label)
    await page
      .locator(next.selector)
      .first()
      .click({ timeout: 2000 })
      .catch(() => undefined)
    // The step's own requests (saving the address) get a short quiet window; late code on the
    // next step is the fill rounds' business.
    await progress.clock.during('settle step', () =>
      settle(page, progress.idle, Math.min(STEP_MS, remaining()), STEP_SETTLE_QUIET_MS),
    )
    note(page, progress)
    if (page.url() !== before) return record(page, progress, name, true).then(() => true)
    const main = (await scanFrames(cdp)).find((f) => f.world.main)
    const again = main ? await visibleContinue(cdp, main) : null
    if (!main || again?.selector !== next.selector)
      return record(page, progress, name, true).then(() => true)
    const invalid = await invalidFields(cdp, main, attempt === 0)
    if (invalid === null) return record(page, progress, name, true).then(() => true)
    const last = attempt === 1 || invalid.fixed === 0
    const why = describeInvalid(invalid) + (last ? '' : ` (fixed ${invalid.fixed}, trying again)`)
    await record(page, progress, name, false, why)
    if (last) return false
  }
  return false
}

/** On a checkout page: pass its steps (address, shipping, payment method) until card fields show. */
async function reachPayment(
  page: Page,
  progress: Progress,
  remaining: Remaining,
  scanned?: ScannedFrame[],
): Promise<ScannedFrame[] | null> {
  const { cdp, walk } = progress
  let frames = scanned
  for (let n = 0; n <= MAX_STEPS; n++) {
    frames ??= await scanFrames(cdp)
    if (await cardForm(cdp, frames)) return atPayment(page, progress, remaining)
    const main = CHECKOUT_URL.test(page.url()) ? keep(frames, progress) : undefined
    if (!main) return null
    // The step's choices first: choosing the card method may show the card fields at once.
    if ((await progress.clock.during('steps', () => fillStep(cdp, main))) > 0) {
      await progress.clock.during('settle step', () =>
        settle(page, progress.idle, Math.min(STEP_MS, remaining()), STEP_QUIET_MS),
      )
      if (await cardForm(cdp)) return atPayment(page, progress, remaining)
    }
    const name = `checkout step ${n + 1}`
    const next = n < MAX_STEPS ? await visibleContinue(cdp, main) : null
    if (!next) {
      const why = n < MAX_STEPS ? 'no card fields and no continue button' : 'step limit reached'
      if (n > 0) await record(page, progress, name, false, why)
      return null
    }
    const started = Date.now()
    const passed = await progress.clock.during('steps', () =>
      passStep(page, progress, remaining, next, name),
    )
    walk.stepsMs += Date.now() - started
    if (!passed) return null
    frames = undefined
  }
  return null
}

/** The next place on the way: add to cart, else a product page (once), else cart or checkout. */
function nextTarget(
  html: string,
  page: Page,
  progress: Progress,
  cart: { added: boolean; product: boolean },
) {
  const add = cart.added ? null : findAddToCart(html, page.url())
  if (add) return { target: add, name: 'add to cart' }
  const product =
    cart.added || cart.product ? null : findProductLink(html, page.url(), progress.visited)
  if (product) return { target: product, name: 'product' }
  const target = findCheckoutTargets(html, page.url(), progress.visited)[0]
  return target ? { target, name: target.score > 1 ? 'checkout' : 'cart' } : null
}

async function walkToCheckout(page: Page, progress: Progress, remaining: Remaining) {
  const { walk } = progress
  const cart = { added: false, product: false }
  for (let hop = 0; hop < MAX_HOPS; hop++) {
    const scanned = await scanFrames(progress.cdp)
    walk.addedToCart = cart.added
    const found = await reachPayment(page, progress, remaining, scanned)
    if (found) return found
    const next = nextTarget(keep(scanned, progress)?.html ?? '', page, progress, cart)
    if (!next) break
    cart.added ||= next.name === 'add to cart'
    cart.product ||= next.name === 'product'
    if (next.target.href === null) walk.clicked.push(next.target.label)
    const opened = await follow(page, next.target, progress, remaining)
      .then(() => true)
      .catch(() => false)
    note(page, progress)
    await record(page, progress, next.name, opened, opened ? undefined : 'could not open it')
  }
  walk.addedToCart = cart.added
  if (!cart.added) await record(page, progress, 'add to cart', false, 'no product could be added')
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
  const { cdp, idle, code, walk, clock, maxRounds, pageTimeMs } = progress
  const rounds = { page, cdp, idle, code, walk, clock, maxRounds, pageTimeMs, remaining }
  progress.filledCard = (await fillInRounds(rounds, frames)) || progress.filledCard
  await clock.during('after pay', () =>
    settle(page, progress.idle, Math.min(SETTLE_MS, remaining())),
  )
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
  const response = await progress.clock.during('navigate', () =>
    page.goto(url, { waitUntil: 'load', timeout: remaining() }),
  )
  progress.visited.push(page.url())
  progress.siteHost = new URL(page.url()).hostname
  if (response && response.status() >= 400) throw new Error(`HTTP ${response.status()} for ${url}`)
  await step(page, progress, remaining)
  await record(page, progress, 'home', true)
  const found = await walkToCheckout(page, progress, remaining)
  const checkoutUrl = found ? (page.url().split('#')[0] ?? null) : null
  // Pass one's own card form (or none found anywhere): fill what there is.
  await fillHere(page, progress, found, remaining)
  if (!found) progress.walk.stop = `no card form found; ${progress.walk.stop}`
  if (checkoutUrl === null || checkoutUrl === url || remaining() < budget * DIRECT_SHARE) return
  const { clock } = progress
  if (!(await clock.during('revisit', () => siteRemembers(page, progress.cdp).catch(() => true))))
    return
  // Skimmers gated on the landing page or on a first visit fire again here.
  await clock.during('revisit', () => forgetSite(page, progress.cdp))
  await clock.during('navigate', () =>
    page.goto(checkoutUrl, { waitUntil: 'load', timeout: remaining() }),
  )
  note(page, progress)
  await step(page, progress, remaining)
  const again = await reachPayment(page, progress, remaining)
  if (again) await fillHere(page, progress, again, remaining)
}
