// Finds card and personal fields in a document and the pay button: pure functions over cheerio.
import * as cheerio from 'cheerio'
import type { Element } from 'domhandler'
import { ADD_TO_CART_RE, cssPath, describe, PAY_RE, type Target } from './checkout.ts'
import { CARD_FIELD_PATTERN } from './init-script.ts'
import { FIELD_WORDS, wordRe } from './languages.ts'

export type FieldRole =
  | 'card'
  | 'cardPart'
  | 'exp'
  | 'expMonth'
  | 'expYear'
  | 'cvv'
  | 'cardName'
  | 'name'
  | 'email'
  | 'phone'
  | 'address'
  | 'zip'
  | 'city'

export interface Field {
  selector: string
  role: FieldRole
  tag: 'input' | 'select'
  /** for 'cardPart': which group of digits, 0-based */
  part?: number
}

const CARD_RE = new RegExp(`${CARD_FIELD_PATTERN}|${FIELD_WORDS.card.join('|')}`, 'i')
const RE = Object.fromEntries(
  Object.entries(FIELD_WORDS).map(([role, words]) => [role, wordRe(words)]),
) as Record<keyof typeof FIELD_WORDS, RegExp>

const AUTOCOMPLETE: Record<string, FieldRole> = {
  'cc-number': 'card',
  'cc-csc': 'cvv',
  'cc-exp': 'exp',
  'cc-exp-month': 'expMonth',
  'cc-exp-year': 'expYear',
  'cc-name': 'cardName',
  'cc-given-name': 'cardName',
  name: 'name',
  'given-name': 'name',
  'family-name': 'name',
  email: 'email',
  tel: 'phone',
  'street-address': 'address',
  'address-line1': 'address',
  'postal-code': 'zip',
  'address-level2': 'city',
}

// Order matters: "card security code" is a cvv, "card holder" a name, not a card number.
const CARD_ROLES: FieldRole[] = ['cvv', 'cardName', 'expMonth', 'expYear', 'exp']
const MM_YY = /mm\s*\/\s*(yy|jj|aa)|month\s*\/\s*year/i
const PERSONAL_ROLES: FieldRole[] = ['email', 'phone', 'zip', 'city', 'address', 'name']

function roleOf(attrs: string, type: string, autocomplete: string): FieldRole | null {
  const token = autocomplete.split(/\s+/).at(-1) ?? ''
  const byAuto = AUTOCOMPLETE[token]
  if (byAuto) return byAuto
  // A lone MM/YY (or MM/AA, MM/JJ) placeholder is an expiry date in any language.
  if (MM_YY.test(attrs) && !RE.cvv.test(attrs)) return 'exp'
  if (CARD_RE.test(attrs) || token.startsWith('cc-')) {
    for (const role of CARD_ROLES) if (RE[role as keyof typeof RE].test(attrs)) return role
    return 'card'
  }
  if (type === 'email') return 'email'
  if (type === 'tel') return 'phone'
  if (/user|login|company|firma|coupon|search|promo|newsletter/i.test(attrs)) return null
  for (const role of PERSONAL_ROLES) if (RE[role as keyof typeof RE].test(attrs)) return role
  return null
}

function labelText($: cheerio.CheerioAPI, el: Element): string {
  const id = $(el).attr('id')
  const byFor = id ? $(`label[for="${id.replace(/"/g, '\\"')}"]`).text() : ''
  const wrapping = $(el).closest('label').clone().children('select, input').remove().end().text()
  return `${byFor} ${wrapping}`.replace(/\s+/g, ' ').trim().slice(0, 120)
}

const SKIP_TYPES = ['hidden', 'submit', 'button', 'checkbox', 'radio', 'image', 'file', 'reset']

/** Card-looking and personal inputs in a document, with the role each should be filled as. */
export function findFields(html: string): Field[] {
  const $ = cheerio.load(html)
  const out: Field[] = []
  $('input, select').each((_, el) => {
    const e = $(el)
    const type = (e.attr('type') ?? 'text').toLowerCase()
    if (SKIP_TYPES.includes(type)) return
    if (e.attr('disabled') !== undefined || e.attr('readonly') !== undefined) return
    const autocomplete = (e.attr('autocomplete') ?? '').toLowerCase()
    const attrs = [
      e.attr('name'),
      e.attr('id'),
      e.attr('placeholder'),
      e.attr('aria-label'),
      e.attr('data-stripe'),
      labelText($, el),
    ]
      .filter(Boolean)
      .join(' ')
    const role = roleOf(attrs, type, autocomplete)
    if (role)
      out.push({ selector: cssPath(el), role, tag: el.name === 'select' ? 'select' : 'input' })
  })
  return splitCardNumber($, out)
}

/** Four short card inputs side by side (4×4 digits) become numbered parts. */
function splitCardNumber($: cheerio.CheerioAPI, fields: Field[]): Field[] {
  const short = fields.filter((f) => {
    if (f.role !== 'card') return false
    const max = Number($(f.selector).attr('maxlength') ?? '0')
    return max > 0 && max <= 4
  })
  if (short.length < 3) return fields
  short.forEach((f, i) => {
    f.role = 'cardPart'
    f.part = i
  })
  return fields
}

export const hasCardField = (fields: Field[]) =>
  fields.some((f) => f.role === 'card' || f.role === 'cardPart')

/** The pay button of the form holding the card field, else any pay-looking button. */
export function findPayButton(html: string): Target | null {
  return findPayButtons(html)[0] ?? null
}

/** Pay-looking buttons, those of the form holding the card field first. */
export function findPayButtons(html: string): Target[] {
  const $ = cheerio.load(html)
  // input[type=button] too: OpenCart's "Confirm Order" and other script-driven pay buttons
  const buttons = $(
    'button, input[type=submit], input[type=button], input[type=image], [role=button]',
  ).toArray()
  const scored = buttons
    .map((b) => {
      const label = describe($, b)
      const inCardForm = $(b)
        .closest('form')
        .find('input')
        .toArray()
        .some(
          (i) =>
            CARD_RE.test(describe($, i)) || ($(i).attr('autocomplete') ?? '').startsWith('cc-'),
        )
      const score =
        (inCardForm ? 2 : 0) + (PAY_RE.test(label) ? 1 : 0) - (ADD_TO_CART_RE.test(label) ? 3 : 0)
      return { href: null, selector: cssPath(b), score, label }
    })
    .filter((t) => t.score > 0)
  return scored.sort((a, b) => b.score - a.score)
}
