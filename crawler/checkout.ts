// Finds the way to the checkout in a page's HTML: pure functions over cheerio, no browser.
import * as cheerio from 'cheerio'
import type { AnyNode, Element } from 'domhandler'
import {
  ADD_TO_CART_WORDS,
  CART_WORDS,
  CHECKOUT_WORDS,
  CONTINUE_WORDS,
  PAY_WORDS,
  wordsRe,
} from './languages.ts'

export const CHECKOUT_RE = new RegExp(
  `${wordsRe(CHECKOUT_WORDS).source}|route=checkout|/checkouts?/|/order\\b|/commande|/bestellung|/pedido`,
  'i',
)
export const CART_RE = new RegExp(`${wordsRe(CART_WORDS).source}|route=checkout/cart`, 'i')
export const ADD_TO_CART_RE = new RegExp(
  `${wordsRe(ADD_TO_CART_WORDS).source}|\\?add-to-cart=|route=checkout/cart/add`,
  'i',
)
export const PAY_RE = wordsRe(PAY_WORDS)
export const CONTINUE_RE = wordsRe(CONTINUE_WORDS)

/** Checkout paths of Magento 1/2, WooCommerce, Shopify, PrestaShop, OpenCart and BigCommerce. */
export const PLATFORM_PATHS = [
  '/checkout/',
  '/checkout/onepage/',
  '/checkout/#payment',
  '/onestepcheckout/',
  '/index.php?route=checkout/checkout',
  '/checkout',
  '/order',
  '/commande',
  '/bestellung',
  '/pedido',
  '/cart',
  '/cart/',
  '/cart.php',
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

export function describe($: cheerio.CheerioAPI, el: Element): string {
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

function absolute(raw: string, base: URL): URL | null {
  if (/^\s*(#|javascript:|mailto:|tel:)/i.test(raw)) return null
  try {
    const href = new URL(raw, base)
    return /^https?:$/.test(href.protocol) && sameSite(href, base) ? href : null
  } catch {
    return null
  }
}

/** Links, buttons and forms towards checkout (score 2) or cart (score 1), best first. */
export function findCheckoutTargets(
  html: string,
  pageUrl: string,
  visited: string[] = [],
): Target[] {
  const $ = cheerio.load(html)
  const base = new URL(pageUrl)
  const seen = new Set(visited.map((v) => v.split('#')[0]))
  const out: Target[] = []
  const sel = 'a[href], button, input[type=submit], input[type=button], [role=button]'
  $(sel).each((_, el) => {
    const label = describe($, el)
    if (ADD_TO_CART_RE.test(label)) return
    const form = $(el).closest('form')
    const formLabel = form.length > 0 ? describe($, form[0] as Element) : ''
    const score = CHECKOUT_RE.test(label) ? 2 : CART_RE.test(label) ? 1 : 0
    const formScore = CHECKOUT_RE.test(formLabel) ? 2 : 0
    if (score === 0 && formScore === 0) return
    const rawHref = $(el).attr('href')
    if (rawHref === undefined) {
      // A button inside a checkout form (e.g. "Proceed" posting to /checkout) is clicked.
      if (form.length === 0 || formScore > 0)
        out.push({ href: null, selector: cssPath(el), score: Math.max(score, formScore), label })
      return
    }
    const href = absolute(rawHref, base)
    if (href === null) return
    href.hash = ''
    if (seen.has(href.href)) return
    out.push({ href: href.href, selector: cssPath(el), score, label })
  })
  // Stable sort keeps document order among equals: the header link usually comes first.
  return out.sort((a, b) => b.score - a.score)
}

/** The submit control of an add-to-cart form, an add-to-cart link, or a standalone button. */
export function findAddToCart(html: string, pageUrl?: string): Target | null {
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
  if (!loose) return null
  const raw = $(loose).attr('href')
  // WooCommerce's ?add-to-cart= links work as plain GETs, no script needed.
  const href = raw && pageUrl ? absolute(raw, new URL(pageUrl)) : null
  return { href: href?.href ?? null, selector: cssPath(loose), score: 1, label: describe($, loose) }
}

/** The first "continue" control of a multi-step checkout's address step. */
export function findContinueButton(html: string): Target | null {
  return findContinueButtons(html)[0] ?? null
}

/** Every "continue" control, in document order (an accordion has one per section). */
export function findContinueButtons(html: string): Target[] {
  const $ = cheerio.load(html)
  const buttons = $('button, input[type=submit], input[type=button], a[href^="#"], [role=button]')
  return buttons
    .toArray()
    .filter((b) => {
      const label = describe($, b)
      return CONTINUE_RE.test(label) && !ADD_TO_CART_RE.test(label) && !/shopping/i.test(label)
    })
    .map((b) => ({ href: null, selector: cssPath(b), score: 1, label: describe($, b) }))
}

// Product links as the platforms mark them, and product-looking paths.
const PRODUCT_LINK =
  'a.product-item-link, a.woocommerce-LoopProduct-link, a.product-name, a.product-title, .product-item a[href], .product-card a[href], .product a[href], .product-miniature a[href], .product-thumb a[href], [itemtype*="schema.org/Product"] a[href]'
const PRODUCT_PATH =
  /\/(products?|p|item|artikel|produit|producto)\/|route=product\/product|id_product=/i

/** The URLs of `Product` items in a page's JSON-LD (offers' URLs included). */
function jsonLdProducts($: cheerio.CheerioAPI): string[] {
  const urls: string[] = []
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit)
    if (typeof node !== 'object' || node === null) return
    const o = node as Record<string, unknown>
    if (o['@type'] === 'Product') {
      const offers = o.offers as Record<string, unknown> | undefined
      for (const u of [o.url, offers?.url]) if (typeof u === 'string') urls.push(u)
    }
    for (const key of ['@graph', 'itemListElement', 'item']) visit(o[key])
  }
  $('script[type="application/ld+json"]').each((_, el) => {
    try {
      visit(JSON.parse($(el).text()))
    } catch {
      // a broken block names no product
    }
  })
  return urls
}

/** A product page to put in the cart from (JSON-LD Product, platform product links, paths). */
export function findProductLink(
  html: string,
  pageUrl: string,
  visited: string[] = [],
): Target | null {
  const $ = cheerio.load(html)
  const base = new URL(pageUrl)
  const seen = new Set(visited.map((v) => v.split('#')[0]))
  const fromLd = jsonLdProducts($).map((raw) => ({ raw, label: 'JSON-LD Product', selector: '' }))
  const fromLinks = [...$(PRODUCT_LINK).toArray(), ...$('a[href]').toArray()]
    .filter((a, i, all) => all.indexOf(a) === i)
    .filter((a) => isProductLink(a))
    .map((a) => ({ raw: $(a).attr('href') ?? '', label: describe($, a), selector: cssPath(a) }))
  function isProductLink(a: Element): boolean {
    return $(a).is(PRODUCT_LINK) || PRODUCT_PATH.test($(a).attr('href') ?? '')
  }
  for (const c of [...fromLd, ...fromLinks]) {
    const href = absolute(c.raw, base)
    if (!href || CHECKOUT_RE.test(href.href) || CART_RE.test(href.pathname)) continue
    href.hash = ''
    if (seen.has(href.href) || href.href === base.href) continue
    return { href: href.href, selector: c.selector, score: 1, label: c.label }
  }
  return null
}
