import type { AnyNode, Node } from 'acorn'
import { walkFull } from '../walk.ts'
import type { Edit } from './splice.ts'
import { propertyName, keyName } from './fold.ts'
import { dotted, quote } from './string-array.ts'

// javascript-obfuscator's transformObjectKeys builds an object key by key right after declaring
// it empty (`var o = {}; o['url'] = 'https://…', o.add = function (a, b) { return a + b };`).
// Written back as one literal, the object is what the storage pass and the evaluator read.

type Statement = AnyNode

/** Values whose evaluation cannot see the object half built: no calls, no reads of the object. */
function settledValue(n: AnyNode, name: string): boolean {
  switch (n.type) {
    case 'Literal':
    case 'FunctionExpression':
    case 'ArrowFunctionExpression':
      return true
    case 'Identifier':
      return n.name !== name
    case 'TemplateLiteral':
      return n.expressions.length === 0
    case 'UnaryExpression':
      return settledValue(n.argument as AnyNode, name)
    case 'BinaryExpression':
      return (
        n.left.type !== 'PrivateIdentifier' &&
        settledValue(n.left as AnyNode, name) &&
        settledValue(n.right as AnyNode, name)
      )
    case 'MemberExpression':
      return (
        !n.computed &&
        n.object.type === 'Identifier' &&
        n.object.name !== name &&
        n.property.type === 'Identifier'
      )
    default:
      return false
  }
}

/** `o['k'] = v` or `o.k = v`: the key and value, when `o` is `name` and v is settled. */
function keyWrite(e: AnyNode, name: string): { key: string; value: AnyNode } | undefined {
  if (e.type !== 'AssignmentExpression' || e.operator !== '=') return undefined
  const left = e.left as AnyNode
  if (left.type !== 'MemberExpression' || left.object.type !== 'Identifier') return undefined
  if (left.object.name !== name) return undefined
  const key = propertyName(left)
  if (key === undefined || key === '__proto__') return undefined
  const value = e.right as AnyNode
  return settledValue(value, name) ? { key, value } : undefined
}

/** Every write of an expression statement, or undefined when any is not a key write. */
function keyWrites(s: Statement, name: string): { key: string; value: AnyNode }[] | undefined {
  if (s.type !== 'ExpressionStatement') return undefined
  const e = s.expression as AnyNode
  const parts = e.type === 'SequenceExpression' ? (e.expressions as AnyNode[]) : [e]
  const out: { key: string; value: AnyNode }[] = []
  for (const part of parts) {
    const w = keyWrite(part, name)
    if (!w) return undefined
    out.push(w)
  }
  return out
}

/** The empty (or plain) object literal a statement's last declarator starts. */
function emptyObject(
  s: Statement,
): { name: string; literal: AnyNode & { type: 'ObjectExpression' } } | undefined {
  if (s.type !== 'VariableDeclaration') return undefined
  const d = s.declarations[s.declarations.length - 1] as AnyNode | undefined
  if (d?.type !== 'VariableDeclarator' || d.id.type !== 'Identifier') return undefined
  const init = d.init as AnyNode | null
  if (init?.type !== 'ObjectExpression') return undefined
  // only plain `key: value` entries stay as they are written
  if (
    init.properties.some(
      (p) =>
        p.type !== 'Property' ||
        p.kind !== 'init' ||
        p.computed ||
        keyName(p.key as AnyNode) === '__proto__',
    )
  )
    return undefined
  return { name: d.id.name, literal: init }
}

function collapse(body: readonly Statement[], source: string, edits: Edit[]): void {
  for (let i = 0; i < body.length; i++) {
    const decl = emptyObject(body[i] as Statement)
    if (!decl) continue
    const entries: string[] = []
    const consumed: Statement[] = []
    // function declarations between the writes are hoisted: they run nothing there
    for (let j = i + 1; j < body.length; j++) {
      const s = body[j] as Statement
      if (s.type === 'FunctionDeclaration' || s.type === 'EmptyStatement') continue
      const writes = keyWrites(s, decl.name)
      if (!writes) break
      for (const w of writes)
        entries.push(`${quote(w.key)}:${source.slice(w.value.start, w.value.end)}`)
      consumed.push(s)
    }
    if (consumed.length === 0) continue
    const own = decl.literal.properties.map((p) => source.slice(p.start, p.end))
    edits.push({
      start: decl.literal.start,
      end: decl.literal.end,
      text: `{${[...own, ...entries].join(',')}}`,
    })
    for (const s of consumed) edits.push({ start: s.start, end: s.end, text: ';' })
  }
}

/** Edits that write objects built key by key as literals; undefined when there are none. */
export function objectKeyEdits(ast: Node, source: string): Edit[] | undefined {
  const edits: Edit[] = []
  walkFull(ast, (n) => {
    if (n.type === 'Program' || n.type === 'BlockStatement' || n.type === 'StaticBlock')
      collapse(n.body as Statement[], source, edits)
    else if (n.type === 'SwitchCase') collapse(n.consequent as Statement[], source, edits)
  })
  return edits.length > 0 ? edits : undefined
}

/**
 * `o['send']()`, `new Ajax[('Request')](…)`: a member named by a string literal, written with a
 * dot, as the code was before the obfuscator bracketed it. Rules read either spelling; a name
 * some rule follows by its literal spelling (a method called by name) reads this one.
 */
export function literalMemberEdits(ast: Node, source: string): Edit[] | undefined {
  const edits: Edit[] = []
  walkFull(ast, (n) => {
    if (n.type !== 'MemberExpression' || !n.computed) return
    const p = n.property as AnyNode
    if (p.type !== 'Literal' || typeof p.value !== 'string') return
    const edit = dotted(source, n as AnyNode & { type: 'MemberExpression' }, p.value)
    if (edit) edits.push(edit)
  })
  return edits.length > 0 ? edits : undefined
}
