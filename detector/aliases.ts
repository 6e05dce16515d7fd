import type { AnyNode, Node } from 'acorn'
import type { Counts } from './collect-parts.ts'
import type { ScriptFacts } from './facts.ts'
import { GLOBAL_OBJECTS, pathOf, stripGlobals } from './paths.ts'
import type { Scopes } from './scope.ts'

// Names that stand for something else: an IIFE's parameters are its arguments
// (`(function (q) { q.ajax(…) })(jQuery)`), a ready handler's first parameter is jQuery, and
// `var d = document` makes `d.forms` read `document.forms`. Rules see the paths with aliases undone.

const MAX_HOPS = 4

export function isFunction(n: AnyNode): boolean {
  return n.type === 'FunctionExpression' || n.type === 'ArrowFunctionExpression'
}

/** The function a call invokes: `(0, obj.fn)(…)` is an indirect call of `obj.fn`. */
export function calleeOf(call: Node): AnyNode {
  let c = (call as AnyNode & { callee: AnyNode }).callee
  while (c.type === 'SequenceExpression' && c.expressions.length > 0)
    c = c.expressions[c.expressions.length - 1] as AnyNode
  return c
}

/** The identifier a call chain starts from: `jQuery` in `jQuery(document).ready`. */
function chainRoot(n: AnyNode): (AnyNode & { type: 'Identifier' }) | undefined {
  for (let i = 0; i < 32; i++) {
    if (n.type === 'Identifier') return n
    if (n.type === 'MemberExpression' && n.object.type !== 'Super') n = n.object as AnyNode
    else if (n.type === 'CallExpression' && n.callee.type !== 'Super') n = n.callee as AnyNode
    else return undefined
  }
  return undefined
}

function bindArgs(fn: Node, args: Node[], from: number, scopes: Scopes): void {
  for (let i = from; i < args.length; i++) {
    const a = args[i] as AnyNode
    if (a.type === 'SpreadElement') return
    scopes.bindParam(fn, i - from, a)
  }
}

/** Bind the parameters of a function the call is known to invoke with these arguments. */
export function bindCallee(callee: AnyNode, args: Node[], scopes: Scopes): void {
  if (isFunction(callee)) return bindArgs(callee, args, 0, scopes)
  const fn = args[0] as AnyNode | undefined
  if (callee.type === 'Identifier') {
    if (fn && isFunction(fn) && (callee.name === 'jQuery' || callee.name === '$'))
      scopes.bindParam(fn, 0, callee)
    if (AMD.has(callee.name)) bindModules(args, scopes)
    return
  }
  if (callee.type !== 'MemberExpression' || callee.property.type !== 'Identifier') return
  const name = callee.property.name
  const obj = callee.object as AnyNode
  // `(function (q) {…}).call(this, jQuery)`
  if (name === 'call' && isFunction(obj)) return bindArgs(obj, args, 1, scopes)
  if (name !== 'ready' || !fn || !isFunction(fn)) return
  const root = chainRoot(obj)
  if (root) scopes.bindParam(fn, 0, root)
}

const AMD = new Set(['require', 'requirejs', 'define'])

/**
 * `require(['jquery', 'mage/url'], function (e, t) {…})`, `define('x', ['jquery'], f)`: the
 * module loader hands each parameter the module listed at its place, and the one named `jquery`
 * is jQuery (Magento and other AMD pages load it so).
 */
function bindModules(args: Node[], scopes: Scopes): void {
  const at = args.findIndex((a) => (a as AnyNode).type === 'ArrayExpression')
  const list = args[at] as (AnyNode & { type: 'ArrayExpression' }) | undefined
  const fn = args[at + 1] as AnyNode | undefined
  if (!list || !fn || !isFunction(fn)) return
  list.elements.forEach((e, i) => {
    const m = e as AnyNode | null
    if (m?.type !== 'Literal' || typeof m.value !== 'string' || m.value.toLowerCase() !== 'jquery')
      return
    // the parameter stands for the global jQuery, written where the module is named
    const jquery = { type: 'Identifier', name: 'jQuery', start: m.start, end: m.end } as Node
    scopes.bindParam(fn, i, jquery)
  })
}

/** Dotted path of `node` with its root name replaced by the constant it aliases. */
export function resolvedPath(node: Node, scopes: Scopes, hops = 0): string {
  const path = pathOf(node)
  const root = chainRoot(node as AnyNode)
  if (!root || hops >= MAX_HOPS || !path.startsWith(root.name)) return path
  const b = scopes.resolve(root)
  const init = b?.init as AnyNode | undefined
  if (!init || b?.reassigned || init === root) return path
  if (globalRoot(init)) return stripGlobals(`window${path.slice(root.name.length)}`)
  const target = boundMethod(init) ?? init
  if (target.type !== 'Identifier' && target.type !== 'MemberExpression') return path
  return stripGlobals(resolvedPath(target, scopes, hops + 1) + path.slice(root.name.length))
}

/** `g.bind(x)`: the function a bound function calls (its receiver and arguments aside). */
export function boundMethod(n: AnyNode): AnyNode | undefined {
  if (n.type !== 'CallExpression' || n.callee.type !== 'MemberExpression') return undefined
  const c = n.callee
  if (c.computed || c.property.type !== 'Identifier' || c.property.name !== 'bind') return undefined
  const fn = c.object as AnyNode
  return fn.type === 'Identifier' || fn.type === 'MemberExpression' ? fn : undefined
}

/**
 * What `obj.name` holds when `obj` is only ever an object literal that spells `name` out and no
 * code writes that member: `io.go(…)` with `io = { go: navigator.sendBeacon.bind(navigator) }`.
 */
export function literalMember(obj: AnyNode, name: string, scopes: Scopes): AnyNode | undefined {
  if (obj.type !== 'Identifier') return undefined
  const b = scopes.resolve(obj)
  const init = b?.init as AnyNode | undefined
  if (!b || !init || init.type !== 'ObjectExpression' || b.reassigned || b.opaqueWrites)
    return undefined
  if (b.props?.has(name)) return undefined
  // the last property of that name is the one the object holds; a spread or computed key after
  // it may replace it
  let held: AnyNode | undefined
  for (const p of init.properties as AnyNode[]) {
    if (p.type !== 'Property' || p.computed) {
      held = undefined
      continue
    }
    const key = p.key as AnyNode
    const k = key.type === 'Identifier' ? key.name : key.type === 'Literal' ? key.value : undefined
    if (k === name) held = p.kind === 'init' ? (p.value as AnyNode) : undefined
  }
  return held
}

/**
 * The global object as wrappers pick it: `typeof window !== 'undefined' ? window : this`,
 * `window || global`: every branch is a name of the global object, `this`, or nothing.
 */
function globalRoot(n: AnyNode): boolean {
  const names = (x: AnyNode): boolean =>
    x.type === 'Identifier' && (GLOBAL_OBJECTS.has(x.name) || x.name === 'global')
  const nothing = (x: AnyNode): boolean =>
    x.type === 'ThisExpression' ||
    (x.type === 'Literal' && x.value === null) ||
    (x.type === 'Identifier' && x.name === 'undefined') ||
    (x.type === 'UnaryExpression' && x.operator === 'void')
  const branches =
    n.type === 'ConditionalExpression'
      ? [n.consequent as AnyNode, n.alternate as AnyNode]
      : n.type === 'LogicalExpression' && n.operator === '||'
        ? [n.left as AnyNode, n.right as AnyNode]
        : undefined
  return (
    branches !== undefined && branches.some(names) && branches.every((x) => names(x) || nothing(x))
  )
}

/** Rewrite the object paths of this layer's calls, members and assignments through aliases. */
export function aliasFacts(facts: ScriptFacts, from: Counts, scopes: Scopes): void {
  for (let i = from.calls; i < facts.calls.length; i++) {
    const c = facts.calls[i]
    const callee = c ? calleeOf(c.node) : undefined
    if (c && callee?.type === 'MemberExpression' && callee.object.type === 'Identifier')
      c.object = resolvedPath(callee.object, scopes)
  }
  for (let i = from.members; i < facts.members.length; i++) {
    const m = facts.members[i]
    const obj = (m?.node as AnyNode & { object: AnyNode }).object
    if (m && obj.type === 'Identifier') m.object = resolvedPath(obj, scopes)
  }
  for (let i = from.assigns; i < facts.assigns.length; i++) {
    const a = facts.assigns[i]
    const left = (a?.node as AnyNode & { left: AnyNode }).left
    if (a && left.type === 'MemberExpression' && left.object.type === 'Identifier')
      a.object = resolvedPath(left.object, scopes)
  }
}
