import type { AnyNode } from 'acorn'
import { CHECKOUT_URL } from '../patterns.ts'
import type { ScriptFacts } from '../facts.ts'
import type { Evidence, Rule } from './types.ts'

const TESTS = new Set([
  'indexOf',
  'includes',
  'search',
  'match',
  'test',
  'startsWith',
  'endsWith',
  'exec',
])

/** Where the script tests the page URL for checkout words, and the words; none: undefined. */
export function checkoutGate(script: ScriptFacts): Evidence | undefined {
  for (const c of script.calls) {
    if (!TESTS.has(c.name)) continue
    const callee = (c.node as AnyNode & { type: 'CallExpression' }).callee as AnyNode
    if (callee.type !== 'MemberExpression' || callee.object.type === 'Super') continue
    const word = [callee.object, ...c.args]
      .map((n) => {
        const r = n as AnyNode
        if (r.type === 'Literal' && r.regex) return r.regex.pattern
        // `new RegExp('onepage|checkout')`: the pattern is its first argument
        if (
          (r.type === 'NewExpression' || r.type === 'CallExpression') &&
          r.callee.type === 'Identifier' &&
          r.callee.name === 'RegExp' &&
          r.arguments[0]
        )
          return c.layer.folder.foldString(r.arguments[0])
        return c.layer.folder.foldString(n)
      })
      .find((w) => w !== undefined && w.length < 300 && CHECKOUT_URL.test(w))
    if (word === undefined) continue
    const onLocation =
      /location|\bURL\b|href|pathname/.test(c.object) ||
      c.layer.taint(callee.object).has('location') ||
      c.args.some((a) => c.layer.taint(a).has('location'))
    if (onLocation)
      return { site: c.site, message: `acts only on pages matching "${word.slice(0, 60)}"` }
  }
  return undefined
}

export const checkoutUrlGating = {
  id: 'checkout-url-gating',
  severity: 'medium',
  description: 'Only acts when the page URL looks like a checkout or payment page',
  points: 15,
  check(script) {
    const gate = checkoutGate(script)
    return gate ? [gate] : []
  },
} satisfies Rule
