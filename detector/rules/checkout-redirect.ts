import type { AnyNode, Node } from 'acorn'
import type { AnalyzeContext } from '../context.ts'
import type { CallFact, Layer, ScriptFacts, Site } from '../facts.ts'
import { hostOf, pathOf, registrable } from '../paths.ts'
import { PROCESSOR_DOMAINS } from '../processors.ts'
import { destination } from '../sinks.ts'
import { checkoutGate } from './checkout-url-gating.ts'
import type { Rule } from './types.ts'

// A redirect skimmer never touches the card fields: it sends the shopper from the checkout to a
// payment page of its own on another host, and the card is typed there. It rewires the shop's
// place-order or payment buttons (their onclick, their click or submit handling) to navigate
// away with data about the order. A payment processor's hosted page is where such redirects
// normally go; their domains are listed and never count.

const LOCATION = /(^|\.)location$/
/** Ways a script points the browser at another page. */
const NAVIGATING_CALLS = new Set(['assign', 'replace'])
/** Selectors and words that name the controls of a checkout. */
const CHECKOUT_CONTROL =
  /place[-_ ]?order|checkout|onestep|payment|paynow|pay[-_ ]?button|billing|review[-_ ]?order/i
const CONTROL_QUERIES = new Set([
  'querySelector',
  'querySelectorAll',
  'getElementById',
  'getElementsByClassName',
  'getElementsByName',
  '$',
  'jQuery',
  'closest',
  'matches',
  'is',
  'find',
])
const HANDLER_ATTRS = /^on(click|submit|mousedown|mouseup|touchstart|keydown)$/i

interface Navigation {
  url: Node
  site: Site
  layer: Layer
}

/** `location.href = u`, `location = u`, `location.assign(u)`, `window.open(u)`, `$(location).attr('href', u)`. */
function navigations(script: ScriptFacts): Navigation[] {
  const out: Navigation[] = []
  for (const a of script.assigns) {
    const toHref = a.target === 'href' && LOCATION.test(a.object)
    const toLocation =
      a.target === 'location' && /^(|window|document|top|self|parent)$/.test(a.object)
    if ((toHref || toLocation) && a.operator === '=')
      out.push({ url: a.value, site: a.site, layer: a.layer })
  }
  for (const c of script.calls) {
    const first = c.args[0]
    if (!first) continue
    if (NAVIGATING_CALLS.has(c.name) && LOCATION.test(c.object))
      out.push({ url: first, site: c.site, layer: c.layer })
    else if (c.name === 'open' && /^(|window|top|self)$/.test(c.object))
      out.push({ url: first, site: c.site, layer: c.layer })
    else if (c.name === 'attr' && c.args[1] && c.layer.folder.foldString(first) === 'href') {
      // jQuery over the location object itself: `$(location).attr('href', url)`
      const callee = (c.node as AnyNode & { type: 'CallExpression' }).callee as AnyNode
      const on = callee.type === 'MemberExpression' ? (callee.object as AnyNode) : undefined
      const wrapped =
        on?.type === 'CallExpression' ? (on.arguments[0] as AnyNode | undefined) : undefined
      if (wrapped && LOCATION.test(pathOf(wrapped)))
        out.push({ url: c.args[1], site: c.site, layer: c.layer })
    }
  }
  return out
}

/** The redirect carries something of the page: built at run time, not a fixed address. */
function carriesData(nav: Navigation): boolean {
  if (nav.layer.folder.foldString(nav.url) !== undefined) return false
  const t = nav.layer.taint(nav.url)
  return (
    t.has('b64') ||
    t.has('json') ||
    t.has('uri') ||
    t.has('value') ||
    t.has('location') ||
    (nav.url as AnyNode).type === 'BinaryExpression' ||
    (nav.url as AnyNode).type === 'TemplateLiteral'
  )
}

const LISTENS = new Set(['addEventListener', 'on', 'click', 'submit', 'bind', 'one'])
const FUNCTIONS = new Set(['FunctionExpression', 'ArrowFunctionExpression', 'FunctionDeclaration'])

/**
 * The calls of a chain and of the names it goes through: `$('#place_order').off().on(…)`
 * holds `$('#place_order')`, and `var b = document.querySelector(…); b.onclick…` that query.
 */
function chainCalls(n: AnyNode, layer: Layer): (AnyNode & { type: 'CallExpression' })[] {
  const out: (AnyNode & { type: 'CallExpression' })[] = []
  let at: AnyNode | undefined = n
  for (let hops = 0; at && hops < 8; hops++) {
    if (at.type === 'CallExpression') {
      out.push(at)
      at = at.callee.type === 'MemberExpression' ? (at.callee.object as AnyNode) : undefined
    } else if (at.type === 'MemberExpression') at = at.object as AnyNode
    else if (at.type === 'Identifier') at = layer.initOf(at) as AnyNode | undefined
    else break
  }
  return out
}

/** The call is made on elements picked by a selector naming the checkout's controls. */
function onCheckoutControl(c: CallFact): boolean {
  const callee = (c.node as AnyNode & { type: 'CallExpression' }).callee as AnyNode
  if (callee.type !== 'MemberExpression') return false
  return chainCalls(callee.object as AnyNode, c.layer).some((q) => {
    const picked = q.arguments[0] ? c.layer.folder.foldString(q.arguments[0] as Node) : undefined
    return picked !== undefined && picked.length < 300 && CHECKOUT_CONTROL.test(picked)
  })
}

/**
 * Handlers the script puts on the checkout's controls, or on any form's submit: the ranges of
 * their functions' text, so that a navigation inside one is the button's new behaviour.
 */
function controlHandlers(script: ScriptFacts): { start: number; end: number }[] {
  const out: { start: number; end: number }[] = []
  for (const c of script.calls) {
    if (!LISTENS.has(c.name) || c.args.length === 0) continue
    const event = c.args.length > 1 ? c.layer.folder.foldString(c.args[0] as Node) : c.name
    if (!onCheckoutControl(c) && event !== 'submit') continue
    // the handler: the last function or name among the arguments (options come after it)
    let fn = [...c.args].reverse().find((a) => a.type === 'Identifier' || FUNCTIONS.has(a.type)) as
      AnyNode | undefined
    if (!fn) continue
    if (fn.type === 'Identifier') fn = (c.layer.initOf(fn) as AnyNode | undefined) ?? fn
    if (FUNCTIONS.has(fn.type)) out.push({ start: fn.start, end: fn.end })
  }
  return out
}

/** The script takes over the checkout's own controls: their handler attribute rewritten, or the controls looked up by name. */
function checkoutControls(script: ScriptFacts): 'rewired' | 'named' | undefined {
  let named = false
  for (const c of script.calls) {
    const first = c.args[0] ? c.layer.folder.foldString(c.args[0]) : undefined
    if (first === undefined) continue
    if (
      (c.name === 'attr' || c.name === 'setAttribute') &&
      HANDLER_ATTRS.test(first) &&
      c.args[1]
    ) {
      if (onCheckoutControl(c)) return 'rewired'
      continue
    }
    if (CONTROL_QUERIES.has(c.name) && first.length < 300 && CHECKOUT_CONTROL.test(first))
      named = true
  }
  return named ? 'named' : undefined
}

function foreign(nav: Navigation, ctx: AnalyzeContext): string | undefined {
  // the address is often built in a name first: `var u = base + '?' + data; location.replace(u)`
  let url = nav.url
  for (let hops = 0; (url as AnyNode).type === 'Identifier' && hops < 3; hops++)
    url = nav.layer.initOf(url) ?? url
  const text = nav.layer.leadingString(url)
  if (text === undefined || destination(text, ctx) !== 'external') return undefined
  // a processor's hosted payment page is on its own domain (www.mollie.com, checkout.adyen.com)
  const host = hostOf(text)
  if (host === undefined || PROCESSOR_DOMAINS.has(registrable(host))) return undefined
  return text
}

export const checkoutRedirect = {
  id: 'checkout-redirect',
  severity: 'high',
  description:
    "Sends the shopper from the checkout's own controls to a page on another host (a fake payment page), with data from the page",
  points: 60,
  check(script, ctx) {
    // navigations away with data are rare: found first, before the checkout's controls
    const away = navigations(script).flatMap((nav) => {
      const to = foreign(nav, ctx)
      return to !== undefined && carriesData(nav) ? [{ nav, to }] : []
    })
    if (away.length === 0) return []
    const found = checkoutControls(script) ?? (checkoutGate(script) ? 'named' : undefined)
    if (!found) return []
    const handlers = controlHandlers(script)
    for (const { nav, to } of away) {
      const at = (nav.url as AnyNode).start
      const controls =
        found === 'named' && handlers.some((h) => h.start <= at && at < h.end) ? 'taken' : found
      return [
        {
          site: nav.site,
          message:
            controls === 'rewired'
              ? `rewrites the checkout's button handlers and sends the shopper to ${to} with data from the page`
              : controls === 'taken'
                ? `takes over the checkout's buttons or form and sends the shopper to ${to} with data from the page`
                : `sends the shopper from the checkout to ${to} with data from the page`,
          points: controls === 'named' ? 40 : 60,
        },
      ]
    }
    return []
  },
} satisfies Rule
