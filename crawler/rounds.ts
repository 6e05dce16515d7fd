// Fill rounds: late code gets its chance. After the card is typed, the page's timers run ahead on
// Playwright's clock in steps; when new code shows up (a script never compiled before, a new
// listener on a card field, a card field emptied or replaced) the card is typed again, with real
// key events, before pay is clicked — and again after pay while the page stays.
import type { CDPSession, Page } from 'playwright'
import type { WalkRecord } from '../core/types.ts'
import { cardForm, clickPay, fillForms, type ScannedFrame } from './fill.ts'
import { EMPTY_FN } from './fill-page.ts'
import { callIn } from './frames.ts'
import { quietWindow, type IdleWatcher } from './idle.ts'
import type { MarkLog } from './marks.ts'
import type { PhaseClock } from './phases.ts'
import type { ScriptCollector } from './scripts.ts'

export const DEFAULT_FILL_ROUNDS = 3
export const DEFAULT_PAGE_TIME_MS = 60_000
// Short steps first: skimmers wait seconds, rarely minutes (of 60 s: 10, 20, 30).
const STEP_SHARES = [1, 2, 3]
const STEP_QUIET_MS = 100
const STEP_MAX_MS = 1500
// Follow-up clicks after pay: a review step's "Place Order" after a payment step's "Continue".
const MAX_PAY_CLICKS = 3
const PAY_QUIET_MS = 300
const PAY_MAX_MS = 2500

/** What changed in the page since the last fill. */
export interface CodeWatch {
  /** the page as it is now is the baseline */
  mark(): Promise<void>
  /** new code compiled or a new card-field listener since the last mark */
  changed(): Promise<boolean>
}

export function watchCode(scripts: ScriptCollector, marks: MarkLog): CodeWatch {
  let known = new Set<string>()
  let listens = 0
  return {
    async mark() {
      known = await scripts.compiled()
      listens = marks.listens()
    },
    async changed() {
      if (marks.listens() > listens) return true
      for (const sha of await scripts.compiled()) if (!known.has(sha)) return true
      return false
    },
  }
}

export interface RoundsContext {
  page: Page
  cdp: CDPSession
  idle: IdleWatcher
  code: CodeWatch
  walk: WalkRecord
  clock: PhaseClock
  maxRounds: number
  pageTimeMs: number
  remaining: () => number
}

const noHash = (url: string) => url.split('#')[0] ?? url

/** The card-number fields of the last fill, by frame. */
type Filled = Array<{ frame: ScannedFrame; numbers: string[] }>

/** A card-number field of the last fill is gone or shows empty: the form was re-rendered or cleared. */
async function formEmptied(r: RoundsContext, filled: Filled): Promise<boolean> {
  for (const { frame, numbers } of filled) {
    const empty = await callIn<string[]>(r.cdp, frame.world, EMPTY_FN, numbers)
    if (empty !== null && empty.length > 0) return true
  }
  return false
}

async function fillRound(r: RoundsContext, frames?: ScannedFrame[] | null) {
  const form = frames ?? (await cardForm(r.cdp)) ?? []
  const typed = await r.clock.during('fill', () => fillForms(r.page, r.cdp, form))
  r.walk.fillRounds++
  await r.code.mark()
  const filled: Filled = form.map((frame) => ({
    frame,
    numbers: frame.fields
      .filter((x) => x.role === 'card' || x.role === 'cardPart')
      .map((x) => x.selector),
  }))
  return { typed, filled }
}

/** Runs page timers `ms` ahead; false when the page went away under the clock. */
async function runAhead(r: RoundsContext, ms: number): Promise<boolean> {
  const before = r.idle.events()
  const ran = await r.clock.during('page time', () =>
    r.page.clock
      .runFor(ms)
      .then(() => true)
      .catch(() => false),
  )
  if (ran) r.walk.pageTimeMs += ms
  // Timers that fetched something (a late script) get their requests finished first.
  if (r.idle.events() !== before)
    await r.clock.during('late fetch', () =>
      r.idle.wait(STEP_QUIET_MS, Math.min(STEP_MAX_MS, r.remaining())),
    )
  return ran
}

/** Clicks pay, then any new pay button the same page shows next (a review step's Place Order). */
async function pay(r: RoundsContext): Promise<boolean> {
  const clicked = new Set<string>()
  const at = noHash(r.page.url())
  for (let n = 0; n < MAX_PAY_CLICKS; n++) {
    const button = await clickPay(r.page, r.cdp, clicked)
    if (!button) break
    clicked.add(button.key)
    r.walk.clicked.push(button.label)
    await quietWindow(r.page, r.idle, PAY_QUIET_MS, Math.min(PAY_MAX_MS, r.remaining()))
    if (noHash(r.page.url()) !== at) break
  }
  return clicked.size > 0
}

/**
 * Types the card into `frames`, lets late code arrive, pays, and types again when new code
 * appeared; returns whether a card number was typed. The walk record says how it went.
 */
export async function fillInRounds(r: RoundsContext, frames: ScannedFrame[] | null) {
  const started = Date.now()
  const before = r.walk.fillRounds
  const roundsLeft = () => r.walk.fillRounds - before < r.maxRounds
  let { typed, filled } = await fillRound(r, frames)
  const round = async () => {
    const next = await fillRound(r)
    typed ||= next.typed
    filled = next.filled
  }
  const newCode = async () => (await r.code.changed()) || (await formEmptied(r, filled))
  const stepMs = r.pageTimeMs / STEP_SHARES.reduce((a, b) => a + b, 0)
  let stop = 'page time ran out'
  for (const share of r.pageTimeMs > 0 ? STEP_SHARES : []) {
    if (r.remaining() < STEP_MAX_MS * 2) {
      stop = 'visit budget'
      break
    }
    if (!(await runAhead(r, share * stepMs))) {
      stop = 'the page went away while its timers ran'
      break
    }
    if (!(await newCode())) continue
    if (!roundsLeft()) {
      stop = 'fill round limit'
      break
    }
    await round()
  }
  const at = noHash(r.page.url())
  if (!(await r.clock.during('pay', () => pay(r)))) stop = 'no pay button to click'
  else {
    // Still on the page after pay: code hooked on the click, or a re-rendered form, gets a round.
    const stayed = noHash(r.page.url()) === at
    const again = stayed && (await newCode())
    if (again && roundsLeft() && r.remaining() > STEP_MAX_MS * 2) {
      await round()
      await r.clock.during('pay', () => pay(r))
      stop = 'paid again after new code'
    } else stop = again ? 'fill round limit' : stayed ? `paid; ${stop}` : 'paid and left the page'
  }
  r.walk.stop = stop
  r.walk.roundsMs += Date.now() - started
  return typed
}
