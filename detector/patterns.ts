// Shared vocabulary of the rules: what card fields, input harvesting and checkout pages look like.

/** Names, ids, selectors and autocomplete tokens of payment-card fields. */
export const CARD_FIELD =
  /cc[-_ .[]?(?:num|number|no|exp|expiry|csc|cvv|cvc|cid|name|type|month|year|mm|yy)|card[-_ .]?(?:num|number|no|holder|code|cvc|cvv|exp|expiry|name|type|data)|cardnumber|creditcard|credit[-_ ]card|\bcvv2?\b|\bcvc2?\b|\bcsc\b|security[-_ ]?code|expir(?:y|ation)|exp(?:iry)?[-_]?(?:month|year|date|mm|yy)|\[name\*=['"]?(?:card|cc|cvv)|payment\[cc_|autocomplete[~^*|$]?=\s*["']?cc-/i

/** Weaker checkout vocabulary: billing and payment sections of a checkout form. */
export const CHECKOUT_FIELD = /billing|payment|checkout/i

/** Selectors that grab every form control on the page. */
export const ALL_INPUTS =
  /^\s*(?:form\s+)?(?:input|select|textarea)(?:\[[^\]]*\])?(?:\s*,\s*(?:form\s+)?(?:input|select|textarea)(?:\[[^\]]*\])?)*\s*$|^:input$/i

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
  'find',
])

export const KEY_EVENTS = /^(?:key(?:up|down|press)|input|change|blur|focusout|paste)$/i
