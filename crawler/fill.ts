// Honeypot fill: types the test card and personal values into every card-looking form.
import type { Frame, Page } from 'playwright'
import { findFields, findPayButton, hasCardField, type Field, type FieldRole } from './checkout.ts'
import { TEST_VALUES } from './exfil-match.ts'

const ACTION_MS = 1500

const VALUE: Record<FieldRole, string> = {
  card: TEST_VALUES.card,
  exp: TEST_VALUES.exp,
  expMonth: TEST_VALUES.expMonth,
  expYear: TEST_VALUES.expYear,
  cvv: TEST_VALUES.cvv,
  cardName: TEST_VALUES.name,
  name: TEST_VALUES.name,
  email: TEST_VALUES.email,
  phone: TEST_VALUES.phone,
}

// Keyloggers listen to key events, so card values are typed key by key.
const TYPED: ReadonlySet<FieldRole> = new Set(['card', 'exp', 'cvv', 'expMonth', 'expYear'])

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
  const value = VALUE[field.role]
  const el = frame.locator(field.selector).first()
  try {
    if (field.tag === 'select') {
      await selectValue(frame, field, field.role === 'expYear' ? TEST_VALUES.expYear : value)
      return true
    }
    if (!(await el.isVisible())) return false
    await el.click({ timeout: ACTION_MS })
    await el.fill('', { timeout: ACTION_MS })
    if (TYPED.has(field.role)) await el.pressSequentially(value, { timeout: ACTION_MS * 2 })
    else await el.fill(value, { timeout: ACTION_MS })
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

/** True when the page or a same-origin frame holds a card-number field. */
export async function pageHasCardForm(page: Page): Promise<boolean> {
  return (await cardFrames(page)).length > 0
}

/** Fills every card form, then clicks its pay button; returns whether a card number was typed. */
export async function fillAndPay(page: Page): Promise<boolean> {
  let filledCard = false
  for (const { frame, fields } of await cardFrames(page)) {
    // Personal fields first: skimmers often send once the card fields are complete.
    const ordered = [...fields].sort(
      (a, b) => Number(TYPED.has(a.role)) - Number(TYPED.has(b.role)),
    )
    for (const field of ordered) {
      const ok = await fillField(frame, field)
      if (ok && field.role === 'card') filledCard = true
    }
    const pay = findPayButton(await frame.content().catch(() => ''))
    if (pay) {
      await frame
        .locator(pay.selector)
        .first()
        .click({ timeout: ACTION_MS, noWaitAfter: true })
        .catch(() => undefined)
    }
  }
  return filledCard
}
