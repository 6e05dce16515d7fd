// Finds the way to the checkout in a page's HTML: pure functions over cheerio, no browser.
import * as cheerio from 'cheerio'
import type { AnyNode, Element } from 'domhandler'
import { CARD_FIELD_PATTERN } from './init-script.ts'

const words = (list: string[]) => new RegExp(list.join('|'), 'i')

// Checkout and payment words in English, German, French, Spanish, Italian, Dutch and Portuguese.
export const CHECKOUT_RE = words([
  'check.?out',
  'payment',
  'pay now',
  'place order',
  'onepage',
  'kasse',
  'bezahlen',
  'zahlung',
  'paiement',
  'caisse',
  'commande',
  'commander',
  'pago',
  'pagar',
  'finalizar',
  'tramitar',
  'pagamento',
  'cassa',
  'procedi',
  'afrekenen',
  'betalen',
  'bestellen',
  'route=checkout',
])
export const CART_RE = words([
  '\\bcart\\b',
  'basket',
  'warenkorb',
  'panier',
  'carrito',
  'cesta',
  'carrello',
  'winkelwagen',
  'winkelmand',
  'carrinho',
  'minicart',
  'shopping.?bag',
])
export const ADD_TO_CART_RE = words([
  'add.?to.?(cart|basket|bag)',
  'addtocart',
  'cart/add',
  'in den warenkorb',
  'ajouter au panier',
  'añadir al carrito',
  'anadir al carrito',
  'aggiungi al carrello',
  'in winkelwagen',
  'adicionar ao carrinho',
  'buy now',
  'add-to-cart',
])
export const PAY_RE = words([
  'pay',
  'place.?order',
  'complete',
  'confirm',
  'submit',
  'buy',
  'purchase',
  'bezahlen',
  'kaufen',
  'bestellen',
  'payer',
  'commander',
  'valider',
  'pagar',
  'comprar',
  'paga',
  'acquista',
  'ordina',
  'betalen',
  'afrekenen',
  'order',
])

/** Platform checkout paths tried when a page links to nothing that looks like a checkout. */
export const PLATFORM_PATHS = [
  '/checkout/',
  '/checkout/onepage/',
  '/index.php?route=checkout/checkout',
  '/commande',
  '/order',
  '/cart',
]

export interface Target {
  /** absolute URL to open for links; null when the element must be clicked */
  href: string | null
  /** CSS path to the element in the live page */
  selector: string
  score: number
  label: string
}

/** A CSS path by tag and :nth-of-type from <html>, stable between serialised and live DOM. */
export function cssPath(el: Element): string {
  const parts: string[] = []
  let node: AnyNode | null = el
  while (node && node.type === 'tag') {
    const tag: Element = node
    const parent: AnyNode | null = tag.parent
    const siblings = parent && 'children' in parent ? parent.children : []
    const same = siblings.filter((n): n is Element => n.type === 'tag' && n.name === tag.name)
    parts.unshift(same.length > 1 ? `${tag.name}:nth-of-type(${same.indexOf(tag) + 1})` : tag.name)
    node = parent
  }
  return parts.join(' > ')
}

function describe($: cheerio.CheerioAPI, el: Element): string {
  const e = $(el)
  const text = (e.text() || e.attr('value') || e.attr('aria-label') || e.attr('title') || '').trim()
  return [text, e.attr('href'), e.attr('id'), e.attr('class'), e.attr('name'), e.attr('action')]
    .filter(Boolean)
    .join(' ')
    .replace(/\s+/g, ' ')
    .slice(0, 300)
}

function sameSite(a: URL, b: URL): boolean {
  const bare = (h: string) => h.replace(/^www\./, '')
  const x = bare(a.hostname)
  const y = bare(b.hostname)
  return x === y || x.endsWith(`.${y}`) || y.endsWith(`.${x}`)
}

/** Links and buttons towards checkout (score 2) or cart (score 1), best first. */
export function findCheckoutTargets(
  html: string,
  pageUrl: string,
  visited: string[] = [],
): Target[] {
  const $ = cheerio.load(html)
  const base = new URL(pageUrl)
  const seen = new Set(visited.map((v) => v.split('#')[0]))
  const out: Target[] = []
  $('a[href], button, input[type=submit], input[type=button], [role=button]').each((_, el) => {
    const label = describe($, el)
    if (ADD_TO_CART_RE.test(label)) return
    const score = CHECKOUT_RE.test(label) ? 2 : CART_RE.test(label) ? 1 : 0
    if (score === 0) return
    const rawHref = $(el).attr('href')
    if (rawHref === undefined) {
      if ($(el).closest('form').length === 0)
        out.push({ href: null, selector: cssPath(el), score, label })
      return
    }
    if (/^\s*(#|javascript:|mailto:|tel:)/i.test(rawHref)) return
    let href: URL
    try {
      href = new URL(rawHref, base)
    } catch {
      return
    }
    href.hash = ''
    if (!/^https?:$/.test(href.protocol) || !sameSite(href, base) || seen.has(href.href)) return
    out.push({ href: href.href, selector: cssPath(el), score, label })
  })
  // Stable sort keeps document order among equals: the header link usually comes first.
  return out.sort((a, b) => b.score - a.score)
}

/** The submit control of an add-to-cart form or a standalone add-to-cart button. */
export function findAddToCart(html: string): Target | null {
  const $ = cheerio.load(html)
  for (const form of $('form').toArray()) {
    const submit = $(form).find('button, input[type=submit], input[type=image]').toArray()
    const button = submit.find((b) => $(b).attr('type') !== 'button') ?? submit[0]
    if (!button) continue
    const label = `${describe($, form)} ${describe($, button)}`
    if (ADD_TO_CART_RE.test(label) || /\/cart\/add|add-to-cart|addtocart/i.test(label)) {
      return { href: null, selector: cssPath(button), score: 1, label }
    }
  }
  const loose = $('button, a[href], [role=button]')
    .toArray()
    .find((b) => ADD_TO_CART_RE.test(describe($, b)))
  return loose
    ? { href: null, selector: cssPath(loose), score: 1, label: describe($, loose) }
    : null
}

export type FieldRole =
  'card' | 'exp' | 'expMonth' | 'expYear' | 'cvv' | 'cardName' | 'name' | 'email' | 'phone'

export interface Field {
  selector: string
  role: FieldRole
  tag: 'input' | 'select'
}

const CARD_RE = new RegExp(CARD_FIELD_PATTERN, 'i')
const ROLES: Array<[FieldRole, RegExp]> = [
  ['cvv', /cvv|cvc|csc|cvn|security.?code|card.?code|pr[uü]fziffer|cryptogram/i],
  ['expMonth', /exp.*(month|mm\b|mon)|month|monat|mois|\bmes\b|cc-exp-month/i],
  ['expYear', /exp.*(year|yy)|year|jahr|ann[eé]e|a[nñ]o|anno|cc-exp-year/i],
  ['exp', /expir|exp.?date|\bexp\b|ablauf|mm.?\/?.?yy|cc-exp|validit|scadenza|caducidad/i],
  ['cardName', /holder|name.?on.?card|cc-?name|card.?name|titulaire|inhaber|titular/i],
  ['card', /card|cc-?num|\bcc\b|kartennummer|num[eé]ro|tarjeta|carta|kaart|\bpan\b/i],
]

function roleOf(attrs: string, type: string, autocomplete: string): FieldRole | null {
  if (autocomplete === 'cc-number') return 'card'
  if (autocomplete === 'cc-csc') return 'cvv'
  if (autocomplete === 'cc-exp') return 'exp'
  if (autocomplete === 'cc-exp-month') return 'expMonth'
  if (autocomplete === 'cc-exp-year') return 'expYear'
  if (autocomplete === 'cc-name') return 'cardName'
  if (CARD_RE.test(attrs) || autocomplete.startsWith('cc-')) {
    for (const [role, re] of ROLES) if (re.test(attrs)) return role
    return 'card'
  }
  if (type === 'email' || /e-?mail/i.test(attrs)) return 'email'
  if (type === 'tel' || /phone|telef|\btel\b|mobile/i.test(attrs)) return 'phone'
  if (/name|nom|nombre|nome|naam/i.test(attrs) && !/user|login|company|firma/i.test(attrs))
    return 'name'
  return null
}

/** Card-looking and personal inputs in a document, with the role each should be filled as. */
export function findFields(html: string): Field[] {
  const $ = cheerio.load(html)
  const out: Field[] = []
  $('input, select').each((_, el) => {
    const e = $(el)
    const type = (e.attr('type') ?? 'text').toLowerCase()
    if (
      ['hidden', 'submit', 'button', 'checkbox', 'radio', 'image', 'file', 'reset'].includes(type)
    )
      return
    if (e.attr('disabled') !== undefined || e.attr('readonly') !== undefined) return
    const autocomplete = (e.attr('autocomplete') ?? '').toLowerCase()
    const attrs = [
      e.attr('name'),
      e.attr('id'),
      e.attr('placeholder'),
      e.attr('aria-label'),
      e.attr('data-stripe'),
    ]
      .filter(Boolean)
      .join(' ')
    const role = roleOf(attrs, type, autocomplete)
    if (role)
      out.push({ selector: cssPath(el), role, tag: el.name === 'select' ? 'select' : 'input' })
  })
  return out
}

export const hasCardField = (fields: Field[]) => fields.some((f) => f.role === 'card')

/** The pay button of the form holding the card field, else any pay-looking button. */
export function findPayButton(html: string): Target | null {
  const $ = cheerio.load(html)
  const buttons = $('button, input[type=submit], input[type=image], [role=button]').toArray()
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
  return scored.sort((a, b) => b.score - a.score)[0] ?? null
}
