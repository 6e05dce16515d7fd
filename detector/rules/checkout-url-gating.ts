import type { AnyNode } from 'acorn'
import { CHECKOUT_URL } from '../patterns.ts'
import type { Layer, ScriptFacts } from '../facts.ts'
import { propertyName } from '../deobfuscate/fold.ts'
import { pathOf } from '../paths.ts'
import { eachChild } from '../children.ts'
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

const LOCATION_PATH = /location|\bURL\b|href|pathname/

/** `location.pathname`, `window.location.href.toLowerCase()`, or a name given one of those. */
function readsAddress(n: AnyNode, layer: Layer): boolean {
  const x = n.type === 'Identifier' ? ((layer.initOf(n) as AnyNode | undefined) ?? n) : n
  return x.type !== 'Identifier' && LOCATION_PATH.test(pathOf(x))
}

/** The page's own address (`location…`, `document.URL`), not any link's `href`. */
const PAGE_LOCATION = /(?:^|\.)location(?:\.|$)|\bdocument\.URL\b/

function readsPageAddress(n: AnyNode, layer: Layer): boolean {
  const x = n.type === 'Identifier' ? ((layer.initOf(n) as AnyNode | undefined) ?? n) : n
  return x.type !== 'Identifier' && PAGE_LOCATION.test(pathOf(x))
}

/** What a name, or a property of an object a name holds, was given when it was made. */
function heldBy(n: AnyNode, layer: Layer): AnyNode | undefined {
  if (n.type === 'Identifier') return layer.initOf(n) as AnyNode | undefined
  if (n.type !== 'MemberExpression' || n.object.type !== 'Identifier') return undefined
  const name = propertyName(n)
  const object = layer.initOf(n.object) as AnyNode | undefined
  if (name === undefined || object?.type !== 'ObjectExpression') return undefined
  for (const p of object.properties) {
    if (p.type !== 'Property' || p.computed) continue
    const key = p.key as AnyNode
    const keyName = key.type === 'Identifier' ? key.name : key.type === 'Literal' ? key.value : ''
    if (keyName === name) return p.value as AnyNode
  }
  return undefined
}

/** Each node's parent, made once per tree when a negated test is first asked about. */
const PARENTS = new WeakMap<object, Map<AnyNode, AnyNode>>()

function parentsOf(root: AnyNode): Map<AnyNode, AnyNode> {
  let parents = PARENTS.get(root)
  if (parents) return parents
  parents = new Map()
  const stack = [root]
  while (stack.length > 0) {
    const n = stack.pop() as AnyNode
    eachChild(n, (c) => {
      ;(parents as Map<AnyNode, AnyNode>).set(c, n)
      stack.push(c)
    })
  }
  PARENTS.set(root, parents)
  return parents
}

/** The nodes from the root down to `target`, outermost first. */
function pathTo(root: AnyNode, target: AnyNode): AnyNode[] {
  const parents = parentsOf(root)
  const path: AnyNode[] = []
  for (let cur: AnyNode | undefined = target; cur; cur = parents.get(cur)) path.push(cur)
  return path.reverse()
}

/** A statement that leaves: `return`, `throw`, `continue`, `break`, a block ending with one. */
function exits(s: AnyNode): boolean {
  if (
    s.type === 'ReturnStatement' ||
    s.type === 'ThrowStatement' ||
    s.type === 'ContinueStatement' ||
    s.type === 'BreakStatement'
  )
    return true
  if (s.type === 'IfStatement')
    return exits(s.consequent as AnyNode) && !!s.alternate && exits(s.alternate as AnyNode)
  const last =
    s.type === 'BlockStatement' ? (s.body[s.body.length - 1] as AnyNode | undefined) : undefined
  return last !== undefined && exits(last)
}

/**
 * A checkout test the code acts on only when it fails: `!re.test(path) && show()`,
 * `if (!re.test(path)) { show() }`. The page is then told apart from the checkout, not picked
 * out: `if (!re.test(path)) return` still gates the code after it on the checkout.
 */
function actsOffCheckout(call: AnyNode, layer: Layer): boolean {
  const path = pathTo(layer.ast as AnyNode, call)
  let i = path.length - 1
  let negations = 0
  while (
    i > 0 &&
    path[i - 1]?.type === 'UnaryExpression' &&
    (path[i - 1] as AnyNode & { operator: string }).operator === '!'
  ) {
    negations++
    i--
  }
  if (negations % 2 === 0) return false
  // through `&&` chains: each part runs only where the failed test let it
  while (
    i > 0 &&
    path[i - 1]?.type === 'LogicalExpression' &&
    (path[i - 1] as AnyNode & { operator: string }).operator === '&&'
  )
    i--
  const holder = path[i - 1]
  const inner = path[i]
  if (holder?.type === 'IfStatement' && holder.test === inner)
    return !exits(holder.consequent as AnyNode) && !holder.alternate
  // a statement of its own, or one of a sequence of them (`a(), !t && b()`)
  const statement = holder?.type === 'ExpressionStatement' || holder?.type === 'SequenceExpression'
  return statement && inner?.type === 'LogicalExpression'
}

/** Where the script tests the page URL for checkout words, and the words; none: undefined. */
export function checkoutGate(script: ScriptFacts): Evidence | undefined {
  for (const c of script.calls) {
    if (!TESTS.has(c.name)) continue
    const callee = (c.node as AnyNode & { type: 'CallExpression' }).callee as AnyNode
    if (callee.type !== 'MemberExpression' || callee.object.type === 'Super') continue
    // the checkout word, and whether its pattern is kept in a name: `var gate = /checkout/;
    // gate.test(path)`, `var cfg = { m: /checkout/ }; cfg.m.test(path)`, `path.match(cfg.m)`
    const parts = [callee.object, ...c.args].map((n) => {
      const init = heldBy(n as AnyNode, c.layer)
      const r = (init ?? n) as AnyNode
      if (r.type === 'Literal' && r.regex) return { w: r.regex.pattern, held: init !== undefined }
      // `new RegExp('onepage|checkout')`: the pattern is its first argument
      if (
        (r.type === 'NewExpression' || r.type === 'CallExpression') &&
        r.callee.type === 'Identifier' &&
        r.callee.name === 'RegExp' &&
        r.arguments[0]
      )
        return { w: c.layer.folder.foldString(r.arguments[0]), held: false }
      return { w: c.layer.folder.foldString(n), held: false }
    })
    const found = parts.findIndex(
      ({ w }) => w !== undefined && w.length < 300 && CHECKOUT_URL.test(w),
    )
    if (found === -1) continue
    const { w: word, held } = parts[found] as { w: string; held: boolean }
    // a pattern kept in a name is common in libraries: then the tested text itself (the other
    // side of the call) must be read from the page's address, not merely touched by it
    // somewhere (flow-insensitive taint)
    const onLocation = held
      ? found === 0
        ? c.args.some((a) => readsAddress(a as AnyNode, c.layer))
        : readsPageAddress(callee.object, c.layer)
      : LOCATION_PATH.test(c.object) ||
        c.layer.taint(callee.object).has('location') ||
        c.args.some((a) => c.layer.taint(a).has('location'))
    if (onLocation && !actsOffCheckout(c.node as AnyNode, c.layer))
      return { site: c.site, message: `acts only on pages matching "${word.slice(0, 60)}"` }
  }
  return comparedGate(script)
}

/** A checkout word starting a word or path segment: `checkout`, `/onepage/`, not `border-box`. */
const CHECKOUT_WORD = new RegExp(`(?:^|[^a-z])(?:${CHECKOUT_URL.source})`, 'i')

/** The page's path or whole address (not its host name, which names a site, not a page). */
const PAGE_ADDRESS =
  /^(?:(?:window|self|top|document)\.)?location(?:\.(?:pathname|href))?$|^document\.URL$/
/** A bare host name: `cdn.checkout.com` is where a script is, not a page of the shop. */
const HOST_NAME = /^[a-z0-9-]+(?:\.[a-z0-9-]+)+$/i

/** The address itself, or a name ever given it (`var p = location.pathname; p = p.replace(…)`). */
function holdsAddress(n: AnyNode, layer: Layer): boolean {
  const values = n.type === 'Identifier' ? layer.valuesOf(n) : [n]
  return values.some((v) => {
    const x = v as AnyNode
    return x.type !== 'Identifier' && PAGE_ADDRESS.test(pathOf(x))
  })
}

/** `path == atob('Y2hlY2tvdXQ=')`: the page's address compared whole with a checkout word. */
function comparedGate(script: ScriptFacts): Evidence | undefined {
  for (const { node, layer } of script.comparisons) {
    const n = node as AnyNode & { type: 'BinaryExpression' }
    const sides = [n.left, n.right] as AnyNode[]
    for (const [i, side] of sides.entries()) {
      const word = side.type === 'Literal' ? side.value : layer.folder.foldString(side)
      if (typeof word !== 'string' || word.length >= 300 || HOST_NAME.test(word)) continue
      if (!CHECKOUT_WORD.test(word)) continue
      if (!holdsAddress(sides[1 - i] as AnyNode, layer)) continue
      return { site: layer.siteOf(node), message: `acts only on the page "${word.slice(0, 60)}"` }
    }
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
