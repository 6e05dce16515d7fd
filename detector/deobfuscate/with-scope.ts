import type { AnyNode } from 'acorn'
import { eachChild } from '../children.ts'
import { patternNames } from '../scope.ts'
import type { Edit } from './splice.ts'

// `with (ctx) { open(m, u); send(body) }`: inside, a bare name that is a property of `ctx`
// means that property. When `ctx` is an object literal whose own names are all written out,
// those names are spelled as members (`ctx.open(ctx.m, ctx.u)`), which is what they mean, so
// every later reader (taint, sinks, rules) sees which object's members are used.

/** The names an object literal certainly has: undefined when a spread or computed key hides some. */
export function literalKeys(init: AnyNode | null | undefined): Set<string> | undefined {
  if (init?.type !== 'ObjectExpression') return undefined
  const keys = new Set<string>()
  for (const p of init.properties as AnyNode[]) {
    if (p.type !== 'Property' || p.computed) return undefined
    const key = p.key as AnyNode
    if (key.type === 'Identifier') keys.add(key.name)
    else if (key.type === 'Literal' && typeof key.value === 'string') keys.add(key.value)
    else return undefined
  }
  return keys
}

const FUNCTIONS = new Set(['FunctionDeclaration', 'FunctionExpression', 'ArrowFunctionExpression'])

/**
 * Edits spelling each bare name of `keys` read or written in the body of `stmt` as a member of
 * `object`; undefined when the body declares one of those names or the object's own name itself
 * (a parameter, a `var`, a shorthand property), where a bare name may mean the declaration.
 */
export function withNameEdits(
  stmt: AnyNode & { type: 'WithStatement' },
  object: string,
  keys: ReadonlySet<string>,
): Edit[] | undefined {
  const edits: Edit[] = []
  let declares = false
  // a body that declares one of the names, or the object's own name, may mean that declaration
  const declared = (names: readonly string[]): void => {
    if (names.some((n) => keys.has(n) || n === object)) declares = true
  }
  // `o.o` would be read as a member of the member
  if (keys.has(object)) return undefined
  const stack: AnyNode[] = [stmt.body as AnyNode]
  while (stack.length > 0 && !declares) {
    const n = stack.pop() as AnyNode
    switch (n.type) {
      case 'Identifier':
        if (keys.has(n.name))
          edits.push({ start: n.start, end: n.end, text: `${object}.${n.name}` })
        continue
      case 'MemberExpression':
        stack.push(n.object as AnyNode)
        if (n.computed) stack.push(n.property as AnyNode)
        continue
      case 'Property':
        if (n.shorthand) declared([(n.key as AnyNode & { name: string }).name])
        if (n.computed) stack.push(n.key as AnyNode)
        stack.push(n.value as AnyNode)
        continue
      case 'MethodDefinition':
      case 'PropertyDefinition':
        if (n.computed) stack.push(n.key as AnyNode)
        if (n.value) stack.push(n.value as AnyNode)
        continue
      case 'VariableDeclarator':
        declared(patternNames(n.id as AnyNode))
        if (n.init) stack.push(n.init as AnyNode)
        continue
      case 'ClassDeclaration':
      case 'ClassExpression':
        if (n.id) declared([n.id.name])
        stack.push(n.body as AnyNode)
        if (n.superClass) stack.push(n.superClass as AnyNode)
        continue
      case 'CatchClause':
        if (n.param) declared(patternNames(n.param as AnyNode))
        stack.push(n.body as AnyNode)
        continue
      case 'LabeledStatement':
        stack.push(n.body as AnyNode)
        continue
      case 'BreakStatement':
      case 'ContinueStatement':
      case 'MetaProperty':
        continue
      default:
        if (FUNCTIONS.has(n.type)) {
          const f = n as AnyNode & { id?: AnyNode | null; params: AnyNode[]; body: AnyNode }
          if (f.id && f.id.type === 'Identifier') declared([f.id.name])
          for (const p of f.params) declared(patternNames(p))
          declared(['arguments'])
          stack.push(f.body)
          continue
        }
        eachChild(n, (c) => {
          stack.push(c)
        })
    }
  }
  return declares ? undefined : edits
}
