// Shared vocabulary of the rules: what card fields, input harvesting and checkout pages look like.

/** Names, ids, selectors and autocomplete tokens of payment-card fields. */
export const CARD_FIELD =
  /cc[-_ .[]?(?:num|number|no|exp|expiry|csc|cvv|cvc|cid|name|type|month|year|mm|yy)|card[-_ .]?(?:num|number|no|holder|code|cvc|cvv|exp|expiry|name|type|data)|cardnumber|creditcard|credit[-_ ]card|\bcvv2?\b|\bcvc2?\b|\bcsc\b|security[-_ ]?code|expir(?:y|ation)|exp(?:iry)?[-_]?(?:month|year|date|mm|yy)|\[name\*=['"]?(?:card|cc|cvv)|payment\[cc_|autocomplete[~^*|$]?=\s*["']?cc-/i

/** A whole property name for a card field (`cc_number`, `cardNumber`, `cvv`), not a setting. */
export const CARD_MEMBER =
  /^(cc[-_]?(num|number|no|cid|cvv|cvc|csc|exp(iry)?([-_]?(month|year|date|mm|yy))?)|card[-_]?(num|number|no|cvc|cvv|code|holder|exp(iry)?([-_]?(month|year|date))?)|cvv2?|cvc2?|csc|credit[-_]?card([-_]?number)?|security[-_]?code)$/i
/** Weaker checkout vocabulary: billing and payment sections of a checkout form. */
export const CHECKOUT_FIELD = /billing|payment|checkout/i

/** One compound selector: a tag or `*`, then ids, classes, attribute filters, pseudo-classes. */
const COMPOUND = /^(?:[\w-]+|\*)?(?:[#.][\w-]+|\[[^\]]*\]|::?[\w-]+(?:\([^)]*\))?)*$/
/** Filters that keep a field sweep a sweep: by type, by having an attribute, by exclusion. */
const BROAD_FILTERS = /^(?:\[(?:type\b[^\]]*|[\w-]+)\]|:not\([^)]*\)|:(?:visible|enabled|input))*$/i
const FIELD_TAG = /^(?:input|select|textarea)\b(?![-\w])|^:input\b/i

/**
 * A selector that grabs every form control on the page (or in a form): a list in which some
 * entry is bare `input`, `select` or `textarea` (`:input`), perhaps under an ancestor, perhaps
 * filtered by type; other entries may be anything (`input, select, textarea, checkbox`).
 */
export function sweepsInputs(selector: string): boolean {
  if (selector.length > 500) return false
  let fields = false
  for (const part of selector.split(',')) {
    const steps = part.trim().split(/\s*[>~+]\s*|\s+/)
    if (!steps.every((s) => COMPOUND.test(s))) return false
    const last = steps[steps.length - 1] as string
    const tag = FIELD_TAG.exec(last)
    if (tag && BROAD_FILTERS.test(last.slice(tag[0].length))) fields = true
  }
  return fields
}

/** Words in URLs of checkout pages, in the languages shops use. */
export const CHECKOUT_URL =
  /checkout|onepage|one-page|onestep|payment|\bcart\b|order|billing|kasse|caisse|pago|pagamento|paiement|zahlung|bestell|commande|ödeme|odeme/i

export const SELECTOR_CALLS = new Set([
  'querySelectorAll',
  'querySelector',
  'getElementsByTagName',
  'getElementsByName',
  'getElementById',
  'getElementsByClassName',
  '$',
  'jQuery',
  'find',
])

export const HARVEST_CALLS = new Set([
  'querySelectorAll',
  'getElementsByTagName',
  '$',
  'jQuery',
  // Prototype's and MooTools' selector query
  '$$',
  'find',
])

export const KEY_EVENTS = /^(?:key(?:up|down|press)|input|change|blur|focusout|paste)$/i
