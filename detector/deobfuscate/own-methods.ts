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
import { patternNames } from '../scope.ts'

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
  /** `with` or a direct `eval` somewhere: any name may be written, none is kept */
  unknownWrites: boolean
  /** code compiled from text somewhere (`Function`, `setTimeout(text)`): it reaches global names */
  compiles: boolean
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
    unknownWrites: false,
    compiles: false,
    handedOut: new Map(),
    root: undefined,
  }
}

/** Note one node's member writes (called for every node of the program). */
export function notePropWrites(w: PropWrites, n: AnyNode): void {
  switch (n.type) {
    case 'WithStatement':
      w.unknownWrites = true
      return
    case 'NewExpression':
      if (compilesText(n)) w.compiles = true
      return
    case 'CallExpression':
      return noteCall(w, n)
    case 'AssignmentExpression':
    case 'UpdateExpression':
    case 'UnaryExpression':
    case 'ForInStatement':
    case 'ForOfStatement':
      break
    default:
      return
  }
  for (const t of writeTargets(n)) {
    const target = t as AnyNode & { type: 'MemberExpression' }
    const obj = target.object as AnyNode
    const name = propertyOf(target)
    if (name !== '') written(w, obj, name)
    else if (obj.type === 'ThisExpression') w.thisComputed = true
    else if (obj.type === 'Identifier') w.computedOn.add(obj.name)
  }
}

function noteCall(w: PropWrites, n: AnyNode & { type: 'CallExpression' }): void {
  if (n.callee.type === 'Identifier' && n.callee.name === 'eval') w.unknownWrites = true
  if (compilesText(n)) w.compiles = true
  if (n.callee.type !== 'MemberExpression') return
  const called = propertyOf(n.callee)
  const first = n.arguments[0] as AnyNode | undefined
  if (!COPIERS.has(called) || !first) return
  const key = n.arguments[1] as AnyNode | undefined
  if (called === 'defineProperty' && key?.type === 'Literal' && typeof key.value === 'string')
    written(w, first, key.value)
  else if (first.type === 'ThisExpression') w.thisComputed = true
  else if (first.type === 'Identifier') w.computedOn.add(first.name)
}

const COMPILERS = new Set(['Function', 'eval', 'setTimeout', 'setInterval', 'execScript'])

/** `Function(text)`, `setTimeout(text)`, `window.eval(text)`: a timer given a function aside. */
function compilesText(n: AnyNode & { type: 'CallExpression' | 'NewExpression' }): boolean {
  const c = n.callee as AnyNode
  const name = c.type === 'Identifier' ? c.name : c.type === 'MemberExpression' ? propertyOf(c) : ''
  if (!COMPILERS.has(name)) return false
  if (name !== 'setTimeout' && name !== 'setInterval') return true
  const first = n.arguments[0] as AnyNode | undefined
  return !!first && !isFunctionNode(first) && first.type !== 'Identifier'
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
  // `own`: inside the method or its arrows, where `this` is the object; a function of its own
  // has its own `this`, but the names holding the object reach into it all the same
  const visit = (n: AnyNode, parent: AnyNode | undefined, own: boolean): void => {
    if (!home.ok) return
    const inner = own && !(n !== fn && isFunctionNode(n) && n.type !== 'ArrowFunctionExpression')
    for (const t of writeTargets(n)) targets.add(t)
    if (n.type === 'Super') home.ok = false
    if (n.type === 'ThisExpression' && inner) {
      if (parent?.type === 'VariableDeclarator' && parent.init === n) {
        if (parent.id.type === 'Identifier') aliases.add(parent.id.name)
        else home.ok = false
      } else if (!namesMember(n, parent)) home.ok = false
      else noteWrite(parent as AnyNode)
      return
    }
    if (n.type === 'Identifier') uses.push({ node: n, parent })
    eachChild(n, (c) => visit(c as AnyNode, n, inner))
  }
  const noteWrite = (member: AnyNode): void => {
    if (targets.has(member))
      home.writes.add(propertyOf(member as AnyNode & { type: 'MemberExpression' }))
  }
  visit(fn as AnyNode, undefined, true)
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

const NONE: readonly AnyNode[] = []

/**
 * The members a node writes: an assignment's or update's target, `delete`'s, a for-in/of's
 * left side, and every member inside a destructuring target (`[this.k] = v`).
 */
function writeTargets(n: AnyNode): readonly AnyNode[] {
  let target: AnyNode | undefined
  if (n.type === 'AssignmentExpression') target = n.left as AnyNode
  else if (n.type === 'UpdateExpression') target = n.argument as AnyNode
  else if (n.type === 'UnaryExpression' && n.operator === 'delete') target = n.argument as AnyNode
  else if (n.type === 'ForInStatement' || n.type === 'ForOfStatement') target = n.left as AnyNode
  if (!target) return NONE
  if (target.type === 'MemberExpression') return [target]
  if (target.type !== 'ObjectPattern' && target.type !== 'ArrayPattern') return NONE
  const out: AnyNode[] = []
  const walk = (x: AnyNode): void => {
    if (x.type === 'MemberExpression') out.push(x)
    else eachChild(x, (c) => walk(c as AnyNode))
  }
  walk(target)
  return out
}

/** `x` is the object of `x.k` or `x['k']` (a member named as written). */
function namesMember(x: AnyNode, parent: AnyNode | undefined): boolean {
  return parent?.type === 'MemberExpression' && parent.object === x && propertyOf(parent) !== ''
}

const isPrimitive = (v: Val): boolean =>
  v === null || (typeof v !== 'object' && typeof v !== 'function')

/**
 * The properties of `obj` (held by `name`) that a call of its own methods cannot have changed:
 * those holding a primitive that neither its methods (through `this` or a name holding it) nor
 * any code through `name` writes. None when the object's name is handed to other code, when it
 * has getters or a prototype of its own, is written under computed names, when one of its
 * methods lets `this` out or uses `super`, and in a program with `with` or a direct `eval`.
 * `scope`: the function (or program) declaring `name`; the page's global names are reached by
 * code compiled from text too.
 */
export function keptProperties(
  obj: ObjV,
  name: string,
  w: PropWrites | undefined,
  scope: Node | undefined,
  /** only those holding a primitive (arrays and objects may be filled through calls) */
  primitivesOnly = true,
): Set<string> {
  const global = scope === undefined || scope.type === 'Program'
  const kept = new Set<string>()
  if (!w || w.unknownWrites || (global && w.compiles) || w.computedOn.has(name)) return kept
  if (obj.getters?.size || obj.props.has('__proto__')) return kept
  const writes = new Set(w.byObject.get(name))
  for (const v of obj.props.values()) {
    if (!(v instanceof FnV)) continue
    const home = thisStaysHome(v.node)
    if (!home.ok) return kept
    for (const k of home.writes) writes.add(k)
  }
  if (isHandedOut(w, name, scope)) return kept
  for (const [k, v] of obj.props)
    if ((!primitivesOnly || isPrimitive(v)) && !writes.has(k)) kept.add(k)
  return kept
}

/** How many names a program is searched for before the rest count as handed out. */
const MAX_SEARCHES = 16

/**
 * Whether the object `name` (declared in `scope`, a function or the program) is read anywhere
 * as a value, not as a member's object or a declaration. A function inside `scope` that has a
 * parameter, a `var` or a function of that name has its own: its uses are not counted.
 */
function isHandedOut(w: PropWrites, name: string, scope: Node | undefined): boolean {
  const key = `${name} ${scope?.start ?? -1}`
  const known = w.handedOut.get(key)
  if (known !== undefined) return known
  if (w.handedOut.size >= MAX_SEARCHES || !w.root) return true
  const home = scope && scope.type !== 'Program' ? (scope as AnyNode) : (w.root as AnyNode)
  // uses, each with the functions (inside `home`) it is nested in; functions declaring `name`
  const uses: AnyNode[][] = []
  const own = new Set<AnyNode>()
  const stack: { n: AnyNode; parent: AnyNode | undefined; fns: AnyNode[] }[] = [
    { n: home, parent: undefined, fns: [] },
  ]
  while (stack.length > 0) {
    const { n, parent, fns } = stack.pop() as (typeof stack)[number]
    let inner = fns
    if (n !== home && isFunctionNode(n)) {
      inner = [...fns, n]
      const f = n as AnyNode & { params: AnyNode[]; id?: AnyNode | null }
      if (f.params.some((p) => patternNames(p).includes(name))) own.add(n)
    }
    const innermost = inner[inner.length - 1]
    if (n.type === 'VariableDeclaration' && n.kind === 'var' && innermost)
      for (const d of n.declarations)
        if (patternNames(d.id as AnyNode).includes(name)) own.add(innermost)
    if (n.type === 'FunctionDeclaration' && n.id?.name === name && fns.length > 0)
      own.add(fns[fns.length - 1] as AnyNode)
    if (n.type === 'Identifier' && n.name === name && !declaresOrNames(n, parent)) uses.push(inner)
    eachChild(n, (c) => void stack.push({ n: c as AnyNode, parent: n, fns: inner }))
  }
  const out = uses.some((fns) => !fns.some((f) => own.has(f)))
  w.handedOut.set(key, out)
  return out
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
    case 'ArrowFunctionExpression':
      return parent.id === x || parent.params.includes(x as never)
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
