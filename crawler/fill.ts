// Honeypot fill: types the test card and personal values into every card-looking form.
// Fields are set page-side in one call per frame (frames.ts); only card numbers are typed as
// real key presses, for keyloggers that listen to trusted key events.
import type { CDPSession, Frame, Page } from 'playwright'
import { findFields, findPayButtons, hasCardField, type Field, type FieldRole } from './fields.ts'
import { TEST_VALUES } from './exfil-match.ts'
import { FILL_FN, VISIBLE_FN, type FieldOp } from './fill-page.ts'
import { callIn, HTML_FN, sameOriginWorlds, type FrameWorld } from './frames.ts'

const ACTION_MS = 1500

const VALUE: Record<Exclude<FieldRole, 'cardPart'>, string> = {
  card: TEST_VALUES.card,
  exp: TEST_VALUES.exp,
  expMonth: TEST_VALUES.expMonth,
  expYear: TEST_VALUES.expYear,
  cvv: TEST_VALUES.cvv,
  cardName: TEST_VALUES.name,
  name: TEST_VALUES.name,
  email: TEST_VALUES.email,
  phone: TEST_VALUES.phone,
  address: TEST_VALUES.address,
  zip: TEST_VALUES.zip,
  city: TEST_VALUES.city,
}

const valueOf = (f: Field) =>
  f.role === 'cardPart'
    ? TEST_VALUES.card.slice((f.part ?? 0) * 4, (f.part ?? 0) * 4 + 4)
    : VALUE[f.role]

// Keyloggers listen to key events, so card values are typed key by key.
const TYPED: ReadonlySet<FieldRole> = new Set([
  'card',
  'cardPart',
  'exp',
  'cvv',
  'expMonth',
  'expYear',
])
const isNumber = (f: Field) => f.role === 'card' || f.role === 'cardPart'

/** A same-origin frame with its serialised DOM and the fields found in it. */
export interface ScannedFrame {
  world: FrameWorld
  html: string
  fields: Field[]
}

/** Every same-origin frame, serialised once: callers share the scan instead of re-reading. */
export async function scanFrames(cdp: CDPSession): Promise<ScannedFrame[]> {
  const worlds = await sameOriginWorlds(cdp).catch(() => [])
  const scanned = await Promise.all(
    worlds.map(async (world) => {
      const html = (await callIn<string>(cdp, world, HTML_FN, null)) ?? ''
      return { world, html, fields: findFields(html) }
    }),
  )
  return scanned.sort((a, b) => Number(b.world.main) - Number(a.world.main))
}

/** Frames holding a visible card-number field, or null when none does. */
export async function cardForm(
  cdp: CDPSession,
  scanned?: ScannedFrame[],
): Promise<ScannedFrame[] | null> {
  const frames = (scanned ?? (await scanFrames(cdp))).filter((f) => hasCardField(f.fields))
  for (const f of frames) {
    const numbers = f.fields.filter(isNumber).map((x) => x.selector)
    const shown = await callIn<string[]>(cdp, f.world, VISIBLE_FN, numbers)
    if (shown !== null && shown.length > 0) return frames
  }
  return null
}

const opOf = (f: Field): FieldOp => ({
  selector: f.selector,
  op: f.tag === 'select' ? 'select' : TYPED.has(f.role) ? 'keys' : 'text',
  value: valueOf(f),
})

/** Personal fields of the main frame (an address step has no card field yet). */
export async function fillPersonal(cdp: CDPSession, main: ScannedFrame): Promise<number> {
  const ops = main.fields.filter((f) => !TYPED.has(f.role)).map(opOf)
  return (await callIn<string[]>(cdp, main.world, FILL_FN, ops))?.length ?? 0
}

/** What a caller adds to the buyer's pace. */
export interface Pace {
  /**
   * Runs while a typed card number still has the focus, before the buyer leaves the field: a
   * page on a fake clock lets its timers run here, so code that polls the focused field sees it.
   */
  dwell?: () => Promise<void>
}

/** Card fields in document order; card numbers as real keys between a page-side focus and blur. */
async function fillCard(
  page: Page,
  cdp: CDPSession,
  frame: ScannedFrame,
  pace: Pace,
): Promise<boolean> {
  let typed = false
  let batch: FieldOp[] = []
  const flush = async () => {
    if (batch.length > 0) await callIn(cdp, frame.world, FILL_FN, batch)
    batch = []
  }
  for (const f of frame.fields.filter((x) => TYPED.has(x.role))) {
    if (!isNumber(f) || f.tag === 'select') {
      batch.push(opOf(f))
      continue
    }
    await flush()
    const focus: FieldOp = { selector: f.selector, op: 'focus', value: '' }
    const focused = await callIn<string[]>(cdp, frame.world, FILL_FN, [focus])
    if (!focused?.length) continue
    const ok = await page.keyboard
      .type(valueOf(f))
      .then(() => true)
      .catch(() => false)
    if (ok && pace.dwell) await pace.dwell()
    // Blur after real typing: the browser itself fires change, as on a user's Tab.
    await callIn(cdp, frame.world, FILL_FN, [{ ...focus, op: 'blur' }])
    typed ||= ok
  }
  await flush()
  return typed
}

function playwrightFrame(page: Page, world: FrameWorld): Frame | undefined {
  if (world.main) return page.mainFrame()
  return page.frames().find((f) => f !== page.mainFrame() && f.url() === world.url)
}

/** Fills every card form; returns whether a card number was typed. */
export async function fillForms(
  page: Page,
  cdp: CDPSession,
  found?: ScannedFrame[] | null,
  pace: Pace = {},
): Promise<boolean> {
  const frames = found ?? (await cardForm(cdp)) ?? []
  let filledCard = false
  // Personal fields first: skimmers often send once the card fields are complete.
  for (const frame of frames) {
    const personal = frame.fields.filter((f) => !TYPED.has(f.role)).map(opOf)
    if (personal.length > 0) await callIn(cdp, frame.world, FILL_FN, personal)
    filledCard = (await fillCard(page, cdp, frame, pace)) || filledCard
  }
  return filledCard
}

/**
 * Clicks the first visible pay button not in `skip` (selectors, frame URL first); returns
 * its key and label, or null when there was none to click.
 */
export async function clickPay(
  page: Page,
  cdp: CDPSession,
  skip: ReadonlySet<string> = new Set(),
): Promise<{ key: string; label: string } | null> {
  // Pay last, after every frame is filled: the pay button often lives outside the card iframe.
  const scanned = await scanFrames(cdp)
  for (const { world, html } of scanned) {
    const frame = playwrightFrame(page, world)
    const candidates = findPayButtons(html).filter((b) => !skip.has(`${world.url} ${b.selector}`))
    if (!frame || candidates.length === 0) continue
    const selectors = candidates.map((b) => b.selector)
    const shown = new Set((await callIn<string[]>(cdp, world, VISIBLE_FN, selectors)) ?? [])
    const pay = candidates.find((b) => shown.has(b.selector))
    if (!pay) continue
    const clicked = await frame
      .locator(pay.selector)
      .first()
      .click({ timeout: ACTION_MS, noWaitAfter: true })
      .then(() => true)
      .catch(() => false)
    if (clicked) return { key: `${world.url} ${pay.selector}`, label: pay.label }
  }
  return null
}

/** Fills every card form, then clicks its pay button; returns whether a card number was typed. */
export async function fillAndPay(
  page: Page,
  cdp: CDPSession,
  found?: ScannedFrame[] | null,
  pace: Pace = {},
): Promise<boolean> {
  const filledCard = await fillForms(page, cdp, found, pace)
  await clickPay(page, cdp)
  return filledCard
}
