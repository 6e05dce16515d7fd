import type { AnyNode, Node } from 'acorn'

// A tiny evaluator for the arithmetic javascript-obfuscator leaves behind: numbers, strings,
// + - * / %, unary minus/plus, parseInt. It never calls into the sample; unknown calls are
// answered by the caller's resolver, which only decodes string-array entries.

export type Value = string | number

export interface EvalHooks {
  /** value of a name (wrapper parameters), undefined when unknown */
  name(name: string): Value | undefined
  /** value of a call to a named function other than parseInt, undefined when unknown */
  call(callee: string, argv: Value[]): Value | undefined
  /** value of `object.key` (an argument table), undefined when unknown */
  member?(object: string, key: string): Value | undefined
}

const MAX_DEPTH = 64

export function evaluate(node: Node, hooks: EvalHooks, depth = 0): Value | undefined {
  if (depth > MAX_DEPTH) return undefined
  const n = node as AnyNode
  switch (n.type) {
    case 'Literal':
      return typeof n.value === 'number' || typeof n.value === 'string' ? n.value : undefined
    case 'Identifier':
      return hooks.name(n.name)
    case 'ParenthesizedExpression':
      return evaluate(n.expression, hooks, depth + 1)
    case 'MemberExpression': {
      if (!hooks.member || n.object.type !== 'Identifier') return undefined
      const p = n.property as AnyNode
      const key =
        !n.computed && p.type === 'Identifier'
          ? p.name
          : n.computed && p.type === 'Literal' && typeof p.value === 'string'
            ? p.value
            : undefined
      return key === undefined ? undefined : hooks.member(n.object.name, key)
    }
    case 'UnaryExpression': {
      const v = evaluate(n.argument, hooks, depth + 1)
      if (v === undefined) return undefined
      if (n.operator === '-') return -Number(v)
      if (n.operator === '+') return Number(v)
      return undefined
    }
    case 'BinaryExpression': {
      if (n.left.type === 'PrivateIdentifier') return undefined
      const a = evaluate(n.left, hooks, depth + 1)
      const b = a === undefined ? undefined : evaluate(n.right, hooks, depth + 1)
      if (a === undefined || b === undefined) return undefined
      return arithmetic(n.operator, a, b)
    }
    case 'CallExpression': {
      if (n.callee.type !== 'Identifier') return undefined
      const argv: Value[] = []
      for (const a of n.arguments) {
        if (a.type === 'SpreadElement') return undefined
        const v = evaluate(a, hooks, depth + 1)
        if (v === undefined) return undefined
        argv.push(v)
      }
      if (n.callee.name === 'parseInt')
        return argv[1] === undefined
          ? parseInt(String(argv[0]))
          : parseInt(String(argv[0]), Number(argv[1]))
      return hooks.call(n.callee.name, argv)
    }
    default:
      return undefined
  }
}

function arithmetic(op: string, a: Value, b: Value): Value | undefined {
  switch (op) {
    case '+':
      return typeof a === 'number' && typeof b === 'number' ? a + b : String(a) + String(b)
    case '-':
      return Number(a) - Number(b)
    case '*':
      return Number(a) * Number(b)
    case '/':
      return Number(a) / Number(b)
    case '%':
      return Number(a) % Number(b)
    default:
      return undefined
  }
}

/** No names known: call-site arguments are literals. */
export const NO_NAMES: EvalHooks = { name: () => undefined, call: () => undefined }
