import type { AnyNode } from 'acorn'
import type { FnV } from './values.ts'

// Proxy functions kept in an object of constants (`o.f(a, b)` where f is `return a + b`):
// the call is replaced by the function's expression over the call's own argument text.

const MAX_BODY = 400

/** The expression a proxy call stands for, or undefined when the callee is not a pure proxy. */
export function inlineProxy(
  fn: FnV,
  call: AnyNode & { type: 'CallExpression' },
  source: string,
): string | undefined {
  const f = fn.node as AnyNode & { params: AnyNode[]; body: AnyNode }
  let expr: AnyNode | undefined
  if (f.body.type === 'BlockStatement') {
    const body = f.body.body as AnyNode[]
    const last = body[body.length - 1]
    const names = f.params.map((p) => (p.type === 'Identifier' ? p.name : ''))
    if (
      last?.type === 'ReturnStatement' &&
      last.argument &&
      body.slice(0, -1).every((s) => inertDeclaration(s, names))
    )
      expr = last.argument as AnyNode
  } else expr = f.body
  if (!expr || expr.end - expr.start > MAX_BODY) return undefined
  const params = f.params.map((p) => (p.type === 'Identifier' ? p.name : undefined))
  const args = call.arguments as AnyNode[]
  if (params.some((p) => p === undefined) || args.length !== params.length) return undefined
  if (args.some((a) => a.type === 'SpreadElement')) return undefined
  const uses: { start: number; end: number; index: number }[] = []
  let pure = true
  const visit = (n: AnyNode): void => {
    if (!pure) return
    switch (n.type) {
      case 'Identifier': {
        const i = params.indexOf(n.name)
        if (i < 0 || uses.some((u) => u.index === i)) pure = false
        else uses.push({ start: n.start, end: n.end, index: i })
        return
      }
      case 'Literal':
        return
      case 'MemberExpression':
        visit(n.object as AnyNode)
        if (n.computed) visit(n.property as AnyNode)
        return
      case 'BinaryExpression':
      case 'LogicalExpression':
        visit(n.left as AnyNode)
        visit(n.right as AnyNode)
        return
      case 'UnaryExpression':
        visit(n.argument as AnyNode)
        return
      case 'CallExpression':
      case 'NewExpression':
        visit(n.callee as AnyNode)
        for (const a of n.arguments) visit(a as AnyNode)
        return
      default:
        pure = false
    }
  }
  visit(expr)
  if (!pure) return undefined
  let out = ''
  let at = expr.start
  for (const u of uses.sort((a, b) => a.start - b.start)) {
    const arg = args[u.index] as AnyNode
    out += source.slice(at, u.start) + `(${source.slice(arg.start, arg.end)})`
    at = u.end
  }
  out += source.slice(at, expr.end)
  return `(${out})`
}

/**
 * `var d = decoder, o = { k: function (a, b) { … } }` before the return: declarations that run
 * nothing, which an obfuscator leaves behind once their use was resolved. The return may not
 * read them (the purity check rejects any name but a parameter), nor may they shadow one.
 */
function inertDeclaration(s: AnyNode, params: string[]): boolean {
  if (s.type !== 'VariableDeclaration') return false
  return s.declarations.every(
    (d) =>
      d.id.type === 'Identifier' &&
      !params.includes(d.id.name) &&
      (!d.init || inertValue(d.init as AnyNode)),
  )
}

function inertValue(n: AnyNode): boolean {
  switch (n.type) {
    case 'Identifier':
    case 'Literal':
    case 'FunctionExpression':
    case 'ArrowFunctionExpression':
      return true
    case 'ObjectExpression':
      return n.properties.every(
        (p) => p.type === 'Property' && !p.computed && inertValue(p.value as AnyNode),
      )
    default:
      return false
  }
}
