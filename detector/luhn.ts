import type { AnyNode, Node } from 'acorn'
import type { ScopeHooks } from './walk.ts'

// The Luhn checksum, as code computes it: the digits summed with every second one doubled
// (less 9 when over 9, or through the table 0 2 4 6 8 1 3 5 7 9), the sum taken modulo 10.
// A function that does all three checks whether a value is a card number: what it is handed
// is a card number, whatever the field it came from is named.

const MOD_TEN = 1
const DOUBLED = 2
const LESS_NINE = 4
const ALL = MOD_TEN | DOUBLED | LESS_NINE
const DOUBLED_DIGITS = '0,2,4,6,8,1,3,5,7,9'

const isFunction = (n: AnyNode): boolean =>
  n.type === 'FunctionDeclaration' ||
  n.type === 'FunctionExpression' ||
  n.type === 'ArrowFunctionExpression'

const isNumber = (n: AnyNode, value: number): boolean => n.type === 'Literal' && n.value === value

/** What of the checksum one node computes, as bits. */
function partOf(n: AnyNode): number {
  switch (n.type) {
    case 'BinaryExpression': {
      const l = n.left as AnyNode
      const r = n.right as AnyNode
      if (n.operator === '%' && isNumber(r, 10)) return MOD_TEN
      if (n.operator === '*' && (isNumber(r, 2) || isNumber(l, 2))) return DOUBLED
      if (/^(-|>|>=)$/.test(n.operator) && isNumber(r, 9)) return LESS_NINE
      return 0
    }
    case 'AssignmentExpression':
      if (n.operator === '%=' && isNumber(n.right as AnyNode, 10)) return MOD_TEN
      if (n.operator === '*=' && isNumber(n.right as AnyNode, 2)) return DOUBLED
      return n.operator === '-=' && isNumber(n.right as AnyNode, 9) ? LESS_NINE : 0
    case 'ArrayExpression':
      return n.elements.length === 10 &&
        n.elements.map((e) => (e?.type === 'Literal' ? e.value : '')).join(',') === DOUBLED_DIGITS
        ? DOUBLED | LESS_NINE
        : 0
    default:
      return 0
  }
}

export interface LuhnTracker {
  /** the walker's hooks, around `inner`'s */
  hooks: ScopeHooks
  /** a binary or assignment expression, or an array literal, the walker visits */
  visit(n: AnyNode): void
  /** functions that compute the checksum */
  found: Node[]
}

/**
 * Follows one walk of a layer: the parts of the checksum each function computes in its own
 * body (a table defined outside the function counts for the function that holds it).
 */
export function luhnTracker(inner: ScopeHooks): LuhnTracker {
  const frames: number[] = []
  const found: Node[] = []
  return {
    found,
    hooks: {
      enter(node) {
        inner.enter(node)
        if (isFunction(node as AnyNode)) frames.push(0)
      },
      leave(node) {
        if (isFunction(node as AnyNode) && (frames.pop() ?? 0) === ALL) found.push(node)
        inner.leave(node)
      },
    },
    visit(n) {
      if (frames.length === 0) return
      const part = partOf(n)
      if (part !== 0) frames[frames.length - 1]! |= part
    },
  }
}
