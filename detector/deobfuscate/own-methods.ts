// What calling an object's own methods can change in it. A statement the evaluator cannot
// follow to its end (a branch on the page, a budget) makes unknown everything it may have
// written; for `o.init()`, a method of the sample's own object literal, that was all of `o`.
// But a method writes into its object only through `this` (or a name holding it), and a
// property no code anywhere writes by name keeps its value: `o.key` read after `o.init()`
// is still the literal the object was made with.
import type { AnyNode, Node } from 'acorn'
import { eachChild } from '../children.ts'
import { isFunctionNode, propertyOf } from './statements.ts'
import { FnV, ObjV, type Val } from './values.ts'

/** Member writes of the whole program, by the property name they spell. */
export interface PropWrites {
  /** names written (`x.k = v`, `x.k++`, `delete x.k`, `defineProperty(x, 'k', …)`) */
  names: Set<string>
  /** the same, by the name of the object written (`o.k = v`: o → k) */
  byObject: Map<string, Set<string>>
  /** names of objects written under a computed name or handed to a copier (`o[k] = v`, `Object.assign(o, …)`) */
  computedOn: Set<string>
  /** `this` written under a computed name or handed to a copier somewhere */
  thisComputed: boolean
  /**
   * Whether a name is ever read as a value and not only as the object of a member (`o.k`,
   * `o.m()`): what holds the object a name never hands out reaches no other code. Worked out
   * for a name when first asked, over the program (`root`).
   */
  handedOut: Map<string, boolean>
  root: Node | undefined
}

const COPIERS = new Set(['assign', 'defineProperty', 'defineProperties', 'set', 'extend', 'merge'])

export function emptyPropWrites(): PropWrites {
  return {
    names: new Set(),
    byObject: new Map(),
    computedOn: new Set(),
    thisComputed: false,
    handedOut: new Map(),
    root: undefined,
  }
}

/** Note one node's member writes (called for every node of the program). */
export function notePropWrites(w: PropWrites, n: AnyNode): void {
  let target: AnyNode | undefined
  if (n.type === 'AssignmentExpression') {
    target = n.left as AnyNode
    if (target.type === 'ObjectPattern' || target.type === 'ArrayPattern') w.thisComputed = true
  } else if (n.type === 'UpdateExpression') target = n.argument as AnyNode
  else if (n.type === 'UnaryExpression' && n.operator === 'delete') target = n.argument as AnyNode
  else if (n.type === 'CallExpression' && n.callee.type === 'MemberExpression') {
    const called = propertyOf(n.callee)
    const first = n.arguments[0] as AnyNode | undefined
    if (!COPIERS.has(called) || !first) return
    const key = n.arguments[1] as AnyNode | undefined
    if (called === 'defineProperty' && key?.type === 'Literal' && typeof key.value === 'string')
      written(w, first, key.value)
    else if (first.type === 'ThisExpression') w.thisComputed = true
    else if (first.type === 'Identifier') w.computedOn.add(first.name)
    return
  }
  if (target?.type !== 'MemberExpression') return
  const name = propertyOf(target)
  if (name !== '') written(w, target.object as AnyNode, name)
  else if (target.object.type === 'ThisExpression') w.thisComputed = true
  else if (target.object.type === 'Identifier') w.computedOn.add(target.object.name)
}

function written(w: PropWrites, obj: AnyNode, key: string): void {
  w.names.add(key)
  if (obj.type !== 'Identifier') return
  const set = w.byObject.get(obj.name) ?? new Set<string>()
  w.byObject.set(obj.name, set.add(key))
}

interface Home {
  /** `this` only names members, or is held by names that only do */
  ok: boolean
  /** the members written through it (`this.k = v`, `self.k++`) */
  writes: Set<string>
}

const homebound = new WeakMap<Node, Home>()

/**
 * `this` in the function (and in its arrows) only names members (`this.k`, `this['k']`) or
 * is held by a name that only names members: the object reaches no other code through it.
 */
function thisStaysHome(fn: Node): Home {
  const known = homebound.get(fn)
  if (known !== undefined) return known
  const aliases = new Set<string>()
  const uses: { node: AnyNode; parent: AnyNode | undefined }[] = []
  const targets = new Set<AnyNode>()
  const home: Home = { ok: true, writes: new Set() }
  const visit = (n: AnyNode, parent: AnyNode | undefined): void => {
    if (!home.ok) return
    // a function of its own has its own `this`; an arrow shares this one's
    if (n !== fn && isFunctionNode(n) && n.type !== 'ArrowFunctionExpression') return
    if (n.type === 'AssignmentExpression' || n.type === 'UpdateExpression')
      targets.add((n.type === 'AssignmentExpression' ? n.left : n.argument) as AnyNode)
    if (n.type === 'UnaryExpression' && n.operator === 'delete') targets.add(n.argument as AnyNode)
    if (n.type === 'ThisExpression') {
      if (parent?.type === 'VariableDeclarator' && parent.init === n) {
        if (parent.id.type === 'Identifier') aliases.add(parent.id.name)
        else home.ok = false
      } else if (!namesMember(n, parent)) home.ok = false
      else noteWrite(parent as AnyNode)
      return
    }
    if (n.type === 'Identifier') uses.push({ node: n, parent })
    eachChild(n, (c) => visit(c as AnyNode, n))
  }
  const noteWrite = (member: AnyNode): void => {
    if (targets.has(member))
      home.writes.add(propertyOf(member as AnyNode & { type: 'MemberExpression' }))
  }
  visit(fn as AnyNode, undefined)
  if (home.ok)
    for (const { node, parent } of uses) {
      if (!aliases.has((node as AnyNode & { name: string }).name)) continue
      if (parent?.type === 'VariableDeclarator' && parent.id === node) continue
      if (!namesMember(node, parent)) home.ok = false
      else noteWrite(parent as AnyNode)
    }
  homebound.set(fn, home)
  return home
}

/** `x` is the object of `x.k` or `x['k']` (a member named as written). */
function namesMember(x: AnyNode, parent: AnyNode | undefined): boolean {
  return parent?.type === 'MemberExpression' && parent.object === x && propertyOf(parent) !== ''
}

const isPrimitive = (v: Val): boolean =>
  v === null || (typeof v !== 'object' && typeof v !== 'function')

/**
 * The properties of `obj` (held by `name`) that a call of its own methods cannot have changed:
 * those holding a primitive that no code writes. When the name never hands the object out,
 * only its methods' writes through `this` and writes through the name itself count; else
 * every write of that member name anywhere. None when the object has getters, is written
 * under computed names, or one of its methods lets `this` out.
 */
export function keptProperties(obj: ObjV, name: string, w: PropWrites | undefined): Set<string> {
  const kept = new Set<string>()
  if (!w || w.computedOn.has(name) || obj.getters?.size) return kept
  const writes = new Set(w.byObject.get(name))
  for (const v of obj.props.values()) {
    if (!(v instanceof FnV)) continue
    const home = thisStaysHome(v.node)
    if (!home.ok) return kept
    for (const k of home.writes) writes.add(k)
  }
  const handedOut = isHandedOut(w, name)
  if (handedOut && w.thisComputed) return kept
  for (const [k, v] of obj.props)
    if (isPrimitive(v) && !writes.has(k) && !(handedOut && w.names.has(k))) kept.add(k)
  return kept
}

/** Whether `name` is read anywhere as a value, not as a member's object or a declaration. */
function isHandedOut(w: PropWrites, name: string): boolean {
  const known = w.handedOut.get(name)
  if (known !== undefined) return known
  let uses = 0
  const stack: { n: AnyNode; parent: AnyNode | undefined }[] = []
  if (w.root) stack.push({ n: w.root as AnyNode, parent: undefined })
  while (stack.length > 0 && uses === 0) {
    const { n, parent } = stack.pop() as { n: AnyNode; parent: AnyNode | undefined }
    if (n.type === 'Identifier' && n.name === name && !declaresOrNames(n, parent)) uses++
    eachChild(n, (c) => void stack.push({ n: c as AnyNode, parent: n }))
  }
  w.handedOut.set(name, uses > 0)
  return uses > 0
}

/** `x` as a member's object or name (`x.k`, `o.x`), a key (`{ x: 1 }`) or a declared name. */
function declaresOrNames(x: AnyNode, parent: AnyNode | undefined): boolean {
  if (!parent) return false
  switch (parent.type) {
    case 'MemberExpression':
      return parent.object === x || (!parent.computed && parent.property === x)
    case 'Property':
    case 'MethodDefinition':
    case 'PropertyDefinition':
      return (
        !parent.computed && parent.key === x && (parent.type !== 'Property' || !parent.shorthand)
      )
    case 'VariableDeclarator':
      return parent.id === x
    case 'FunctionDeclaration':
    case 'FunctionExpression':
    case 'ClassDeclaration':
      return parent.id === x
    default:
      return false
  }
}

/** `o.m(…)` where `o` holds an object of the sample's own and `m` one of its functions. */
export function ownMethodCall(callee: AnyNode, value: (name: string) => Val): string | undefined {
  if (callee.type !== 'MemberExpression' || callee.object.type !== 'Identifier') return undefined
  const o = value(callee.object.name)
  return o instanceof ObjV && o.props.get(propertyOf(callee)) instanceof FnV
    ? callee.object.name
    : undefined
}
