import type { AnyNode, Node } from 'acorn'
import { calleeOf } from '../aliases.ts'
import { eachChild } from '../children.ts'
import { propertyName, propertyValue } from '../deobfuscate/fold.ts'
import type { Layer, ScriptFacts, Sink, Site, Taint } from '../facts.ts'
import { cardMember, SHAPE_ONLY } from '../taint.ts'
import { pathOf } from '../paths.ts'
import { sweepsInputs, CARD_FIELD, HARVEST_CALLS, KEY_EVENTS } from '../patterns.ts'

// A bare "expiry"/"expiration" is cookie and cache vocabulary far more often than a card field.
const WEAK_ONLY = /^(expir(y|ation)|exp(iry)?[-_]?date)$/i

/** A string that names a card field (selector, name, id, autocomplete), not a path or prose. */
export function namesCardField(s: string): boolean {
  // a long selector list (`[…].join(',')` folded into one string) names what its parts name,
  // when every part is a selector (an attribute, an id or a class in it), not prose
  if (s.length >= 200) {
    if (s.length >= 5000 || !s.includes(',')) return false
    const parts = s.split(',')
    return parts.every((p) => SELECTOR_PART.test(p)) && parts.some((p) => namesCardField(p))
  }
  if (/\/|\.js\b|\s{2}|[.!?]\s/.test(s)) return false
  const m = CARD_FIELD.exec(s)
  if (!m) return false
  return !WEAK_ONLY.test(m[0]) || /[[#=]/.test(s)
}

/** One selector of a list: a tag with an attribute, id or class test, nothing like a sentence. */
const SELECTOR_PART = /^\s*[\w-]*(\[[^\]]{1,80}\]|[#.][\w-]+)[^\s,]*\s*$/

type CardReads = {
  strong?: Site
  generic?: Site
  wide?: Site
  /** a property named for a card field read off an object of the page's own code */
  members?: Site
}

// Three rules ask the same question of one script's facts.
const readsOf = new WeakMap<ScriptFacts, { size: string; reads: CardReads }>()
const sizeOf = (f: ScriptFacts): string =>
  `${f.strings.length} ${f.regexes.length} ${f.calls.length} ${f.members.length} ${f.luhn.length}`

/**
 * Where the script touches card fields (strong) or sweeps up every form control (generic);
 * `wide` when the sweep takes the whole document rather than one form of its own.
 */
export function cardReads(script: ScriptFacts): CardReads {
  const hit = readsOf.get(script)
  if (hit && hit.size === sizeOf(script)) return hit.reads
  const reads = findCardReads(script)
  readsOf.set(script, { size: sizeOf(script), reads })
  return reads
}

function findCardReads(script: ScriptFacts): CardReads {
  const strong =
    script.strings.find((s) => namesCardField(s.value))?.site ??
    script.regexes.find(
      (r) => r.pattern.length < 200 && CARD_FIELD.test(r.pattern) && !skipsOnly(r.node, r.layer),
    )?.site ??
    // a value run through the Luhn checksum is a card number, whatever its field is named
    script.luhn[0]
  const members = script.members.find((m) => cardMember(m.name))?.site
  let generic: Site | undefined
  let wide: Site | undefined
  for (const c of script.calls) {
    const delegated = delegatedSelector(c)
    if (delegated !== undefined) {
      // `$(document).on('change', 'input, select', …)`: every field of the page, as typed
      if (sweepsInputs(delegated) && wholePage(c)) generic ??= c.site
      continue
    }
    // `document.addEventListener('change', e => … e.target.value …)`: the same, undelegated
    if (pageListenerReadsValues(c)) {
      generic ??= c.site
      continue
    }
    // `$('form.checkout').serialize()`, `new FormData(checkoutForm)`: the checkout's every field
    if (SERIALIZES.has(c.name) && CHECKOUT_FORM.test(serialized(c) ?? '')) {
      generic ??= c.site
      continue
    }
    if (!HARVEST_CALLS.has(c.name) || !c.args[0]) continue
    const sel = c.layer.folder.foldString(c.args[0])
    if (sel === undefined || !sweepsInputs(sel) || countsOnly(c)) continue
    generic ??= c.site
    if (c.name !== 'find' && (c.object === 'document' || c.object === '')) {
      wide = c.site
      break
    }
  }
  // `document.forms.length` counts the forms and reads none of them
  const counted = script.countedCollections
  const forms = script.members.find(
    (m) => m.name === 'forms' && m.object === 'document' && !counted.has(m.node),
  )?.site
  generic ??= forms
  wide ??= forms
  // `form.elements`: every control of one form, read in a loop (`stripe.elements()` is a call)
  if (generic === undefined) {
    const called = new Set<unknown>(script.calls.map((c) => calleeOf(c.node)))
    generic = script.members.find(
      (m) =>
        m.name === 'elements' &&
        !called.has(m.node) &&
        !counted.has(m.node) &&
        !script.namedControls.has(m.node),
    )?.site
  }
  return {
    ...(strong ? { strong } : {}),
    ...(generic ? { generic } : {}),
    ...(wide ? { wide } : {}),
    ...(members ? { members } : {}),
  }
}

const FUNCTIONS = new Set(['FunctionDeclaration', 'FunctionExpression', 'ArrowFunctionExpression'])
const MAX_USES_WALK = 20_000

/**
 * A sweep kept in a variable that is only ever counted or classified (`all.length`,
 * `all[i].type`, `all[i].tagName`): it tells the page's shape and reads no field. Any other use
 * (a value, a name, the list handed on) is a read, as is a sweep not kept in a variable.
 */
function countsOnly(c: ScriptFacts['calls'][number]): boolean {
  const found = enclosing(c.layer.ast as AnyNode, c.node)
  if (!found) return false
  const { fn, parent } = found
  if (parent?.type !== 'VariableDeclarator' || parent.id.type !== 'Identifier') return false
  const name = parent.id.name
  // given anything else too, the name may hold the fields themselves later
  const given = c.layer.valuesOf(parent.id)
  if (given.length !== 1 || given[0] !== c.node) return false
  const stack: [AnyNode, AnyNode | undefined, AnyNode | undefined][] = [[fn, undefined, undefined]]
  let shapes = 0
  for (let seen = 0; stack.length > 0; seen++) {
    if (seen > MAX_USES_WALK) return false
    const [n, up, upper] = stack.pop() as [AnyNode, AnyNode | undefined, AnyNode | undefined]
    // code run from text, or a `with` scope, could use the name where no walk sees it
    if (n.type === 'WithStatement') return false
    if (n.type === 'CallExpression' && n.callee.type === 'Identifier' && n.callee.name === 'eval')
      return false
    if (n.type === 'Identifier' && n.name === name && n !== parent.id && !nameOnly(n, up)) {
      if (c.layer.valuesOf(n).includes(c.node)) {
        if (!shapeUse(n, up, upper)) return false
        shapes++
      }
      continue
    }
    eachChild(n, (child) => stack.push([child, n, up]))
  }
  return shapes > 0
}

/**
 * A pattern of card words used only to leave sensitive fields alone: every use of it (itself, or
 * the one name given it) is `if (re.test(label)) return;` (or `continue`), alone or in
 * an `||` of such tests. Privacy-minded recorders and analytics skip card fields this way; a
 * script that picks card fields tests for them to go on, or returns what it found.
 */
function skipsOnly(regex: Node, layer: Layer): boolean {
  const found = enclosing(layer.ast as AnyNode, regex)
  if (!found) return false
  const { fn, parent } = found
  const named =
    parent?.type === 'VariableDeclarator' &&
    parent.init === regex &&
    parent.id.type === 'Identifier'
      ? parent.id
      : undefined
  const parents = new Map<AnyNode, AnyNode>()
  const uses: AnyNode[] = named ? [] : [regex as AnyNode]
  const stack: AnyNode[] = [fn]
  for (let seen = 0; stack.length > 0; seen++) {
    if (seen > MAX_USES_WALK) return false
    const n = stack.pop() as AnyNode
    if (n.type === 'WithStatement') return false
    if (named && n.type === 'Identifier' && n.name === named.name && n !== named) {
      const up = parents.get(n)
      if (!nameOnly(n, up) && layer.valuesOf(n).includes(regex)) uses.push(n)
      continue
    }
    eachChild(n, (child) => {
      parents.set(child, n)
      stack.push(child)
    })
  }
  return uses.length > 0 && uses.every((u) => exitTest(u, parents))
}

/** `re.test(x)` as the test of an `if` that only leaves: `if (re.test(x) || …) return` */
function exitTest(use: AnyNode, parents: Map<AnyNode, AnyNode>): boolean {
  const member = parents.get(use)
  if (member?.type !== 'MemberExpression' || member.object !== use) return false
  if (propertyName(member) !== 'test') return false
  let at = parents.get(member)
  if (at?.type !== 'CallExpression' || at.callee !== member) return false
  let up = parents.get(at)
  while (up?.type === 'LogicalExpression' && up.operator === '||') {
    at = up
    up = parents.get(up)
  }
  if (up?.type !== 'IfStatement' || up.test !== at) return false
  return leaves(up.consequent as AnyNode)
}

/**
 * `return;`, `continue`, or a block holding only that. Not `return 'cvv'` nor `return true`: a
 * classifier's answer, or a predicate whose callers may keep what it picks.
 */
function leaves(s: AnyNode): boolean {
  if (s.type === 'BlockStatement') return s.body.length === 1 && leaves(s.body[0] as AnyNode)
  // not `break`: that is how a loop searching for the card field ends
  if (s.type === 'ContinueStatement') return true
  return s.type === 'ReturnStatement' && !s.argument
}

/** An identifier that is a property's name, not a variable: `o.all`, `{ all: 1 }`. */
function nameOnly(id: AnyNode, up: AnyNode | undefined): boolean {
  if (up?.type === 'MemberExpression') return up.property === id && !up.computed
  if (up?.type === 'Property') return up.key === id && !up.computed && !up.shorthand
  return false
}

/** `all.length`, `all[i].type`: the count of a sweep, or the kind of one of its controls. */
function shapeUse(id: AnyNode, up: AnyNode | undefined, upper: AnyNode | undefined): boolean {
  if (up?.type !== 'MemberExpression' || up.object !== id) return false
  if (!up.computed) return SHAPE_ONLY.has(propertyName(up) ?? '')
  return (
    upper?.type === 'MemberExpression' &&
    upper.object === up &&
    !upper.computed &&
    SHAPE_ONLY.has(propertyName(upper) ?? '')
  )
}

/** The innermost function (or the program) holding `target`, and `target`'s parent node. */
function enclosing(
  root: AnyNode,
  target: Node,
): { fn: AnyNode; parent: AnyNode | undefined } | undefined {
  let fn = root
  let at = root
  for (let depth = 0; depth < 10_000; depth++) {
    let next: AnyNode | undefined
    eachChild(at, (child) => {
      if (!next && child.start <= target.start && child.end >= target.end) next = child
    })
    if (!next) return undefined
    if (next === target) return { fn, parent: at }
    if (FUNCTIONS.has(next.type)) fn = next
    at = next
  }
  return undefined
}

/** The selector of a delegated jQuery listener: `.on(events, selector, fn)`, `.delegate(selector, …)`. */
export function delegatedSelector(c: ScriptFacts['calls'][number]): string | undefined {
  const at = c.name === 'on' && c.args.length >= 3 ? 1 : c.name === 'delegate' ? 0 : -1
  const arg = c.args[at]
  return arg ? c.layer.folder.foldString(arg) : undefined
}

const SERIALIZES = new Set(['serialize', 'serializeArray', 'FormData'])
/** A selector naming the checkout's own form or its payment section. */
const CHECKOUT_FORM =
  /(^|[^a-z])(checkout|onestep|onepage|co-payment|co-billing|payment-form|billing)/i

/** The selector or id the serialized form was picked by: `$(sel)`, `querySelector(sel)`, a name given one. */
function serialized(c: ScriptFacts['calls'][number]): string | undefined {
  let at = (
    c.name === 'FormData' ? c.args[0] : (calleeOf(c.node) as AnyNode & { object?: AnyNode }).object
  ) as AnyNode | undefined
  for (let hops = 0; at && hops < 4; hops++) {
    if (at.type === 'Identifier') at = c.layer.initOf(at) as AnyNode | undefined
    else if (at.type === 'CallExpression' && at.arguments[0])
      return c.layer.folder.foldString(at.arguments[0] as Node)
    else return undefined
  }
  return undefined
}

// `form` as a container is every form of the page, the checkout's among them
const LISTENERS = new Set(['addEventListener', 'on', 'bind'])

/** A listener for typing or changes on the whole page whose handler reads a field's value. */
function pageListenerReadsValues(c: ScriptFacts['calls'][number]): boolean {
  if (!LISTENERS.has(c.name) || c.args.length < 2 || !wholePage(c)) return false
  const events = c.layer.folder.foldString(c.args[0] as AnyNode)
  if (!events?.split(/\s+/).some((e) => KEY_EVENTS.test(e))) return false
  const handler = c.args[c.args.length - 1] as AnyNode
  const fn =
    handler.type === 'Identifier' ? (c.layer.initOf(handler) as AnyNode | undefined) : handler
  if (!fn || (fn.type !== 'FunctionExpression' && fn.type !== 'ArrowFunctionExpression'))
    return false
  return readsValue(fn)
}

function readsValue(root: AnyNode): boolean {
  const stack: AnyNode[] = [root]
  for (let seen = 0; stack.length > 0 && seen < 5_000; seen++) {
    const n = stack.pop() as AnyNode
    if (n.type === 'MemberExpression' && propertyName(n) === 'value') return true
    eachChild(n, (child) => stack.push(child))
  }
  return false
}

const PAGE = /^(document|document\.body|document\.documentElement|window|body|html|form)$/

/** A listener on the whole page: on `document`, or on `$(document)`, `$('body')`, `$('form')`. */
export function wholePage(c: ScriptFacts['calls'][number]): boolean {
  if (PAGE.test(c.object)) return true
  const on = (calleeOf(c.node) as AnyNode & { object?: AnyNode }).object
  if (on?.type !== 'CallExpression' || !on.arguments[0]) return false
  const arg = on.arguments[0] as AnyNode
  return PAGE.test(c.layer.folder.foldString(arg) ?? pathOf(arg))
}

/** What a sink sends: its URL and its body. */
export function nodesOf(s: Sink): AnyNode[] {
  return (s.url ? [s.url, ...s.data] : s.data) as AnyNode[]
}

/** Field values, a form sweep or FormData flow into `n`, part of the sink. */
export const formTaint = (s: Sink, n: Node): boolean => {
  const t = s.layer.taint(n)
  return t.has('value') || t.has('harvest') || t.has('formdata') || t.has('card')
}

/** Field values, a form sweep or FormData flow into the sink's URL or body. */
export function carriesForm(s: Sink): boolean {
  return nodesOf(s).some((n) => formTaint(s, n))
}

/**
 * A send to a computed URL that carries form values. Script and iframe `src` with a computed
 * URL are left out: loaders and JSONP do that everywhere, and flow-insensitive taint reaches them.
 */
export function computedSend(s: Sink): boolean {
  if (s.destination !== 'unknown' || s.kind === 'element-src') return false
  return nodesOf(s).some((n) => {
    const t = s.layer.taint(n)
    return t.has('card') || (t.has('b64') && (t.has('value') || t.has('harvest')))
  })
}

/**
 * `xhr.send(body)`, `socket.send(frame)` and a WebTransport writer carry no URL: they go where
 * the script's `xhr.open(…, url)`, `new WebSocket(url)` or `new WebTransport(url)` in the same
 * layer points.
 */
const PAIRED = new Set(['xhr', 'websocket', 'webtransport'])

export function withPairedDestinations(sinks: Sink[]): Sink[] {
  return sinks.map((s) => {
    if (s.url || s.destination !== 'unknown') return s
    if (s.kind === 'form') {
      const action = sinks.find(
        (o) => o.kind === 'form' && o.url && o.layer === s.layer && o.destination === 'external',
      )
      return action ? { ...s, destination: 'external', urlText: action.urlText } : s
    }
    if (!PAIRED.has(s.kind)) return s
    // jQuery-sized files make `send` look like XHR even for sockets: pair either kind.
    const opener = sinks.find(
      (o) => PAIRED.has(o.kind) && o.url && o.layer === s.layer && o.destination === 'external',
    )
    return opener ? { ...s, destination: 'external', urlText: opener.urlText } : s
  })
}

/** fetch(url, { mode: 'no-cors' }): fire-and-forget to a host that never answered CORS. */
export function noCors(s: Sink): boolean {
  return fetchOption(s, 'mode', (v) => s.layer.folder.foldString(v) === 'no-cors')
}

/**
 * fetch(url, { keepalive: true }): a request meant to outlive the page, its answer left unread
 * (the fetch form of a beacon); a tokenizer waits for its token.
 */
export function keepAlive(s: Sink): boolean {
  return fetchOption(s, 'keepalive', (v) => {
    const n = v as AnyNode
    // `true`, or `!0` as minifiers write it
    if (n.type === 'Literal') return n.value === true
    return (
      n.type === 'UnaryExpression' && n.operator === '!' && s.layer.folder.fold(n.argument) === 0
    )
  })
}

function fetchOption(s: Sink, name: string, holds: (value: Node) => boolean): boolean {
  if (s.kind !== 'fetch') return false
  const opts = s.data[0] as AnyNode | undefined
  const value = opts?.type === 'ObjectExpression' ? propertyValue(opts, name) : undefined
  return value !== undefined && holds(value)
}

/** Values read from card fields flow into the sink. */
export function carriesCard(s: Sink): boolean {
  return nodesOf(s).some((n) => s.layer.taint(n).has('card'))
}

/** The sweep itself (every form, every input, a serialised form) flows into the sink. */
export function carriesSweep(s: Sink): boolean {
  return nodesOf(s).some((n) => s.layer.taint(n).has('harvest'))
}

/** The sink's URL or body is base64 of something. */
export function carriesEncoded(s: Sink): boolean {
  return nodesOf(s).some((n) => s.layer.taint(n).has('b64'))
}

const MASK = /^[*•x#]+$/i

/** Channels replay tools never use: an encoded payload in an image or element URL, a push stream, WebRTC. */
const MASK_PROOF = new Set<Sink['kind']>(['image', 'element-src', 'eventsource', 'webrtc'])

/**
 * Masking explains the card reads (session replay, input previews) unless the script also
 * smuggles encoded data off the page through a channel replay tools never use: a masked
 * preview beside a base64 image beacon is a decoy.
 */
export function maskingExplains(script: ScriptFacts): boolean {
  if (!masksValues(script)) return false
  return !withPairedDestinations(script.sinks).some(
    (s) =>
      MASK_PROOF.has(s.kind) &&
      s.destination !== 'same-origin' &&
      s.destination !== 'own-host' &&
      carriesEncoded(s),
  )
}

/** Characters of a kind, not one character: what masking replaces (`/./g`, `/\d/g`, `/[^\s]/g`). */
const CHAR_CLASS = /^(?:\.|\\[dwSDW]|\[[^\]]+\])[+*]?$/

function masksClass(pattern: unknown): boolean {
  const n = pattern as AnyNode | undefined
  return n?.type === 'Literal' && n.regex !== undefined && CHAR_CLASS.test(n.regex.pattern)
}

/** What a field gives: its value, a sweep of the form, card data. */
const FIELD_TAINT: readonly Taint[] = ['value', 'card', 'harvest', 'formdata']

/**
 * Masking is what replay tools do to card fields: a field's value with every character replaced
 * (`value.replace(/./g, '*')`), or a mask as long as the value (`'*'.repeat(value.length)`).
 * The same calls over other text (`'x'.repeat(16).replace(/x/g, rnd)`, a random id) mask nothing.
 */
export function masksValues(script: ScriptFacts): boolean {
  return script.calls.some((c) => {
    const callee = (c.node as AnyNode & { type: 'CallExpression' }).callee as AnyNode
    if (callee.type !== 'MemberExpression' || callee.object.type === 'Super') return false
    const fromField = (n: Node | undefined): boolean => {
      const taint = n ? c.layer.taint(n) : undefined
      return taint !== undefined && FIELD_TAINT.some((t) => taint.has(t))
    }
    if (c.name === 'replace' || c.name === 'replaceAll') {
      const rep = c.args[1] ? c.layer.folder.foldString(c.args[1]) : undefined
      return (
        rep !== undefined && MASK.test(rep) && masksClass(c.args[0]) && fromField(callee.object)
      )
    }
    if (c.name === 'repeat') {
      const base = c.layer.folder.foldString(callee.object)
      return base !== undefined && MASK.test(base) && fromField(c.args[0])
    }
    return false
  })
}
