import type { AnyNode, Node } from 'acorn'
import { walkFull } from '../walk.ts'
import type { Edit } from './splice.ts'

// javascript-obfuscator injects its self-defending, console-silencing, debugger and domain-lock
// code into the first functions of a file, each as `var y = once(this, function () {…}); y()`
// (a "call controller" that runs its function once). In a decoder that makes every call impure
// and the evaluator gives up on it. The pair is moved out to the end of the file: its text stays
// for the rules (a console overwrite, a debugger loop are evidence), its run leaves the function.

type Body = readonly AnyNode[]

/** `y = once(this, function () {…})`: the name and its declarator. */
function controlled(d: AnyNode): string | undefined {
  if (d.type !== 'VariableDeclarator' || d.id.type !== 'Identifier') return undefined
  const init = d.init as AnyNode | null
  if (init?.type !== 'CallExpression' || init.callee.type !== 'Identifier') return undefined
  const [self, fn] = init.arguments as AnyNode[]
  if (init.arguments.length !== 2 || self?.type !== 'ThisExpression') return undefined
  return fn?.type === 'FunctionExpression' ? d.id.name : undefined
}

/** `y();` as a whole statement. */
function callsBare(s: AnyNode, name: string): boolean {
  if (s.type !== 'ExpressionStatement') return false
  const e = s.expression as AnyNode
  return (
    e.type === 'CallExpression' &&
    e.arguments.length === 0 &&
    e.callee.type === 'Identifier' &&
    e.callee.name === name
  )
}

function moveOut(body: Body, source: string, edits: Edit[], moved: string[]): void {
  for (let i = 0; i < body.length; i++) {
    const s = body[i] as AnyNode
    if (s.type !== 'VariableDeclaration') continue
    for (const d of s.declarations as AnyNode[]) {
      const name = controlled(d)
      if (!name) continue
      const call = body.slice(i + 1).find((t) => callsBare(t, name))
      if (!call) continue
      const init = (d as AnyNode & { type: 'VariableDeclarator' }).init as AnyNode
      moved.push(`var ${name}=${source.slice(init.start, init.end)};${name}();`)
      edits.push({ start: init.start, end: init.end, text: '0' })
      edits.push({ start: call.start, end: call.end, text: ';' })
    }
  }
}

/** Edits that move call-controlled code out of the functions it was put in; undefined: none. */
export function callControllerEdits(ast: Node, source: string): Edit[] | undefined {
  const edits: Edit[] = []
  const moved: string[] = []
  walkFull(ast, (n) => {
    if (
      (n.type === 'FunctionDeclaration' ||
        n.type === 'FunctionExpression' ||
        n.type === 'ArrowFunctionExpression') &&
      n.body.type === 'BlockStatement'
    )
      moveOut(n.body.body as AnyNode[], source, edits, moved)
  })
  if (edits.length === 0) return undefined
  edits.push({ start: source.length, end: source.length, text: `\n;${moved.join('\n')}` })
  return edits
}
