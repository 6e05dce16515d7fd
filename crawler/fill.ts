// Honeypot fill: types the test card and personal values into every card-looking form.
import type { Frame, Page } from 'playwright'
import { findFields, findPayButton, hasCardField, type Field, type FieldRole } from './fields.ts'
import { TEST_VALUES } from './exfil-match.ts'

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

function sameOrigin(frame: Frame, page: Page): boolean {
  const url = frame.url()
  if (url === 'about:blank' || url === 'about:srcdoc') return true
  try {
    return new URL(url).origin === new URL(page.url()).origin
  } catch {
    return false
  }
}

async function selectValue(frame: Frame, field: Field, value: string): Promise<void> {
  const el = frame.locator(field.selector)
  const options = [value, `20${value}`, String(Number(value))]
  for (const option of options) {
    const ok = await el
      .selectOption([{ value: option }, { label: option }], { timeout: 300 })
      .then(() => true)
      .catch(() => false)
    if (ok) return
  }
}

async function fillField(frame: Frame, field: Field): Promise<boolean> {
  const value = valueOf(field)
  const el = frame.locator(field.selector).first()
  try {
    if (field.tag === 'select') {
      await selectValue(frame, field, value)
      return true
    }
    if (!(await el.isVisible())) return false
    await el.click({ timeout: ACTION_MS })
    await el.fill('', { timeout: ACTION_MS })
    if (TYPED.has(field.role)) await el.pressSequentially(value, { timeout: ACTION_MS * 2 })
    else await el.fill(value, { timeout: ACTION_MS })
    // Tab blurs the field: many skimmers send on blur or change.
    await el.press('Tab', { timeout: ACTION_MS })
    return true
  } catch {
    // A field that is covered, detached or read-only is skipped; the rest still get filled.
    return false
  }
}

async function cardFrames(page: Page): Promise<Array<{ frame: Frame; fields: Field[] }>> {
  const out: Array<{ frame: Frame; fields: Field[] }> = []
  for (const frame of page.frames()) {
    if (!sameOrigin(frame, page)) continue
    const html = await frame.content().catch(() => '')
    const fields = findFields(html)
    if (hasCardField(fields)) out.push({ frame, fields })
  }
  return out
}

/** Personal fields of the page's main frame (an address step has no card field yet). */
export async function fillPersonal(page: Page): Promise<number> {
  const fields = findFields(await page.content().catch(() => ''))
  let filled = 0
  for (const f of fields) if (!TYPED.has(f.role) && (await fillField(page.mainFrame(), f))) filled++
  return filled
}

/** True when the page or a same-origin frame holds a visible card-number field. */
export async function pageHasCardForm(page: Page): Promise<boolean> {
  for (const { frame, fields } of await cardFrames(page)) {
    for (const f of fields) {
      if (f.role !== 'card' && f.role !== 'cardPart') continue
      if (
        await frame
          .locator(f.selector)
          .first()
          .isVisible()
          .catch(() => false)
      )
        return true
    }
  }
  return false
}

/** Fills every card form, then clicks its pay button; returns whether a card number was typed. */
export async function fillAndPay(page: Page): Promise<boolean> {
  let filledCard = false
  const frames = await cardFrames(page)
  for (const { frame, fields } of frames) {
    // Personal fields first: skimmers often send once the card fields are complete.
    const ordered = [...fields].sort(
      (a, b) => Number(TYPED.has(a.role)) - Number(TYPED.has(b.role)),
    )
    for (const field of ordered) {
      const ok = await fillField(frame, field)
      if (ok && (field.role === 'card' || field.role === 'cardPart')) filledCard = true
    }
  }
  // Pay last, after every frame is filled: the pay button often lives outside the card iframe.
  for (const frame of [page.mainFrame(), ...frames.map((f) => f.frame)]) {
    const pay = findPayButton(await frame.content().catch(() => ''))
    if (!pay) continue
    const clicked = await frame
      .locator(pay.selector)
      .first()
      .click({ timeout: ACTION_MS, noWaitAfter: true })
      .then(() => true)
      .catch(() => false)
    if (clicked) break
  }
  return filledCard
}
