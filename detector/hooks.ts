import type { AnyNode, Node } from 'acorn'
import type { AssignFact, CallFact, ScriptFacts } from './facts.ts'
import type { Counts } from './collect-parts.ts'
import type { Binding, Scopes } from './scope.ts'
import { calleeOf, isFunction, resolvedPath } from './aliases.ts'
import { propertyName } from './deobfuscate/fold.ts'
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

/** Calls to saved natives read as the natives: `f.call(t, a)` and `f(a)` with `f = fetch`. */
export function unaliasNativeCalls(facts: ScriptFacts, from: Counts, scopes: Scopes): void {
  for (let i = from.calls; i < facts.calls.length; i++) {
    const c = facts.calls[i] as CallFact
    const callee = calleeOf(c.node)
    if (callee.type === 'Identifier') {
      const { object, name } = split(resolvedPath(callee, scopes))
      if (name !== callee.name && isNative(object, name)) Object.assign(c, { object, name })
      continue
    }
    if (callee.type !== 'MemberExpression' || (c.name !== 'call' && c.name !== 'apply')) continue
    // `Reflect.apply(P.send, xhr, [body])` is `P.send.apply(xhr, [body])`
    const reflected = c.name === 'apply' && c.object === 'Reflect'
    const target = (reflected ? c.args[0] : callee.object) as AnyNode | undefined
    if (!target) continue
    if (target.type !== 'Identifier' && target.type !== 'MemberExpression') continue
    const { object, name } = split(resolvedPath(target, scopes))
    if (!isNative(object, name)) continue
    const list = c.args[reflected ? 2 : 1] as AnyNode | undefined
    const args =
      c.name === 'call'
        ? c.args.slice(1)
        : list?.type === 'ArrayExpression'
          ? (list.elements.filter((e) => e !== null) as Node[])
          : []
    Object.assign(c, { object, name, args })
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
  const fold = (n: Node | undefined) => (n ? c.layer.folder.foldString(n) : undefined)
  const listed = (n: Node | undefined, i: number) =>
    (n as AnyNode | undefined)?.type === 'ArrayExpression'
      ? ((n as AnyNode & { type: 'ArrayExpression' }).elements[i] ?? undefined)
      : undefined
  const [a0, a1, a2] = c.args as (AnyNode | undefined)[]
  if (c.object === 'Reflect' && c.name === 'set') {
    const name = fold(a1)
    return name && a0 && a2 ? { name, element: a0, value: a2 } : undefined
  }
  const callee = calleeOf(c.node as AnyNode & { type: 'CallExpression' })
  let setter: Node | undefined
  let element: AnyNode | undefined
  let value: Node | undefined
  if (c.object === 'Reflect' && c.name === 'apply') {
    ;[setter, element, value] = [a0, a1, listed(a2, 0)]
  } else if (callee.type === 'MemberExpression' && (c.name === 'call' || c.name === 'apply')) {
    setter = callee.object
    element = a0
    value = c.name === 'call' ? a1 : listed(a1, 0)
  } else return undefined
  const name = setter && descriptorSetter(setter, scopes, c.layer.folder.foldString)
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
export type BodyVia = 'self' | 'body'
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
): [Binding, BodyVia][] {
  const out: [Binding, BodyVia][] = []
  for (let i = from.assigns; i < facts.assigns.length; i++) {
    const a = facts.assigns[i] as AssignFact
    const body = BODY_PARAM[a.target]
    if (!body || !replacesNetworkMethod(a)) continue
    const b = scopes.paramsOf(a.value)[body[0]]
    if (b) out.push([b, body[1]])
  }
  return out
}
