import type { AnyNode, Node } from 'acorn'
import type { CallFact, ScriptFacts } from './facts.ts'
import type { Counts } from './collect-parts.ts'
import type { Binding, Scopes } from './scope.ts'
import { calleeOf, isFunction } from './aliases.ts'
import { treeGeneration } from './deobfuscate/reparse.ts'

// Data flow through the script's own functions, for taint only (never for constant folding):
// arguments reach parameters, return values reach the call, and a promise callback's parameter
// receives what the previous callback in the chain returned.

let returnsCache = new WeakMap<Node, Node[]>()
let cachedFor = treeGeneration()

/** The expressions a function returns (an arrow's body when it is one), nested functions aside. */
export function returnsOf(fn: Node): Node[] {
  // a tree the evaluator patched in place may hold other returns under the same function node
  if (cachedFor !== treeGeneration()) {
    returnsCache = new WeakMap()
    cachedFor = treeGeneration()
  }
  const hit = returnsCache.get(fn)
  if (hit) return hit
  const out: Node[] = []
  const body = (fn as AnyNode & { body: AnyNode }).body
  if (body.type !== 'BlockStatement') out.push(body)
  else {
    const stack: AnyNode[] = [body]
    let visits = 0
    while (stack.length > 0 && visits++ < 5000) {
      const n = stack.pop() as AnyNode
      if (n.type === 'ReturnStatement') {
        if (n.argument) out.push(n.argument)
        continue
      }
      if (isFunction(n) || n.type === 'FunctionDeclaration' || n.type === 'ClassBody') continue
      for (const key in n) {
        if (key === 'loc' || key === 'type') continue
        const v = (n as unknown as Record<string, unknown>)[key]
        if (Array.isArray(v)) {
          for (const c of v) if (isStatement(c)) stack.push(c as AnyNode)
        } else if (isStatement(v)) stack.push(v as AnyNode)
      }
    }
  }
  returnsCache.set(fn, out)
  return out
}

function isStatement(v: unknown): boolean {
  const t = (v as { type?: unknown } | null)?.type
  return typeof t === 'string' && /Statement$|Block|Clause|Declaration$/.test(t)
}

/** The function a name calls, when the name is bound to one and never reassigned. */
export function localFunction(b: Binding | undefined): Node | undefined {
  if (!b || b.reassigned) return undefined
  return b.fn ?? (b.init && isFunction(b.init as AnyNode) ? b.init : undefined)
}

/** How many functions a name handed back may hold before none of them is followed. */
const MAX_RETURNED = 8

/**
 * The functions `maker` returns: written in its returns, or held in a name it returns (`var T;
 * … T = function (m) {…}; return T`), each of the name's values that is a function.
 */
function returnedFunctions(maker: Node, scopes: Scopes): Node[] {
  const out = new Set<Node>()
  for (const r of returnsOf(maker) as AnyNode[]) {
    if (isFunction(r)) out.add(r)
    else if (r.type === 'Identifier')
      for (const v of scopes.resolve(r)?.values ?? []) if (isFunction(v as AnyNode)) out.add(v)
  }
  return out.size <= MAX_RETURNED ? [...out] : []
}

/** A local function's parameters receive what its callers pass (for taint, not for folding). */
export function feedLocalCalls(
  facts: ScriptFacts,
  from: Counts,
  scopes: Scopes,
  /** names some code writes a member of: `t[k] = v`, `t.x = v` */
  writtenRoots: readonly Node[] = [],
  /** the object literal's method a call runs (`helper.post(d)`, `this.post(d)`), when known */
  literalMethod: (callee: Node) => Node | undefined = () => undefined,
): void {
  const filled = new Set<Binding>()
  for (const r of writtenRoots) {
    const b = scopes.resolve(r as Node & { name: string })
    if (b) filled.add(b)
  }
  const methods = methodFunctions(facts, from)
  for (let i = from.calls; i < facts.calls.length; i++) {
    const c = facts.calls[i] as CallFact
    const callee = calleeOf(c.node)
    if (c.isNew) continue
    const args = (c.node as AnyNode & { arguments: AnyNode[] }).arguments
    // `sock.emit(e, data)`, `this.post(packet)`: a method the script assigns under that name
    // (`Transport.prototype.emit = function (event, data) {…}`) receives the arguments
    if (callee.type === 'MemberExpression' && !callee.computed) {
      const literal = literalMethod(callee)
      const assigned = methods.get(propertyName(callee)) ?? []
      for (const fn of literal ? [literal, ...assigned] : assigned)
        args.forEach((a, k) => {
          if (a.type !== 'SpreadElement') scopes.feedParam(fn, k, a)
        })
      continue
    }
    // `sender()(data)`: the functions a local function hands back receive the arguments
    if (callee.type === 'CallExpression' && callee.callee.type === 'Identifier') {
      const maker = localFunction(scopes.resolve(callee.callee))
      for (const fn of maker ? returnedFunctions(maker, scopes) : [])
        args.forEach((a, k) => {
          if (a.type !== 'SpreadElement') scopes.feedParam(fn, k, a)
        })
      continue
    }
    if (callee.type !== 'Identifier') continue
    const b = scopes.resolve(callee as Node & { name: string })
    const fn = localFunction(b)
    if (!fn) continue
    args.forEach((a, k) => {
      if (a.type !== 'SpreadElement') scopes.feedParam(fn, k, a)
    })
    if (filled.size === 0) continue
    // `extend(target, src)`: a parameter the function writes into takes in the other arguments
    scopes.paramsOf(fn).forEach((p, k) => {
      const target = args[k]
      if (!p || !filled.has(p) || target?.type !== 'Identifier') return
      const into = scopes.resolve(target)
      if (!into) return
      into.mutated = true
      for (const a of args) if (a !== target && a.type !== 'SpreadElement') into.values.push(a)
    })
  }
}

/** A method name is followed only when the script assigns a function under it this often. */
const MAX_METHODS = 2

const propertyName = (m: AnyNode & { type: 'MemberExpression' }): string =>
  m.property.type === 'Identifier' ? m.property.name : ''

/**
 * Functions the script assigns as members (`C.prototype.m = function…`, `o.m = function…`),
 * by member name; a name given more than MAX_METHODS functions is left out: which one a call
 * reaches is not known.
 */
function methodFunctions(facts: ScriptFacts, from: Counts): Map<string, Node[]> {
  const out = new Map<string, Node[]>()
  for (let i = from.assigns; i < facts.assigns.length; i++) {
    const a = facts.assigns[i]
    if (!a || a.operator !== '=' || !a.object || !isFunction(a.value as AnyNode)) continue
    const list = out.get(a.target) ?? []
    out.set(a.target, [...list, a.value])
  }
  for (const [name, list] of out) if (list.length > MAX_METHODS) out.delete(name)
  return out
}

/**
 * `p.then(f).then(g)`: g's first parameter receives what f returns. Returns the first
 * parameters of every `.then` callback: what a promise resolved to (a response, often).
 */
export function feedPromiseChains(facts: ScriptFacts, from: Counts, scopes: Scopes): Binding[] {
  const out: Binding[] = []
  for (let i = from.calls; i < facts.calls.length; i++) {
    const c = facts.calls[i] as CallFact
    const given = c.args[0] as AnyNode | undefined
    if (c.name !== 'then' || !given) continue
    // `p.then(apply)`: a local function handed by name runs as the callback would
    const next = isFunction(given)
      ? given
      : given.type === 'Identifier'
        ? (localFunction(scopes.resolve(given)) as AnyNode | undefined)
        : undefined
    if (!next) continue
    const first = scopes.paramsOf(next)[0]
    if (first) out.push(first)
    const callee = calleeOf(c.node)
    const prev = callee.type === 'MemberExpression' ? (callee.object as AnyNode) : undefined
    if (prev?.type !== 'CallExpression') continue
    const before = prev.arguments[0] as AnyNode | undefined
    const pc = calleeOf(prev)
    const prevName =
      pc.type === 'MemberExpression' && pc.property.type === 'Identifier' ? pc.property.name : ''
    if (prevName === 'then' && before && isFunction(before))
      for (const r of returnsOf(before)) scopes.feedParam(next, 0, r)
    else scopes.feedParam(next, 0, prev)
  }
  return out
}

/** Socket-like sources whose message events carry what a server pushed. */
const PUSH_SOURCES = /^(WebSocket|EventSource)$/

/**
 * First parameters of message handlers (`ws.onmessage = e => …`, `addEventListener('message', …)`)
 * in a script that opens a WebSocket or EventSource: `e.data` is what the server sent.
 */
export function messageParams(facts: ScriptFacts, from: Counts, scopes: Scopes): Binding[] {
  const opens = facts.calls.some((c) => c.isNew && PUSH_SOURCES.test(c.name))
  if (!opens) return []
  const handlers: Node[] = []
  for (let i = from.assigns; i < facts.assigns.length; i++) {
    const a = facts.assigns[i]
    if (a?.target === 'onmessage' && isFunction(a.value as AnyNode)) handlers.push(a.value)
  }
  for (let i = from.calls; i < facts.calls.length; i++) {
    const c = facts.calls[i] as CallFact
    const fn = c.args[1] as AnyNode | undefined
    if (c.name !== 'addEventListener' || !fn || !isFunction(fn) || !c.args[0]) continue
    if (c.layer.folder.foldString(c.args[0]) === 'message') handlers.push(fn)
  }
  return handlers.flatMap((h) => scopes.paramsOf(h)[0] ?? [])
}
