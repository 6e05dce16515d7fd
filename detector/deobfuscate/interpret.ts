import type { AnyNode, Node } from 'acorn'
import { Machine, realmNatives, type Limits } from './machine.ts'
import { patternNames } from '../scope.ts'
import { escape, execBody, hoist, propertyOf } from './statements.ts'
import {
  Abort,
  ArrV,
  Env,
  FnV,
  MAX_STRING,
  ObjV,
  Thrown,
  UNKNOWN,
  isPrim,
  making,
  toPrim,
  toStr,
  truthy,
  typeOf,
  type FnNode,
  type Val,
} from './values.ts'

/**
 * What `typeof` gives for objects and functions every browser page has, which the evaluator
 * does not model: code that checks it is running in a page (`typeof document != 'undefined'`)
 * goes on as it would there. Anything else the page may lack stays unknown.
 */
const HOST_TYPES = new Map<string, string>([
  ...[
    'document',
    'navigator',
    'location',
    'history',
    'screen',
    'localStorage',
    'sessionStorage',
  ].map((name): [string, string] => [name, 'object']),
  ...[
    'XMLHttpRequest',
    'Image',
    'FormData',
    'fetch',
    'setTimeout',
    'setInterval',
    'addEventListener',
  ].map((name): [string, string] => [name, 'function']),
])

// Expressions of the partial evaluator: a small interpreter over constants, never `eval`,
// never `vm`. Host objects are UNKNOWN; a branch on an unknown value aborts the evaluation.

const ITERATORS = new Set(['forEach', 'map', 'filter', 'reduce', 'some', 'every', 'find', 'each'])

export function createMachine(limits?: Limits): Machine {
  const m = limits ? new Machine(limits) : new Machine()
  realmNatives(m)
  m.callFunction = (fn, self, args) => callFunction(m, fn, self, args)
  m.escape = (fn) => escape(m, fn)
  return m
}

function callFunction(m: Machine, fn: FnV, self: Val, args: Val[]): Val {
  if (m.depth >= m.limits.depth) throw new Abort('call depth')
  m.depth++
  const caller = m.callee
  const home = making.home
  m.callee = fn.node as AnyNode
  making.home = fn.node
  try {
    const node = fn.node as AnyNode & FnNode
    const env = new Env(fn.env, true, fn.node)
    if (node.type !== 'ArrowFunctionExpression') {
      env.vars.set('%this', { value: self, kind: 'const', wrote: 0 })
      env.vars.set('arguments', { value: new ArrV(args.slice()), kind: 'var', wrote: 0 })
    }
    bindParams(m, node.params as AnyNode[], args, env)
    const body = node.body as AnyNode
    if (body.type !== 'BlockStatement') return evalExpr(m, body, env)
    hoist(m, body.body as AnyNode[], env)
    const c = execBody(m, body.body as AnyNode[], env)
    return c.kind === 'return' ? c.value : undefined
  } finally {
    m.depth--
    m.callee = caller
    making.home = home
  }
}

function bindParams(m: Machine, params: AnyNode[], args: Val[], env: Env): void {
  params.forEach((p, i) => {
    if (p.type === 'Identifier') env.declare(p.name, 'param', args[i])
    else if (p.type === 'AssignmentPattern' && p.left.type === 'Identifier') {
      const given = args[i]
      env.declare(p.left.name, 'param', given === undefined ? evalExpr(m, p.right, env) : given)
    } else if (p.type === 'RestElement' && p.argument.type === 'Identifier')
      env.declare(p.argument.name, 'param', new ArrV(args.slice(i)))
    else for (const name of patternNames(p)) env.declare(name, 'param', UNKNOWN)
  })
}

export function makeFunction(m: Machine, node: FnNode, env: Env): FnV {
  const self = node.type === 'ArrowFunctionExpression' ? m.lookup('%this', env) : undefined
  return new FnV(node, env, self)
}

function propertyKey(m: Machine, p: AnyNode & { computed: boolean; key: AnyNode }, env: Env): Val {
  if (!p.computed && p.key.type === 'Identifier') return p.key.name
  if (p.key.type === 'Literal') return String(p.key.value)
  return toStr(evalExpr(m, p.key, env))
}

function binary(op: string, a: Val, b: Val): Val {
  if (a === UNKNOWN || b === UNKNOWN) return UNKNOWN
  if (op === '===' || op === '!==') {
    const same = isPrim(a) && isPrim(b) ? a === b : a === b
    return op === '===' ? same : !same
  }
  if (op === 'instanceof' || op === 'in') return UNKNOWN
  if ((op === '==' || op === '!=') && !isPrim(a) && !isPrim(b))
    return op === '==' ? a === b : a !== b
  const x = toPrim(a)
  const y = toPrim(b)
  if (x === UNKNOWN || y === UNKNOWN) return UNKNOWN
  const l = x as never
  const r = y as never
  switch (op) {
    case '+': {
      const out = (l as number) + (r as number)
      return typeof out === 'string' && (out as string).length > MAX_STRING ? UNKNOWN : out
    }
    case '-':
      return l - r
    case '*':
      return l * r
    case '/':
      return l / r
    case '%':
      return l % r
    case '**':
      return (l as number) ** (r as number)
    case '|':
      return l | r
    case '&':
      return l & r
    case '^':
      return l ^ r
    case '<<':
      return l << r
    case '>>':
      return l >> r
    case '>>>':
      return l >>> r
    case '==':
      return l == r
    case '!=':
      return l != r
    case '<':
      return l < r
    case '>':
      return l > r
    case '<=':
      return l <= r
    case '>=':
      return l >= r
    default:
      return UNKNOWN
  }
}

/** Branch on a value: an unknown condition cannot be followed. */
export function decide(v: Val): boolean {
  const t = truthy(v)
  if (t === UNKNOWN) throw new Abort('unknown condition')
  return t
}

type Ref = { kind: 'name'; name: string } | { kind: 'member'; obj: Val; key: Val }

function reference(m: Machine, target: AnyNode, env: Env): Ref {
  if (target.type === 'Identifier') return { kind: 'name', name: target.name }
  if (target.type === 'MemberExpression' && target.object.type !== 'Super') {
    const obj = evalExpr(m, target.object as AnyNode, env)
    const key = memberKey(m, target, env)
    return { kind: 'member', obj, key }
  }
  throw new Abort('unsupported assignment target')
}

function readRef(m: Machine, r: Ref, env: Env): Val {
  return r.kind === 'name' ? m.lookup(r.name, env) : m.getMember(r.obj, r.key)
}

function writeRef(m: Machine, r: Ref, env: Env, v: Val): void {
  if (r.kind === 'name') m.assign(r.name, env, v)
  else m.setMember(r.obj, r.key, v)
}

export function memberKey(m: Machine, n: AnyNode & { type: 'MemberExpression' }, env: Env): Val {
  const p = n.property as AnyNode
  if (!n.computed && p.type === 'Identifier') return p.name
  return evalExpr(m, p, env)
}

/**
 * The function a call runs and its receiver: `o.f(…)` runs `f` on `o`. Undefined when an
 * optional chain (`o?.f()`) stops at a missing receiver.
 */
function calleeValue(m: Machine, callee: AnyNode, env: Env): [fn: Val, self: Val] | undefined {
  if (callee.type !== 'MemberExpression' || callee.object.type === 'Super')
    return [evalExpr(m, callee, env), undefined]
  const self = evalExpr(m, callee.object, env)
  if (callee.optional && (self === null || self === undefined)) return undefined
  return [m.getMember(self, memberKey(m, callee, env)), self]
}

export function evalExpr(m: Machine, node: Node, env: Env): Val {
  m.tick()
  const n = node as AnyNode
  // a leaf runs when the node around it does
  if (m.recording && n.type !== 'Literal' && n.type !== 'Identifier') m.ran(n)
  switch (n.type) {
    case 'Literal':
      if (n.regex) return m.regex(n)
      return typeof n.value === 'bigint' ? UNKNOWN : (n.value as Val)
    case 'Identifier':
      return n.name === 'undefined' && !env.lookup('undefined') ? undefined : m.lookup(n.name, env)
    case 'ThisExpression':
      return m.lookup('%this', env)
    case 'ParenthesizedExpression':
    case 'ChainExpression':
      return evalExpr(m, n.expression, env)
    case 'TemplateLiteral': {
      let s = ''
      for (let i = 0; i < n.quasis.length; i++) {
        s += n.quasis[i]?.value.cooked ?? ''
        const e = n.expressions[i]
        if (e) {
          const v = toStr(evalExpr(m, e, env))
          if (v === UNKNOWN) return UNKNOWN
          s += v
        }
      }
      return s
    }
    case 'ArrayExpression': {
      const items: Val[] = []
      for (const el of n.elements) {
        if (!el) items.push(undefined)
        else if (el.type === 'SpreadElement') {
          const v = evalExpr(m, el.argument, env)
          if (!(v instanceof ArrV) || v.opaque) return UNKNOWN
          items.push(...v.items)
        } else items.push(evalExpr(m, el, env))
      }
      return new ArrV(items)
    }
    case 'ObjectExpression': {
      const o = new ObjV()
      for (const p of n.properties) {
        if (p.type === 'SpreadElement') {
          const v = evalExpr(m, p.argument, env)
          if (v instanceof ObjV && !v.opaque)
            for (const [k, x] of v.props) {
              o.props.set(k, x)
              o.getters?.delete(k)
            }
          else {
            o.opaque = true
            // it may define any name: no getter written before it is known to stay
            o.getters = undefined
          }
          continue
        }
        const key = propertyKey(m, p as never, env)
        if (key === UNKNOWN) {
          o.opaque = true
          o.getters = undefined
        } else if (p.kind !== 'init') {
          o.opaque = true
          // what a getter returns is read by running it (see Machine.getMember)
          const fn = p.kind === 'get' ? evalExpr(m, p.value, env) : undefined
          if (fn instanceof FnV) (o.getters ??= new Map()).set(String(key), fn)
        } else {
          o.props.set(String(key), evalExpr(m, p.value as AnyNode, env))
          // a later property of the same name replaces the getter
          o.getters?.delete(String(key))
        }
      }
      return o
    }
    case 'FunctionExpression':
    case 'ArrowFunctionExpression':
      return makeFunction(m, n as FnNode, env)
    case 'ClassExpression':
      return UNKNOWN
    case 'SequenceExpression': {
      let v: Val
      for (const e of n.expressions) v = evalExpr(m, e, env)
      return v
    }
    case 'UnaryExpression': {
      if (n.operator === 'typeof') {
        if (n.argument.type === 'Identifier' && !env.lookup(n.argument.name)) {
          const v = m.lookup(n.argument.name, env)
          return v === UNKNOWN ? (HOST_TYPES.get(n.argument.name) ?? UNKNOWN) : typeOf(v)
        }
        return typeOf(evalExpr(m, n.argument, env))
      }
      if (n.operator === 'delete') {
        if (n.argument.type === 'MemberExpression' && n.argument.object.type !== 'Super')
          m.deleteMember(evalExpr(m, n.argument.object, env), memberKey(m, n.argument, env))
        return true
      }
      const v = evalExpr(m, n.argument, env)
      if (n.operator === 'void') return undefined
      if (n.operator === '!') {
        const t = truthy(v)
        return t === UNKNOWN ? UNKNOWN : !t
      }
      const p = toPrim(v)
      if (p === UNKNOWN) return UNKNOWN
      if (n.operator === '-') return -(p as number)
      if (n.operator === '+') return +(p as number)
      if (n.operator === '~') return ~(p as number)
      return UNKNOWN
    }
    case 'BinaryExpression':
      if (n.left.type === 'PrivateIdentifier') return UNKNOWN
      if (n.left.type !== 'BinaryExpression')
        return binary(n.operator, evalExpr(m, n.left, env), evalExpr(m, n.right, env))
      return binaryChain(m, n, env)
    case 'LogicalExpression': {
      const a = evalExpr(m, n.left, env)
      if (n.operator === '??') {
        if (a === UNKNOWN) throw new Abort('unknown condition')
        return a === null || a === undefined ? evalExpr(m, n.right, env) : a
      }
      const t = decide(a)
      if (n.operator === '&&') return t ? evalExpr(m, n.right, env) : a
      return t ? a : evalExpr(m, n.right, env)
    }
    case 'ConditionalExpression':
      return decide(evalExpr(m, n.test, env))
        ? evalExpr(m, n.consequent, env)
        : evalExpr(m, n.alternate, env)
    case 'AssignmentExpression': {
      const left = n.left as AnyNode
      if (left.type !== 'Identifier' && left.type !== 'MemberExpression') {
        for (const name of patternNames(left)) m.assign(name, env, UNKNOWN)
        return evalExpr(m, n.right, env)
      }
      const ref = reference(m, left, env)
      let v: Val
      if (n.operator === '=') v = evalExpr(m, n.right, env)
      else if (n.operator === '&&=' || n.operator === '||=' || n.operator === '??=')
        throw new Abort('logical assignment')
      else v = binary(n.operator.slice(0, -1), readRef(m, ref, env), evalExpr(m, n.right, env))
      writeRef(m, ref, env, v)
      return v
    }
    case 'UpdateExpression': {
      const ref = reference(m, n.argument as AnyNode, env)
      const old = toPrim(readRef(m, ref, env))
      const o = old === UNKNOWN ? UNKNOWN : Number(old)
      const v = o === UNKNOWN ? UNKNOWN : n.operator === '++' ? o + 1 : o - 1
      writeRef(m, ref, env, v)
      return n.prefix ? v : o
    }
    case 'MemberExpression': {
      if (n.object.type === 'Super') return UNKNOWN
      const obj = evalExpr(m, n.object, env)
      if (n.optional && (obj === null || obj === undefined)) return undefined
      return m.getMember(obj, memberKey(m, n, env))
    }
    case 'CallExpression': {
      const callee = n.callee as AnyNode
      const target = calleeValue(m, callee, env)
      if (!target) return undefined
      const [fn, self] = target
      if (n.optional && (fn === null || fn === undefined)) return undefined
      const args = evalArgs(m, n.arguments as AnyNode[], env)
      // `document.querySelectorAll(s).forEach(f)`: f runs now, over items nobody knows
      if (fn === UNKNOWN && callee.type === 'MemberExpression' && ITERATORS.has(propertyOf(callee)))
        for (const a of args) if (a instanceof FnV) m.escape(a)
      return m.call(fn, self, args)
    }
    case 'NewExpression':
      return m.construct(evalExpr(m, n.callee, env), evalArgs(m, n.arguments as AnyNode[], env))
    case 'TaggedTemplateExpression': {
      // `tag\`a${x}b\``: the tag is called with the strings (cooked, and as written) and the values
      const [fn, self] = calleeValue(m, n.tag as AnyNode, env) ?? [undefined, undefined]
      const quasis = n.quasi.quasis
      const strings = new ArrV(quasis.map((q) => q.value.cooked ?? undefined))
      strings.raw = new ArrV(quasis.map((q) => q.value.raw))
      const values = n.quasi.expressions.map((e) => evalExpr(m, e, env))
      return m.call(fn, self, [strings, ...values])
    }
    default:
      throw new Abort(`unsupported ${n.type}`)
  }
}

/**
 * `a + b + c + …` nested to the left, evaluated in a loop: a chain of thousands (symbol-only
 * encodings build their text so) would overflow the call stack, one call per link.
 */
function binaryChain(m: Machine, top: AnyNode & { type: 'BinaryExpression' }, env: Env): Val {
  const chain: (AnyNode & { type: 'BinaryExpression' })[] = [top]
  let left = top.left as AnyNode
  while (left.type === 'BinaryExpression' && left.left.type !== 'PrivateIdentifier') {
    // each link counts, and is recorded as run, as when it is evaluated on its own
    m.tick()
    if (m.recording) m.ran(left)
    chain.push(left)
    left = left.left as AnyNode
  }
  let v = evalExpr(m, left, env)
  for (let i = chain.length - 1; i >= 0; i--) {
    const link = chain[i] as AnyNode & { type: 'BinaryExpression' }
    v = binary(link.operator, v, evalExpr(m, link.right as AnyNode, env))
  }
  return v
}

function evalArgs(m: Machine, args: AnyNode[], env: Env): Val[] {
  const out: Val[] = []
  for (const a of args) {
    if (a.type === 'SpreadElement') {
      const v = evalExpr(m, a.argument, env)
      if (!(v instanceof ArrV) || v.opaque) throw new Abort('unknown spread')
      out.push(...v.items)
    } else out.push(evalExpr(m, a, env))
  }
  return out
}

export { Thrown }
