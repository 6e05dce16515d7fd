// The route through a shop: home → product → add to cart → cart → checkout (→ payment step),
// then the same checkout again straight away as a first-time visitor.
import type { Page } from 'playwright'
import {
  findAddToCart,
  findCheckoutTargets,
  findContinueButton,
  PLATFORM_PATHS,
} from './checkout.ts'
import type { Target } from './checkout.ts'
import { fillAndPay, fillPersonal, pageHasCardForm } from './fill.ts'
import type { IdleWatcher } from './idle.ts'

const MAX_HOPS = 5
const MAX_STEPS = 2
const SETTLE_MS = 3000
const QUIET_MS = 500
const MAX_HTML = 512 * 1024
// The direct pass runs only when this much of the budget is left, so pass one is never starved.
const DIRECT_SHARE = 0.35

export interface Progress {
  idle: IdleWatcher
  visited: string[]
  filledCard: boolean
  siteHost: string
  /** HTML of pages on the way, for the platform fingerprint */
  html: string[]
}

export type Remaining = () => number

/** Waits for load and a quiet network, bounded: late senders get their chance. */
export async function settle(page: Page, idle: IdleWatcher, ms: number): Promise<void> {
  const started = Date.now()
  await page.waitForLoadState('load', { timeout: ms }).catch(() => undefined)
  await idle.wait(QUIET_MS, Math.max(1, ms - (Date.now() - started)))
}

function note(page: Page, progress: Progress): void {
  if (progress.visited.at(-1) !== page.url()) progress.visited.push(page.url())
}

async function snapshot(page: Page, progress: Progress): Promise<string> {
  const html = await page.content().catch(() => '')
  if (progress.html.length < 12) progress.html.push(html.slice(0, MAX_HTML))
  return html
}

async function follow(page: Page, target: Target, progress: Progress, remaining: Remaining) {
  if (target.href !== null) {
    await page.goto(target.href, { waitUntil: 'load', timeout: remaining() })
  } else {
    await page.locator(target.selector).first().click({ timeout: 2000 })
  }
  await settle(page, progress.idle, Math.min(SETTLE_MS, remaining()))
}

async function tryPlatformPaths(page: Page, progress: Progress, remaining: Remaining) {
  for (const path of PLATFORM_PATHS) {
    const url = new URL(path, page.url()).href
    const response = await page
      .goto(url, { waitUntil: 'load', timeout: remaining() })
      .catch(() => null)
    if (!response || response.status() >= 400) continue
    await settle(page, progress.idle, Math.min(SETTLE_MS, remaining()))
    if (await reachPayment(page, progress, remaining)) return true
  }
  return false
}

/** On a checkout page: fill the address step and continue until card fields show. */
async function reachPayment(page: Page, progress: Progress, remaining: Remaining) {
  for (let step = 0; step <= MAX_STEPS; step++) {
    if (await pageHasCardForm(page)) return true
    if (
      step === MAX_STEPS ||
      !/check.?out|commande|order|pedido|bestellung|kasse|pay/i.test(page.url())
    )
      return false
    const next = findContinueButton(await snapshot(page, progress))
    if (!next) return false
    await fillPersonal(page)
    await follow(page, next, progress, remaining).catch(() => undefined)
    note(page, progress)
  }
  return false
}

async function walkToCheckout(page: Page, progress: Progress, remaining: Remaining) {
  let addedToCart = false
  for (let hop = 0; hop < MAX_HOPS; hop++) {
    if (await reachPayment(page, progress, remaining)) return true
    const html = await snapshot(page, progress)
    const add = addedToCart ? null : findAddToCart(html, page.url())
    const target = add ?? findCheckoutTargets(html, page.url(), progress.visited)[0]
    if (add) addedToCart = true
    if (!target) break
    await follow(page, target, progress, remaining).catch(() => undefined)
    note(page, progress)
  }
  return tryPlatformPaths(page, progress, remaining)
}

/** Forgets the site's cookies and storage so the next load looks like a first visit. */
async function forgetSite(page: Page): Promise<void> {
  await page
    .context()
    .clearCookies()
    .catch(() => undefined)
  // Through CDP, not page.evaluate: code evaluated in the page would show up as page scripts.
  const cdp = await page.context().newCDPSession(page)
  await cdp
    .send('Storage.clearDataForOrigin', {
      origin: new URL(page.url()).origin,
      storageTypes: 'local_storage,session_storage,indexeddb,cookies',
    })
    .catch(() => undefined)
  await cdp.detach().catch(() => undefined)
}

/** Pass one from `url`, then (budget allowing) pass two straight to the checkout found. */
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
  await settle(page, progress.idle, Math.min(SETTLE_MS, remaining()))
  await snapshot(page, progress)
  const reached = await walkToCheckout(page, progress, remaining)
  const checkoutUrl = reached ? (page.url().split('#')[0] ?? null) : null
  progress.filledCard = await fillAndPay(page)
  await settle(page, progress.idle, Math.min(SETTLE_MS, remaining()))
  if (checkoutUrl === null || checkoutUrl === url || remaining() < budget * DIRECT_SHARE) return
  // Skimmers gated on the landing page or on a first visit fire again here.
  await forgetSite(page)
  await page.goto(checkoutUrl, { waitUntil: 'load', timeout: remaining() })
  note(page, progress)
  await settle(page, progress.idle, Math.min(SETTLE_MS, remaining()))
  if (await reachPayment(page, progress, remaining)) {
    progress.filledCard = (await fillAndPay(page)) || progress.filledCard
    await settle(page, progress.idle, Math.min(SETTLE_MS, remaining()))
  }
}
