import type { AnyNode, Node } from 'acorn'
import type { ConstEnv, FoldValue } from './fold.ts'
import { ARRAY_KEYS, STRING_KEYS } from './prototypes.ts'

// JavaScript's abstract ToPrimitive / ToString / ToNumber / ToBoolean over the values the
// folder knows, so JSFuck-style spellings fold: `![]+[]` is "false", `[][[]]+[]` "undefined",
// `({})+""` "[object Object]", `+!![]` 1. Nothing of the sample runs: an object whose
// conversion could call its own code (a toString of its own, a computed key) is not known.

/** A primitive as the abstract operations see it. */
export type Prim = string | number | boolean | null | undefined

/** What the folder cannot know (distinct from the value `undefined`). */
export const NOT_KNOWN: unique symbol = Symbol('not known')
export type Coerced = Prim | typeof NOT_KNOWN

const MAX_DEPTH = 16
const INDEX = /^(0|[1-9]\d*)$/

/** ToString of a folded value: arrays join their items' strings with commas. */
export function toText(v: FoldValue | Prim): string {
  if (Array.isArray(v)) return v.map((x) => toText(x)).join(',')
  return String(v)
}

/** The `+` operator on primitives: concatenation when either side is a string. */
export function plus(a: Prim, b: Prim): string | number {
  return typeof a === 'string' || typeof b === 'string'
    ? String(a) + String(b)
    : Number(a) + Number(b)
}

/** An object literal whose conversion runs no code of its own: "[object Object]". */
function plainObject(n: AnyNode & { type: 'ObjectExpression' }): boolean {
  return n.properties.every((p) => {
    if (p.type !== 'Property' || p.computed || p.kind !== 'init') return false
    const k = p.key as AnyNode
    const key = k.type === 'Identifier' ? k.name : k.type === 'Literal' ? String(k.value) : ''
    return key !== 'toString' && key !== 'valueOf' && key !== '__proto__'
  })
}

export interface Coercer {
  /** ToPrimitive of an expression's value (arrays and plain objects as their strings) */
  primitive(node: Node): Coerced
  /** ToBoolean of an expression's value */
  truth(node: Node): boolean | typeof NOT_KNOWN
}

export function createCoercer(fold: (node: Node) => FoldValue | undefined, env: ConstEnv): Coercer {
  // a name's value read through its initialiser, once at a time (`var a = a + 1` stops)
  const expanding = new Set<Node>()
  function throughName<T>(id: Node, read: (init: Node) => T): T | typeof NOT_KNOWN {
    const init = env.objectAt?.(id)
    if (!init || expanding.has(init)) return NOT_KNOWN
    expanding.add(init)
    try {
      return read(init)
    } finally {
      expanding.delete(init)
    }
  }

  function primitive(node: Node, depth = 0): Coerced {
    const v = fold(node)
    if (v !== undefined) return Array.isArray(v) ? toText(v) : v
    if (depth > MAX_DEPTH) return NOT_KNOWN
    const n = node as AnyNode
    switch (n.type) {
      case 'Literal':
        return typeof n.value === 'boolean' || n.value === null ? n.value : NOT_KNOWN
      case 'ParenthesizedExpression':
        return primitive(n.expression, depth + 1)
      case 'ArrayExpression': {
        const parts: string[] = []
        for (const el of n.elements) {
          if (el?.type === 'SpreadElement') return NOT_KNOWN
          const p = el ? primitive(el, depth + 1) : undefined
          if (p === NOT_KNOWN) return NOT_KNOWN
          parts.push(p === undefined || p === null ? '' : String(p))
        }
        return parts.join(',')
      }
      case 'ObjectExpression':
        return plainObject(n) ? '[object Object]' : NOT_KNOWN
      case 'UnaryExpression': {
        if (n.operator === 'void') return undefined
        if (n.operator === '!') {
          const t = truth(n.argument, depth + 1)
          return t === NOT_KNOWN ? NOT_KNOWN : !t
        }
        return NOT_KNOWN
      }
      case 'MemberExpression':
        return missingMember(n, depth)
      case 'Identifier':
        return throughName(n, (init) => primitive(init, depth + 1))
      default:
        return NOT_KNOWN
    }
  }

  /** A string's or plain array's property that does not exist reads `undefined`. */
  function missingMember(n: AnyNode & { type: 'MemberExpression' }, depth: number): Coerced {
    if (n.object.type === 'Super') return NOT_KNOWN
    const obj = fold(n.object)
    if (typeof obj !== 'string' && !Array.isArray(obj)) return NOT_KNOWN
    const p = n.property as AnyNode
    const key = n.computed ? primitive(p, depth + 1) : p.type === 'Identifier' ? p.name : NOT_KNOWN
    if (key === NOT_KNOWN) return NOT_KNOWN
    const k = String(key)
    // a present index or length would have folded: only absent ones are left
    if (INDEX.test(k)) return Number(k) >= obj.length ? undefined : NOT_KNOWN
    const inherited = typeof obj === 'string' ? STRING_KEYS : ARRAY_KEYS
    return k === 'length' || inherited.has(k) ? NOT_KNOWN : undefined
  }

  function truth(node: Node, depth = 0): boolean | typeof NOT_KNOWN {
    const v = fold(node)
    if (v !== undefined) return Array.isArray(v) || Boolean(v)
    const n = node as AnyNode
    switch (n.type) {
      case 'ArrayExpression':
      case 'ObjectExpression':
      case 'FunctionExpression':
      case 'ArrowFunctionExpression':
      case 'ClassExpression':
        return true
      case 'ParenthesizedExpression':
        return depth > MAX_DEPTH ? NOT_KNOWN : truth(n.expression, depth + 1)
      case 'Identifier':
        return depth > MAX_DEPTH ? NOT_KNOWN : throughName(n, (init) => truth(init, depth + 1))
      default: {
        const p = primitive(node, depth + 1)
        return p === NOT_KNOWN ? NOT_KNOWN : Boolean(p)
      }
    }
  }

  return { primitive: (node) => primitive(node), truth: (node) => truth(node) }
}
