import type { AnyNode, Node } from 'acorn'
import type { ScopeHooks } from './walk.ts'
import { isFunctionNode } from './deobfuscate/statements.ts'

// Card-number checks, as code computes them. The Luhn checksum: the digits summed with every
// second one doubled (less 9 when over 9, or through the table 0 2 4 6 8 1 3 5 7 9), the sum
// taken modulo 10. Or the length of a card number: a value stripped to its digits, then held
// to at least 13 of them (the shortest card number) or to 13 to 19. A function that does
// either in its own body (the checksum in a loop over the digits) checks whether a value is a
// card number: what it is handed is one, whatever the field it came from is named. The parts are
// looked for in one function: a checksum spread over callbacks (`map`, then `reduce`), or
// through a table defined outside the function, is not recognised.

const MOD_TEN = 1
const DOUBLED = 2
const LESS_NINE = 4
const LOOPS = 32
const ALL = MOD_TEN | DOUBLED | LESS_NINE | LOOPS
const DIGITS_ONLY = 8
const PAN_LENGTH = 16
const LENGTH_CHECK = DIGITS_ONLY | PAN_LENGTH
const LOOP_TYPES = new Set([
  'ForStatement',
  'ForInStatement',
  'ForOfStatement',
  'WhileStatement',
  'DoWhileStatement',
])
/** `/\D/g`, `/[^0-9]/g`, `/[^\d]/g`: what strips a value to its digits */
const NOT_DIGITS = /^(?:\\D|\[\^(?:0-9|\\d)\])\+?$/

const isChecksum = (bits: number): boolean =>
  (bits & ALL) === ALL || (bits & LENGTH_CHECK) === LENGTH_CHECK
const DOUBLED_DIGITS = '0,2,4,6,8,1,3,5,7,9'

const isNumber = (n: AnyNode, value: number): boolean => n.type === 'Literal' && n.value === value

/** What of the checksum one node computes, as bits. */
function partOf(n: AnyNode): number {
  switch (n.type) {
    case 'BinaryExpression': {
      const l = n.left as AnyNode
      const r = n.right as AnyNode
      if (isPanLength(n.operator, l, r)) return PAN_LENGTH
      if (n.operator === '%' && isNumber(r, 10)) return MOD_TEN
      if (n.operator === '*' && (isNumber(r, 2) || isNumber(l, 2))) return DOUBLED
      if (/^(-|>|>=)$/.test(n.operator) && isNumber(r, 9)) return LESS_NINE
      return 0
    }
    case 'AssignmentExpression':
      if (n.operator === '%=' && isNumber(n.right as AnyNode, 10)) return MOD_TEN
      if (n.operator === '*=' && isNumber(n.right as AnyNode, 2)) return DOUBLED
      return n.operator === '-=' && isNumber(n.right as AnyNode, 9) ? LESS_NINE : 0
    case 'Literal':
      return n.regex && NOT_DIGITS.test(n.regex.pattern) && n.regex.flags.includes('g')
        ? DIGITS_ONLY
        : 0
    // `for` loops open a scope: the walker's hooks see them
    case 'WhileStatement':
    case 'DoWhileStatement':
      return LOOPS
    case 'ArrayExpression':
      return n.elements.length === 10 &&
        n.elements.map((e) => (e?.type === 'Literal' ? e.value : '')).join(',') === DOUBLED_DIGITS
        ? DOUBLED | LESS_NINE
        : 0
    default:
      return 0
  }
}

/** `x.length >= 13`, `x.length > 12`, `x.length < 13` (the refusal), `13 <= x.length` */
function isPanLength(operator: string, l: AnyNode, r: AnyNode): boolean {
  const length = (n: AnyNode): boolean =>
    n.type === 'MemberExpression' &&
    !n.computed &&
    n.property.type === 'Identifier' &&
    n.property.name === 'length'
  if (length(l) && r.type === 'Literal')
    return (
      (/^(>=|<)$/.test(operator) && r.value === 13) || (/^(>|<=)$/.test(operator) && r.value === 12)
    )
  if (length(r) && l.type === 'Literal')
    return (
      (/^(<=|>)$/.test(operator) && l.value === 13) || (/^(<|>=)$/.test(operator) && l.value === 12)
    )
  return false
}

export interface LuhnTracker {
  /** the walker's hooks, around `inner`'s */
  hooks: ScopeHooks
  /** a binary or assignment expression, an array or regex literal, a while loop the walker visits */
  visit(n: AnyNode): void
  /** functions that compute the checksum */
  found: Node[]
}

/**
 * Follows one walk of a layer: the parts of a card-number check each function computes in its
 * own body; a nested function's parts are its own, not its parent's.
 */
export function luhnTracker(inner: ScopeHooks): LuhnTracker {
  const frames: number[] = []
  const found: Node[] = []
  return {
    found,
    hooks: {
      enter(node) {
        inner.enter(node)
        if (isFunctionNode(node as AnyNode)) frames.push(0)
        else if (frames.length > 0 && LOOP_TYPES.has(node.type)) frames[frames.length - 1]! |= LOOPS
      },
      leave(node) {
        if (isFunctionNode(node as AnyNode) && isChecksum(frames.pop() ?? 0)) found.push(node)
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
