import type { AnyNode } from 'acorn'
import type { Edit } from './splice.ts'
import { ArrV, UNKNOWN, truthy, type Val } from './values.ts'

// Control-flow flattening: `while (true) { switch (order[i++]) { case '2': …; continue; … } break }`
// driven by a constant order. The cases are put back in the order the program runs them.

type Value = (node: AnyNode) => Val

function switchOf(loop: AnyNode): (AnyNode & { type: 'SwitchStatement' }) | undefined {
  const body = (loop as AnyNode & { body: AnyNode }).body
  if (body.type === 'SwitchStatement') return body
  if (body.type !== 'BlockStatement') return undefined
  const [first, ...rest] = body.body as AnyNode[]
  if (first?.type !== 'SwitchStatement') return undefined
  return rest.every((s) => s.type === 'BreakStatement' && !s.label) ? first : undefined
}

function alwaysTrue(loop: AnyNode, value: Value): boolean {
  if (loop.type === 'ForStatement')
    return !loop.test || truthy(value(loop.test as AnyNode)) === true
  if (loop.type === 'WhileStatement') return truthy(value(loop.test as AnyNode)) === true
  return false
}

/** Where a name was declared with an initial value, in the scope being rewritten. */
export type Inits = (name: string) => AnyNode | undefined

export function unflattenEdit(
  loop: AnyNode,
  source: string,
  value: Value,
  inits: Inits,
): Edit | undefined {
  const sw = switchOf(loop)
  if (!sw || !alwaysTrue(loop, value)) return undefined
  const d = sw.discriminant as AnyNode
  if (d.type !== 'MemberExpression' || !d.computed) return undefined
  const idx = d.property as AnyNode
  if (idx.type !== 'UpdateExpression' || idx.operator !== '++' || idx.prefix) return undefined
  const order = value(d.object as AnyNode)
  if (!(order instanceof ArrV) || order.opaque || order.items.length > 500) return undefined
  // The counter's value now is where the simulated loop stopped: start from its declaration.
  const counter = idx.argument as AnyNode
  const init = counter.type === 'Identifier' ? inits(counter.name) : undefined
  const start = init ? value(init) : 0
  const from = typeof start === 'number' && start >= 0 ? start : start === UNKNOWN ? 0 : -1
  if (from < 0) return undefined
  const cases = new Map<string, AnyNode[]>()
  for (const c of sw.cases) {
    const t = c.test as AnyNode | null
    if (t?.type !== 'Literal') return undefined
    cases.set(String(t.value), c.consequent as AnyNode[])
  }
  const parts: string[] = []
  for (const key of order.items.slice(from)) {
    const body = cases.get(String(key))
    if (!body) return undefined
    const last = body[body.length - 1]
    const stmts = last?.type === 'ContinueStatement' && !last.label ? body.slice(0, -1) : body
    for (const s of stmts) parts.push(source.slice(s.start, s.end))
  }
  return { start: loop.start, end: loop.end, text: `{${parts.join('\n')}}` }
}
