import { eachChild } from '../children.ts'
import type { AnyNode } from 'acorn'
import { patternNames } from '../scope.ts'
import { treeGeneration } from './reparse.ts'
import { decide, evalExpr, makeFunction } from './interpret.ts'
import type { Machine } from './machine.ts'
import { keptProperties, ownMethodCall } from './own-methods.ts'
import {
  Abort,
  ArrV,
  Env,
  ObjV,
  ownKeys,
  Thrown,
  UNKNOWN,
  type FnNode,
  FnV,
  type Val,
} from './values.ts'

// Statements of the partial evaluator, and `simulate`: run a scope's statements one by one,
// keeping what is known and marking unknown whatever an unfollowable statement touched.

export type Completion =
  | { kind: 'normal' }
  | { kind: 'return'; value: Val }
  | { kind: 'break' | 'continue'; label: string | null }

const NORMAL: Completion = { kind: 'normal' }

/** Declare `var` names and function declarations of a body before it runs. */
export function hoist(m: Machine, body: AnyNode[], env: Env): void {
  for (const s of body) {
    if (s.type === 'FunctionDeclaration' && s.id)
      env.declare(s.id.name, 'function', makeFunction(m, s as FnNode, env))
    else hoistVars(s, env, 0)
  }
}

function hoistVars(s: AnyNode | null | undefined, env: Env, depth: number): void {
  if (!s || depth > 40) return
  switch (s.type) {
    case 'VariableDeclaration':
      if (s.kind === 'var')
        for (const d of s.declarations)
          // unknown, not undefined: a later read may sit on a path the simulation did not take
          for (const name of patternNames(d.id as AnyNode)) env.declare(name, 'var', UNKNOWN)
      return
    case 'BlockStatement':
      for (const x of s.body) hoistVars(x as AnyNode, env, depth + 1)
      return
    case 'IfStatement':
      hoistVars(s.consequent as AnyNode, env, depth + 1)
      hoistVars(s.alternate as AnyNode | null, env, depth + 1)
      return
    case 'ForStatement':
      hoistVars(s.init as AnyNode | null, env, depth + 1)
      hoistVars(s.body as AnyNode, env, depth + 1)
      return
    case 'ForInStatement':
    case 'ForOfStatement':
      hoistVars(s.left as AnyNode, env, depth + 1)
      hoistVars(s.body as AnyNode, env, depth + 1)
      return
    case 'WhileStatement':
    case 'DoWhileStatement':
    case 'LabeledStatement':
      hoistVars(s.body as AnyNode, env, depth + 1)
      return
    case 'TryStatement':
      hoistVars(s.block as AnyNode, env, depth + 1)
      hoistVars(s.handler?.body as AnyNode | undefined, env, depth + 1)
      hoistVars(s.finalizer as AnyNode | null, env, depth + 1)
      return
    case 'SwitchStatement':
      for (const c of s.cases) for (const x of c.consequent) hoistVars(x as AnyNode, env, depth + 1)
      return
    default:
      return
  }
}

export function execBody(m: Machine, body: AnyNode[], env: Env): Completion {
  for (const s of body) {
    const c = exec(m, s, env)
    if (c.kind !== 'normal') return c
  }
  return NORMAL
}

const scoped = new Map<AnyNode[], boolean>()
let scopedFor = treeGeneration()

/** Whether a block declares anything block-scoped (else it shares its parent's scope). */
function needsScope(body: AnyNode[]): boolean {
  // a statement list the evaluator patched in place keeps its identity, not its contents
  if (scopedFor !== treeGeneration()) {
    scoped.clear()
    scopedFor = treeGeneration()
  }
  let v = scoped.get(body)
  if (v === undefined) {
    v = body.some(
      (s) =>
        (s.type === 'VariableDeclaration' && s.kind !== 'var') ||
        s.type === 'FunctionDeclaration' ||
        s.type === 'ClassDeclaration',
    )
    if (scoped.size > 50_000) scoped.clear()
    scoped.set(body, v)
  }
  return v
}

function block(m: Machine, body: AnyNode[], env: Env): Completion {
  if (!needsScope(body)) return execBody(m, body, env)
  const inner = new Env(env, false)
  for (const s of body)
    if (s.type === 'FunctionDeclaration' && s.id)
      inner.declare(s.id.name, 'let', makeFunction(m, s as FnNode, inner))
  return execBody(m, body, inner)
}

/** A loop's counter and its bound: `i < n`, `n > i`, `i <= a.length`, `i !== 0`. */
interface Counted {
  counter: string
  bound: AnyNode
}

const COUNTING = new Set(['<', '<=', '>', '>=', '!=', '!=='])

function countedLoop(test: AnyNode): Counted | undefined {
  if (test.type !== 'BinaryExpression' || !COUNTING.has(test.operator)) return undefined
  const plain = (n: AnyNode): boolean =>
    n.type === 'Literal' ||
    n.type === 'Identifier' ||
    (n.type === 'MemberExpression' &&
      !n.computed &&
      n.object.type === 'Identifier' &&
      n.property.type === 'Identifier' &&
      n.property.name === 'length')
  const left = test.left as AnyNode
  const right = test.right as AnyNode
  if (left.type === 'Identifier' && plain(right)) return { counter: left.name, bound: right }
  if (right.type === 'Identifier' && plain(left)) return { counter: right.name, bound: left }
  return undefined
}

/** Where a loop stood when it was last probed: its iteration, steps and counter. */
interface Probe {
  iteration: number
  steps: number
  counter: number
}

/** Iterations before a loop's pace is measured: short loops never are. */
const PROBE_FROM = 16

/**
 * Probes a counted loop at iteration `i` (a power of two): from its pace since the last probe,
 * the steps its remaining iterations need. More than the steps left aborts it as the budget
 * would, only without spending them first (a table of 32768 entries, key arithmetic).
 */
function affordable(m: Machine, loop: Counted, env: Env, i: number, last?: Probe): Probe {
  // read as they stand, without the checks a read by the code makes: this read is not the code's
  const counter = env.lookup(loop.counter)?.value
  const limit = boundOf(loop.bound, env)
  const now = { iteration: i, steps: m.steps, counter: typeof counter === 'number' ? counter : NaN }
  if (!last || typeof limit !== 'number' || !Number.isFinite(now.counter)) return now
  const pace = (now.counter - last.counter) / (i - last.iteration)
  const cost = (now.steps - last.steps) / (i - last.iteration)
  const left = (limit - now.counter) / pace
  if (pace !== 0 && Number.isFinite(left) && left > 0 && left * cost > m.stepsLeft())
    throw new Abort('step budget')
  return now
}

function boundOf(n: AnyNode, env: Env): Val {
  if (n.type === 'Literal') return n.value as Val
  if (n.type === 'Identifier') return env.lookup(n.name)?.value
  if (n.type !== 'MemberExpression' || n.object.type !== 'Identifier') return UNKNOWN
  const v = env.lookup(n.object.name)?.value
  if (typeof v === 'string') return v.length
  return v instanceof ArrV && !v.opaque ? v.items.length : UNKNOWN
}

/** Loop bookkeeping: true when the loop must stop, with the completion to pass on. */
function loopExit(c: Completion, label: string | null): Completion | undefined {
  if (c.kind === 'return') return c
  if (c.kind === 'break') return c.label === null || c.label === label ? NORMAL : c
  if (c.kind === 'continue' && c.label !== null && c.label !== label) return c
  return undefined
}

function declare(m: Machine, s: AnyNode & { type: 'VariableDeclaration' }, env: Env): void {
  for (const d of s.declarations) {
    const id = d.id as AnyNode
    const v = d.init ? evalExpr(m, d.init, env) : undefined
    if (id.type === 'Identifier') {
      if (s.kind === 'var') {
        if (d.init) m.assign(id.name, env, v)
        else if (!env.lookup(id.name)) env.declare(id.name, 'var', undefined)
      } else env.declare(id.name, s.kind === 'const' ? 'const' : 'let', v)
    } else
      for (const name of patternNames(id)) {
        if (s.kind === 'var') m.assign(name, env, UNKNOWN)
        else env.declare(name, 'let', UNKNOWN)
      }
  }
}

export function exec(m: Machine, node: AnyNode, env: Env, label: string | null = null): Completion {
  m.tick()
  if (m.recording) m.ran(node)
  const s = node
  switch (s.type) {
    case 'EmptyStatement':
    case 'DebuggerStatement':
    case 'FunctionDeclaration':
      return NORMAL
    case 'ExpressionStatement':
      evalExpr(m, s.expression, env)
      return NORMAL
    case 'VariableDeclaration':
      declare(m, s, env)
      return NORMAL
    case 'ReturnStatement':
      return { kind: 'return', value: s.argument ? evalExpr(m, s.argument, env) : undefined }
    case 'BreakStatement':
      return { kind: 'break', label: s.label?.name ?? null }
    case 'ContinueStatement':
      return { kind: 'continue', label: s.label?.name ?? null }
    case 'ThrowStatement':
      throw new Thrown(evalExpr(m, s.argument, env))
    case 'BlockStatement':
      return block(m, s.body as AnyNode[], env)
    case 'LabeledStatement': {
      // `a: { … break a }` ends the labelled statement, not the code after it
      const out = exec(m, s.body as AnyNode, env, s.label.name)
      return out.kind === 'break' && out.label === s.label.name ? NORMAL : out
    }
    case 'IfStatement':
      if (decide(evalExpr(m, s.test, env))) return exec(m, s.consequent as AnyNode, env)
      return s.alternate ? exec(m, s.alternate as AnyNode, env) : NORMAL
    case 'ForStatement': {
      const scopedInit = s.init?.type === 'VariableDeclaration' && s.init.kind !== 'var'
      const loopEnv = scopedInit ? new Env(env, false) : env
      if (s.init) {
        if (s.init.type === 'VariableDeclaration') declare(m, s.init, loopEnv)
        else evalExpr(m, s.init, loopEnv)
      }
      const counted = s.test ? countedLoop(s.test as AnyNode) : undefined
      let probe: Probe | undefined
      for (let i = 0; ; i++) {
        if (s.test && !decide(evalExpr(m, s.test, loopEnv))) return NORMAL
        // a long loop that cannot finish in the steps left would end in an abort: end it now
        if (counted && i >= PROBE_FROM && (i & (i - 1)) === 0)
          probe = affordable(m, counted, loopEnv, i, probe)
        const out = loopExit(exec(m, s.body as AnyNode, loopEnv), label)
        if (out) return out
        if (s.update) evalExpr(m, s.update, loopEnv)
      }
    }
    case 'WhileStatement':
      while (decide(evalExpr(m, s.test, env))) {
        const out = loopExit(exec(m, s.body as AnyNode, env), label)
        if (out) return out
      }
      return NORMAL
    case 'DoWhileStatement':
      do {
        const out = loopExit(exec(m, s.body as AnyNode, env), label)
        if (out) return out
      } while (decide(evalExpr(m, s.test, env)))
      return NORMAL
    case 'ForInStatement':
    case 'ForOfStatement': {
      const subject = evalExpr(m, s.right, env)
      let keys: Val[]
      if (s.type === 'ForInStatement') {
        if (subject instanceof ObjV && !subject.opaque) keys = ownKeys(subject)
        else if (subject instanceof ArrV && !subject.opaque)
          keys = subject.items.map((_x, i) => String(i))
        else throw new Abort('unknown for-in')
      } else if (subject instanceof ArrV && !subject.opaque) keys = subject.items.slice()
      else if (typeof subject === 'string') keys = [...subject]
      else throw new Abort('unknown for-of')
      const left = s.left as AnyNode
      const id = left.type === 'VariableDeclaration' ? (left.declarations[0]?.id as AnyNode) : left
      if (id.type !== 'Identifier') throw new Abort('pattern in for-in')
      for (const k of keys) {
        const iterEnv = new Env(env, false)
        if (left.type === 'VariableDeclaration' && left.kind !== 'var')
          iterEnv.declare(id.name, 'let', k)
        else m.assign(id.name, env, k)
        const out = loopExit(exec(m, s.body as AnyNode, iterEnv), label)
        if (out) return out
      }
      return NORMAL
    }
    case 'SwitchStatement': {
      const d = evalExpr(m, s.discriminant, env)
      if (d === UNKNOWN) throw new Abort('unknown switch')
      const inner = new Env(env, false)
      let start = -1
      s.cases.forEach((c, i) => {
        if (start < 0 && c.test) {
          const t = evalExpr(m, c.test, inner)
          if (t === UNKNOWN) throw new Abort('unknown case')
          if (t === d) start = i
        }
      })
      if (start < 0) start = s.cases.findIndex((c) => !c.test)
      if (start < 0) return NORMAL
      for (const c of s.cases.slice(start)) {
        const out = execBody(m, c.consequent as AnyNode[], inner)
        if (out.kind === 'break' && (out.label === null || out.label === label)) return NORMAL
        if (out.kind !== 'normal') return out
      }
      return NORMAL
    }
    case 'TryStatement': {
      let out: Completion
      try {
        out = exec(m, s.block as AnyNode, env)
      } catch (err) {
        if (!(err instanceof Thrown) || !s.handler) throw err
        const catchEnv = new Env(env, false)
        const p = s.handler.param as AnyNode | null
        if (p?.type === 'Identifier') catchEnv.declare(p.name, 'let', err.value)
        out = exec(m, s.handler.body as AnyNode, catchEnv)
      } finally {
        if (s.finalizer) {
          const f = exec(m, s.finalizer as AnyNode, env)
          if (f.kind !== 'normal') return f
        }
      }
      return out
    }
    case 'ClassDeclaration':
      if (s.id) env.declare(s.id.name, 'let', UNKNOWN)
      return NORMAL
    default:
      throw new Abort(`unsupported ${s.type}`)
  }
}

/**
 * Simulate a scope's statements in order. A statement that cannot be followed (a branch on
 * user input, a budget) is skipped and everything it wrote becomes unknown; the rest go on.
 */
export function simulate(m: Machine, body: AnyNode[], env: Env, born = 0): void {
  m.guarded(() => hoist(m, body, env), 'keep', undefined, born)
  const list = steps(body)
  for (const [i, s] of list.entries()) {
    if (m.steps >= m.limits.steps) {
      // out of steps: what the statements not run would have written is not known
      for (const rest of list.slice(i)) forgetWritten(m, rest, env, born)
      return
    }
    const out = m.guarded(() => exec(m, s, env), 'keep', m.limits.statementSteps, born)
    if (out instanceof Abort) forgetWritten(m, s, env, born)
    else if (out.kind !== 'normal') return
  }
}

/**
 * The statements of a body, a top-level comma sequence (`a = x, b && c()`: what minifiers
 * make of consecutive statements) taken one expression at a time, so that one part that cannot
 * be followed does not make the parts before it unknown.
 */
function steps(body: AnyNode[]): AnyNode[] {
  const out: AnyNode[] = []
  for (const s of body) {
    if (s.type !== 'ExpressionStatement' || s.expression.type !== 'SequenceExpression') {
      out.push(s)
      continue
    }
    for (const e of s.expression.expressions)
      out.push({
        type: 'ExpressionStatement',
        expression: e,
        start: e.start,
        end: e.end,
      } as AnyNode)
  }
  return out
}

/** Array and string methods that never change the value they are called on. */
const READS_ONLY = new Set([
  'map',
  'filter',
  'slice',
  'concat',
  'join',
  'indexOf',
  'lastIndexOf',
  'includes',
  'reduce',
  'reduceRight',
  'some',
  'every',
  'find',
  'findIndex',
  'flat',
  'flatMap',
  'at',
  'toString',
  'charAt',
  'charCodeAt',
  'split',
  'substring',
  'substr',
  'toLowerCase',
  'toUpperCase',
  'trim',
  'replace',
])

export function propertyOf(m: AnyNode & { type: 'MemberExpression' }): string {
  const p = m.property as AnyNode
  if (!m.computed && p.type === 'Identifier') return p.name
  return p.type === 'Literal' && typeof p.value === 'string' ? p.value : ''
}

/** Anything in the subtree, callbacks included, that could write: assignments, ++, calls. */
function writes(call: AnyNode & { type: 'CallExpression' }): boolean {
  let found = false
  const visit = (n: AnyNode): void => {
    if (found) return
    if (n.type === 'AssignmentExpression' || n.type === 'UpdateExpression') found = true
    else if (n.type === 'UnaryExpression' && n.operator === 'delete') found = true
    else if (n.type === 'CallExpression' || n.type === 'NewExpression') {
      const c = n.callee as AnyNode
      // a nested call of a read-only method is fine; any other call could reach the array
      if (c.type !== 'MemberExpression' || !READS_ONLY.has(propertyOf(c))) found = true
    }
    if (!found) eachChild(n, visit)
  }
  for (const a of call.arguments as AnyNode[]) visit(a)
  return found
}

/**
 * A statement that could not be followed may still have set the names it declares or assigns
 * (a hoisted `var` would otherwise keep `undefined`): they become unknown. Names from outside
 * a scope simulated out of order (`born` > 0) are left to the undo journal.
 */
function forgetWritten(m: Machine, stmt: AnyNode, env: Env, born: number): void {
  const written = writtenBy(stmt, false)
  for (const name of written.names) {
    const b = env.lookup(name)
    if (b && (born === 0 || (b.serial ?? 0) >= born)) m.forget(b)
  }
  const value = (name: string): Val => env.lookup(name)?.value
  for (const name of touchedIn(written, env)) {
    const v = value(name)
    if (!((v instanceof ArrV || v instanceof ObjV) && (born === 0 || v.serial >= born))) continue
    // touched only as the receiver of its own methods: what no method can write is kept
    const own =
      v instanceof ObjV &&
      !written.direct.has(name) &&
      (written.methods.get(name) ?? []).every((c) => ownMethodCall(c, value) === name)
    m.forgetItems(
      v,
      own ? keptProperties(v, name, m.propWrites, env.lookup(name)?.scope) : undefined,
    )
  }
}

/**
 * The names `code` assigns and the names of the collections it writes into (`d.push(v)`,
 * `d[k] = v`; `d.map(f)` leaves d as it was, unless what it is given writes somewhere).
 * `nested`: the bodies of functions inside it count too.
 */
function writtenBy(code: AnyNode, nested: boolean): Written {
  const names = new Set<string>()
  const touched = new Set<string>()
  const direct = new Set<string>()
  const methods = new Map<string, AnyNode[]>()
  const given: Given[] = []
  const visit = (n: AnyNode): void => {
    if (n !== code && !nested && isFunctionNode(n)) return
    if (n.type === 'VariableDeclarator') for (const x of patternNames(n.id as AnyNode)) names.add(x)
    if (n.type === 'AssignmentExpression' && n.left.type === 'Identifier') names.add(n.left.name)
    if (n.type === 'UpdateExpression' && n.argument.type === 'Identifier')
      names.add(n.argument.name)
    const callee = n.type === 'CallExpression' ? (n.callee as AnyNode) : undefined
    if (
      callee?.type === 'MemberExpression' &&
      callee.object.type === 'Identifier' &&
      !(READS_ONLY.has(propertyOf(callee)) && !writes(n as AnyNode & { type: 'CallExpression' }))
    ) {
      touched.add(callee.object.name)
      const list = methods.get(callee.object.name)
      if (list) list.push(callee)
      else methods.set(callee.object.name, [callee])
    }
    // what a call is given, the call may fill (`Object.assign(cfg, data)`, `$.extend(o, x)`)
    if ((n.type === 'CallExpression' || n.type === 'NewExpression') && !readsArguments(n))
      for (const a of n.arguments as AnyNode[])
        if (a.type === 'Identifier') given.push({ name: a.name, callee: n.callee as AnyNode })
    if (n.type === 'AssignmentExpression' && n.left.type === 'MemberExpression')
      if (n.left.object.type === 'Identifier') direct.add(n.left.object.name)
    // `with (o) { n = 1 }` writes o.n
    if (n.type === 'WithStatement' && n.object.type === 'Identifier') direct.add(n.object.name)
    eachChild(n, visit)
  }
  visit(code)
  for (const name of direct) touched.add(name)
  return { names, touched, direct, methods, given }
}

interface Given {
  name: string
  callee: AnyNode
}

interface Written {
  names: Set<string>
  touched: Set<string>
  /** touched otherwise than as the receiver of a method call (`o.k = v`, `with (o)`) */
  direct: Set<string>
  /** the callees of method calls, by receiver name (`o.m` of `o.m(x)`) */
  methods: Map<string, AnyNode[]>
  /** names handed to calls: filled unless the sample's own function takes them (its body is simulated) */
  given: Given[]
}

/** The collections a statement writes to, and those it hands to code the simulation does not see. */
function touchedIn(w: Written, env: Env): string[] {
  const out = [...w.touched]
  for (const { name, callee } of w.given) if (!ownFunction(callee, env)) out.push(name)
  return out
}

/** `(function (o) {…})(x)`, `f(x)` and `o.m(x)` where f and o.m are functions of the sample. */
function ownFunction(callee: AnyNode, env: Env): boolean {
  if (isFunctionNode(callee)) return true
  if (callee.type === 'Identifier') return env.lookup(callee.name)?.value instanceof FnV
  if (callee.type !== 'MemberExpression' || callee.object.type !== 'Identifier') return false
  const o = env.lookup(callee.object.name)?.value
  return (o instanceof ObjV || o instanceof FnV) && o.props.get(propertyOf(callee)) instanceof FnV
}

/** `JSON.stringify(o)`, `s.indexOf(x)`: calls that only read what they are given. */
function readsArguments(n: AnyNode & { type: 'CallExpression' | 'NewExpression' }): boolean {
  const c = n.callee as AnyNode
  const name = c.type === 'MemberExpression' ? propertyOf(c) : c.type === 'Identifier' ? c.name : ''
  return READS_ONLY.has(name) || READS_ARGUMENTS.has(name)
}

const READS_ARGUMENTS = new Set([
  'stringify',
  'String',
  'Number',
  'Boolean',
  'encodeURIComponent',
  'encodeURI',
  'escape',
  'btoa',
  'atob',
  'parseInt',
  'parseFloat',
  'log',
])

export const isFunctionNode = (n: AnyNode): boolean =>
  n.type === 'FunctionExpression' ||
  n.type === 'ArrowFunctionExpression' ||
  n.type === 'FunctionDeclaration'

const escaped = new WeakMap<object, Written>()

/** Every name a function declares, its own and those of the functions written inside it. */
function declaredWithin(fn: AnyNode): Set<string> {
  const out = new Set<string>()
  const visit = (n: AnyNode): void => {
    if (isFunctionNode(n)) {
      const f = n as AnyNode & FnNode & { id?: { name: string } | null }
      if (f.id && n.type !== 'FunctionDeclaration') out.add(f.id.name)
      for (const p of f.params) patternNames(p as AnyNode).forEach((x) => out.add(x))
    }
    if (n.type === 'FunctionDeclaration' && n.id) out.add(n.id.name)
    if (n.type === 'ClassDeclaration' && n.id) out.add(n.id.name)
    if (n.type === 'VariableDeclarator') patternNames(n.id as AnyNode).forEach((x) => out.add(x))
    if (n.type === 'CatchClause' && n.param)
      patternNames(n.param as AnyNode).forEach((x) => out.add(x))
    eachChild(n, visit)
  }
  visit(fn)
  // a function declaration's own name belongs to the scope around it
  if (fn.type === 'FunctionDeclaration' && fn.id) out.delete(fn.id.name)
  return out
}

/**
 * A function of the sample's handed to code the evaluator cannot follow (a host API's
 * callback: `document.querySelectorAll(s).forEach(f)`) may run then, or later, or never:
 * whatever it writes outside itself becomes unknown.
 */
export function escape(m: Machine, fn: FnV): void {
  let w = escaped.get(fn.node)
  if (!w) {
    const all = writtenBy(fn.node as AnyNode, true)
    // what it declares itself (its parameters and variables, and those of functions inside it)
    // are its own: an outer variable of the same name is not written
    const own = declaredWithin(fn.node as AnyNode)
    const outer = (name: string): boolean => !own.has(name)
    w = {
      names: new Set([...all.names].filter(outer)),
      touched: new Set([...all.touched].filter(outer)),
      direct: all.direct,
      methods: all.methods,
      given: all.given.filter((g) => outer(g.name)),
    }
    escaped.set(fn.node, w)
  }
  for (const name of w.names) {
    const b = fn.env.lookup(name)
    if (b) m.forget(b)
  }
  for (const name of touchedIn(w, fn.env)) {
    const v = fn.env.lookup(name)?.value
    if (v instanceof ArrV || v instanceof ObjV) m.forgetItems(v)
  }
}
