// One synthetic checkout, driven like a buyer in fast-forward: load, type the honeypot card,
// pay, submit; then page time runs on in steps, and late hooks get the card typed again.
import type { CDPSession, Page } from 'playwright'
import { fillAndPay } from '../fill.ts'
import { callIn, sameOriginWorlds } from '../frames.ts'
import type { Variant } from './pages.ts'
import type { Network } from './network.ts'

/**
 * Page time after load, in ms, and whether the buyer acts after each step: always, or only
 * when the sample added listeners or compiled new code since the last time (late hooks).
 * 60.5 s in all; the last chance to act, at 30.5 s, leaves 30 s for senders delayed after it.
 */
export const STEPS: ReadonlyArray<{ ms: number; act: 'always' | 'if-new' | 'never' }> = [
  { ms: 500, act: 'always' },
  { ms: 2000, act: 'if-new' },
  { ms: 5000, act: 'if-new' },
  { ms: 8000, act: 'if-new' },
  { ms: 15000, act: 'if-new' },
  { ms: 30000, act: 'never' },
]
const SETTLE_MS = 300
/** Page time a typed card number keeps the focus, as a buyer's pause before the next field */
const DWELL_MS = 1000

export interface Run {
  page: Page
  cdp: CDPSession
  network: Network
  /** grows when the sample does something new (a listener, newly compiled code) */
  activity: () => number
  /** what the run is doing now, for the reason when it is cut off */
  step: string
  pages: string[]
  remaining: () => number
  /** set once the detonation has its outcome: whatever still runs in the background stops */
  stopped: boolean
}

class Stopped extends Error {
  override name = 'Stopped'
}

const go = (run: Run) => {
  if (run.stopped) throw new Stopped('the detonation already ended')
}

// Named controls shadow form methods (an input called "submit"), so the prototype's are used.
const NUDGE_FN = `() => {
  let clicked = 0;
  for (const b of document.querySelectorAll('button[type=button], [role=button]')) {
    if (clicked < 10 && b.getClientRects().length > 0) { HTMLElement.prototype.click.call(b); clicked++; }
  }
  return document.forms.length;
}`
const SUBMIT_FN = `(i) => {
  const f = document.forms[i];
  if (!f) return false;
  try { HTMLFormElement.prototype.requestSubmit.call(f); } catch { HTMLFormElement.prototype.submit.call(f); }
  return true;
}`

// The buyer leaves: the tab goes to the background, then the page is hidden for good. Senders
// that wait for that (a stash sent on pagehide or visibilitychange) run while the document is
// still there, so what they send is answered and recorded like any other request.
const HIDE_FN = `() => {
  try {
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' });
    Object.defineProperty(document, 'hidden', { configurable: true, get: () => true });
  } catch {}
  document.dispatchEvent(new Event('visibilitychange'));
  window.dispatchEvent(new PageTransitionEvent('pagehide', { persisted: false }));
}`
/** Page time for what the leaving handlers started (a timer, a promise chain) */
const HIDDEN_MS = 1000

const FIELDS_FN = `() => document.querySelectorAll('input, select, textarea').length`

/** Form fields in the page and its same-origin frames, counted out of the sample's reach. */
async function fieldCount(run: Run): Promise<number> {
  const worlds = await sameOriginWorlds(run.cdp).catch(() => [])
  let n = 0
  for (const w of worlds) n += (await callIn<number>(run.cdp, w, FIELDS_FN, null)) ?? 0
  return n
}

/** Clicks other buttons, then submits every form, one per task so none replaces another. */
async function submitForms(cdp: CDPSession): Promise<void> {
  const main = (await sameOriginWorlds(cdp).catch(() => [])).find((w) => w.main)
  if (!main) return
  const forms = (await callIn<number>(cdp, main, NUDGE_FN, null)) ?? 0
  for (let i = 0; i < Math.min(forms, 10); i++) await callIn(cdp, main, SUBMIT_FN, i)
}

/** The buyer: types the card and personal values, clicks pay, submits the forms. */
async function act(run: Run, url: string): Promise<void> {
  go(run)
  run.step = `typing the test card and clicking pay on ${url}`
  await fillAndPay(run.page, run.cdp, undefined, { dwell: () => runFor(run, DWELL_MS) })
  go(run)
  run.step = `submitting the forms on ${url}`
  await submitForms(run.cdp)
}

/** Waits, briefly, for every request the page started to be answered and recorded. */
async function settle(run: Run): Promise<void> {
  const until = Date.now() + Math.min(SETTLE_MS, run.remaining())
  while (run.network.busy() && Date.now() < until) await new Promise((r) => setTimeout(r, 20))
  run.network.forget()
}

/**
 * The clock runs in every page of the context: a popup the sample opened, closing as we tick,
 * fails the call. Ours still ticked; only our own page closing is an error.
 */
async function runFor(run: Run, ms: number): Promise<void> {
  try {
    await run.page.clock.runFor(ms)
  } catch (err) {
    if (run.page.isClosed() || !/has been closed|detached/i.test(String(err))) throw err
  }
  // One round trip on the session the reports come by: what the timers reported has arrived
  // before the buyer decides whether the sample did something new.
  await run.cdp.send('Runtime.getIsolateId').catch(() => undefined)
}

/** How long a page that committed may take to fire `load` before the buyer starts anyway. */
const LOAD_MS = 4000

/** A navigation the sample itself started (a form post, `location = …`) may abort ours: once more. */
async function load(run: Run, variant: Variant): Promise<void> {
  const goto = () => {
    run.network.expectPage(variant)
    return run.page.goto(variant.url, { waitUntil: 'commit', timeout: run.remaining() })
  }
  try {
    await goto()
  } catch (err) {
    if (!/ERR_ABORTED|interrupted by another navigation/i.test(String(err))) throw err
    await goto()
  }
  // A navigation started while the page loads stops its loading: `load` may never come.
  const loaded = Math.min(LOAD_MS, run.remaining())
  await run.page.waitForLoadState('load', { timeout: loaded }).catch(() => undefined)
}

/** Loads `variant` with the sample in it and plays the buyer through STEPS of page time. */
export async function runVariant(run: Run, variant: Variant, pageTime: { ms: number }) {
  go(run)
  run.step = `loading ${variant.url}`
  run.pages.push(variant.url)
  await load(run, variant)
  let seen = -1
  let fields = -1
  for (const step of STEPS) {
    go(run)
    const to = (pageTime.ms + step.ms) / 1000
    run.step = `running timers to ${to} s of page time on ${variant.url}`
    await runFor(run, step.ms)
    pageTime.ms += step.ms
    const now = run.activity()
    // new form fields (a card form put over a processor's frame) are new too; counted before the
    // buyer acts, so fields that appear while they type are still new at the next step
    const count = step.act === 'never' ? fields : await fieldCount(run)
    if (step.act === 'always' || (step.act === 'if-new' && (now !== seen || count !== fields))) {
      await act(run, variant.url)
      seen = run.activity()
      fields = count
    }
  }
  go(run)
  run.step = `hiding ${variant.url} as a buyer leaving it`
  await hide(run)
  await settle(run)
}

/** In the page's own world: the visibility the sample reads is the page's, not an isolated one's. */
async function hide(run: Run): Promise<void> {
  const hidden = await run.page.evaluate(`(${HIDE_FN})(), true`).catch(() => false)
  if (hidden) await runFor(run, HIDDEN_MS)
}

/** Leaves the last page, so unload and pagehide senders fire, and lets their requests land. */
export async function leave(run: Run): Promise<void> {
  go(run)
  run.step = 'leaving the page'
  await run.page.goto('about:blank', { timeout: run.remaining() }).catch(() => undefined)
  await settle(run)
}
