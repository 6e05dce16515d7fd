import type { AnyNode, Node } from 'acorn'
import type { AssignFact, CallFact, ScriptFacts } from './facts.ts'
import type { Counts } from './collect-parts.ts'
import type { Binding, Scopes } from './scope.ts'
import { boundMethod, calleeOf, isFunction, literalMember, resolvedPath } from './aliases.ts'
import { keyName, propertyName } from './deobfuscate/fold.ts'
import { pathOf, stripGlobals } from './paths.ts'

const GLOBAL_OBJECT = /^(window|self|globalThis|top|parent)$/

// The browser's own network and code entry points (and jQuery, which makes elements and
// requests), however a script reaches them: a saved
// original called through `.call`/`.apply` (`oSend.call(x, body)`) is still a send, and a
// function put in their place sees every request the page makes.

/** Object path (window./self. stripped) → the native methods on it that send or run code. */
const NATIVE: Record<string, RegExp> = {
  '': /^(fetch|eval|Function|jQuery|\$)$/,
  navigator: /^sendBeacon$/,
  'Navigator.prototype': /^sendBeacon$/,
  'XMLHttpRequest.prototype': /^(open|send|setRequestHeader)$/,
  'WebSocket.prototype': /^send$/,
  'HTMLFormElement.prototype': /^submit$/,
}
/** What a replacement of each method receives as its arguments: request URLs and bodies. */
const REPLACEABLE: Record<string, RegExp> = {
  '': /^fetch$/,
  navigator: /^sendBeacon$/,
  'Navigator.prototype': /^sendBeacon$/,
  'XMLHttpRequest.prototype': /^(open|send|setRequestHeader)$/,
  'WebSocket.prototype': /^send$/,
}

function split(path: string): { object: string; name: string } {
  const dot = path.lastIndexOf('.')
  return dot < 0
    ? { object: '', name: path }
    : { object: path.slice(0, dot), name: path.slice(dot + 1) }
}

const isNative = (object: string, name: string): boolean => NATIVE[object]?.test(name) ?? false

/** True when `a` puts a function of the script's in place of a native network method. */
export function replacesNetworkMethod(a: AssignFact): boolean {
  const object = GLOBAL_OBJECT.test(a.object) ? '' : stripGlobals(a.object)
  return (REPLACEABLE[object]?.test(a.target) ?? false) && isFunction(a.value as AnyNode)
}

/**
 * A function called through `f.call(t, a, b)`, `f.apply(t, [a, b])` or `Reflect.apply(f, t,
 * [a, b])`: the function, what it is called on, and its arguments (none known when the list is
 * not written out).
 */
function indirectCall(
  c: CallFact,
): { fn: AnyNode; receiver: AnyNode | undefined; args: Node[] } | undefined {
  const reflected = c.object === 'Reflect' && c.name === 'apply'
  const callee = calleeOf(c.node)
  if (
    !reflected &&
    (callee.type !== 'MemberExpression' || (c.name !== 'call' && c.name !== 'apply'))
  )
    return undefined
  const fn = (reflected ? c.args[0] : (callee as AnyNode & { type: 'MemberExpression' }).object) as
    AnyNode | undefined
  if (!fn) return undefined
  const receiver = c.args[reflected ? 1 : 0] as AnyNode | undefined
  if (c.name === 'call') return { fn, receiver, args: c.args.slice(1) }
  const list = c.args[reflected ? 2 : 1] as AnyNode | undefined
  const args =
    list?.type === 'ArrayExpression' ? (list.elements.filter((e) => e !== null) as Node[]) : []
  return { fn, receiver, args }
}

/**
 * The function a member of an object literal holds (`io.go` with `io = { go: g.bind(x) }` is
 * `g`); the node itself when it holds nothing known.
 */
function heldBy(n: AnyNode, scopes: Scopes): AnyNode {
  if (n.type !== 'MemberExpression' || n.computed || n.property.type !== 'Identifier') return n
  const held = literalMember(n.object as AnyNode, n.property.name, scopes)
  return held ? (boundMethod(held) ?? held) : n
}

/**
 * Calls to saved natives read as the natives: `f.call(t, a)` and `f(a)` with `f = fetch` or
 * `f = navigator.sendBeacon.bind(navigator)`, and `io.go(a)` with `io = { go: f }`.
 */
export function unaliasNativeCalls(facts: ScriptFacts, from: Counts, scopes: Scopes): void {
  for (let i = from.calls; i < facts.calls.length; i++) {
    const c = facts.calls[i] as CallFact
    const callee = calleeOf(c.node)
    if (callee.type === 'Identifier') {
      const { object, name } = split(resolvedPath(callee, scopes))
      if (name !== callee.name && isNative(object, name)) Object.assign(c, { object, name })
      continue
    }
    const held = heldBy(callee, scopes)
    if (held !== callee && (held.type === 'Identifier' || held.type === 'MemberExpression')) {
      const { object, name } = split(resolvedPath(held, scopes))
      if (isNative(object, name)) {
        Object.assign(c, { object, name })
        continue
      }
    }
    const indirect = indirectCall(c)
    const target = indirect && heldBy(indirect.fn, scopes)
    if (!target || (target.type !== 'Identifier' && target.type !== 'MemberExpression')) continue
    const { object, name } = split(resolvedPath(target, scopes))
    if (isNative(object, name)) Object.assign(c, { object, name, args: indirect?.args ?? [] })
  }
}

/**
 * Property writes made without an assignment: a property's own setter read off its descriptor
 * and called on an element (`d.set.call(img, url)`, `d.set.apply(img, [url])`,
 * `Reflect.apply(d.set, img, [url])`, with `d = Object.getOwnPropertyDescriptor(P, 'src')`), and
 * `Reflect.set(img, 'src', url)`. Each is recorded as the write it is, so the rules that ask
 * where an element's `src` or a script's text comes from see it.
 */
export function setterWrites(facts: ScriptFacts, from: Counts, scopes: Scopes): void {
  const end = facts.calls.length
  for (let i = from.calls; i < end; i++) {
    const c = facts.calls[i] as CallFact
    const write = written(c, scopes)
    if (!write || write.element.type === 'SpreadElement') continue
    facts.assigns.push({
      node: c.node,
      target: write.name,
      object: pathOf(write.element),
      operator: '=',
      value: write.value,
      receiver: write.element,
      site: c.site,
      layer: c.layer,
    })
  }
}

function written(
  c: CallFact,
  scopes: Scopes,
): { name: string; element: AnyNode; value: Node } | undefined {
  const fold = (n: Node): string | undefined => c.layer.folder.foldString(n)
  if (c.object === 'Reflect' && c.name === 'set') {
    const [element, key, value] = c.args as (AnyNode | undefined)[]
    const name = key && fold(key)
    return name && element && value ? { name, element, value } : undefined
  }
  const indirect = indirectCall(c)
  const name = indirect && descriptorSetter(indirect.fn, scopes, fold)
  const element = indirect?.receiver
  const value = indirect?.args[0]
  return name && element && value ? { name, element, value } : undefined
}

/** The property whose own setter `n` is: `Object.getOwnPropertyDescriptor(P, 'src').set`. */
function descriptorSetter(
  n: Node,
  scopes: Scopes,
  foldString: (n: Node) => string | undefined,
): string | undefined {
  let cur = n as AnyNode
  for (let hops = 0; hops < 4; hops++) {
    if (cur.type === 'Identifier') {
      const b = scopes.resolve(cur)
      if (!b?.init || b.reassigned) return undefined
      cur = b.init as AnyNode
      continue
    }
    if (cur.type !== 'MemberExpression' || propertyName(cur) !== 'set') return undefined
    let d = cur.object as AnyNode
    // `const desc = Object.getOwnPropertyDescriptor(P, 'src'); desc.set.call(…)`
    if (d.type === 'Identifier') {
      const b = scopes.resolve(d)
      if (!b?.init || b.reassigned) return undefined
      d = b.init as AnyNode
    }
    if (d.type !== 'CallExpression') return undefined
    const get = d.callee as AnyNode
    const getName =
      get.type === 'MemberExpression'
        ? propertyName(get)
        : get.type === 'Identifier'
          ? get.name
          : ''
    const key = d.arguments[1] as Node | undefined
    return getName === 'getOwnPropertyDescriptor' && key ? foldString(key) : undefined
  }
  return undefined
}

/** How a replacement receives the request body: as an argument, or as `init.body`. */
/** how a hook's parameter holds a request body: itself, its `body`, or its `data` (jQuery's options) */
export type BodyVia = 'self' | 'body' | 'data'
const BODY_PARAM: Record<string, [number, BodyVia]> = {
  send: [0, 'self'],
  sendBeacon: [1, 'self'],
  fetch: [1, 'body'],
}

/**
 * Parameters of the script's replacements for native network methods that hold the page's own
 * request bodies, taken on their way out (URLs and headers are left out: monitors log those).
 */
export function hookParameters(
  facts: ScriptFacts,
  from: Counts,
  scopes: Scopes,
  /** functions that define jQuery's hooks (jQuery's own code): their registrations are its own */
  libraries: readonly Node[] = [],
): [Binding, BodyVia][] {
  const out: [Binding, BodyVia][] = []
  for (let i = from.assigns; i < facts.assigns.length; i++) {
    const a = facts.assigns[i] as AssignFact
    const body = BODY_PARAM[a.target]
    if (!body || !replacesNetworkMethod(a)) continue
    const b = scopes.paramsOf(a.value)[body[0]]
    if (b) out.push([b, body[1]])
  }
  // jQuery's own hooks see every request the page makes through it: `$.ajaxPrefilter((options,
  // original) => …)` before it leaves, `.ajaxSend((event, xhr, settings) => …)` as it leaves;
  // their `data` is the page's request body (a checkout's form, card fields and all)
  for (let i = from.calls; i < facts.calls.length; i++) {
    const c = facts.calls[i] as CallFact
    let at = Object.hasOwn(JQUERY_HOOKS, c.name) ? JQUERY_HOOKS[c.name] : undefined
    let fn = c.args.findLast((x) => isFunction(x as AnyNode))
    // the same global events bound by name: `$(document).on('ajaxSend', (e, xhr, settings) => …)`
    if (!at && (c.name === 'on' || c.name === 'bind') && c.args[0]) {
      const event = c.layer.folder.foldString(c.args[0])?.trim().split(/[\s.]/)[0] ?? ''
      at =
        event !== 'ajaxPrefilter' && Object.hasOwn(JQUERY_HOOKS, event)
          ? JQUERY_HOOKS[event]
          : undefined
    }
    // `$.ajaxSetup({ beforeSend(xhr, settings) {…} })`: every later request's settings
    if (!at && c.name === 'ajaxSetup') {
      const opts = c.args[0] as AnyNode | undefined
      const before =
        opts?.type === 'ObjectExpression'
          ? opts.properties.find(
              (p) =>
                p.type === 'Property' && !p.computed && keyName(p.key as AnyNode) === 'beforeSend',
            )
          : undefined
      const value = before?.type === 'Property' ? (before.value as AnyNode) : undefined
      if (value && isFunction(value)) {
        at = [1]
        fn = value
      }
    }
    if (!at || !fn) continue
    // jQuery's own prefilters (JSONP, script, cross-domain) hand requests on to its transports
    if (libraries.some((l) => l.start <= c.node.start && c.node.end <= l.end)) continue
    const params = scopes.paramsOf(fn)
    for (const p of at) {
      const b = params[p]
      if (b) out.push([b, 'data'])
    }
  }
  return out
}

/** jQuery's request hooks, and which of their callback's parameters hold a request's settings. */
const JQUERY_HOOKS: Record<string, number[]> = {
  ajaxPrefilter: [0, 1],
  ajaxSend: [2],
  // after the request: its settings, data and all, are still what the page sent
  ajaxComplete: [2],
  ajaxSuccess: [2],
  ajaxError: [2],
}
