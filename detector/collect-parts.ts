import type { AnyNode, Node } from 'acorn'
import * as walk from 'acorn-walk'
import { calleeName, propertyName, type DecodeKind } from './deobfuscate/fold.ts'
import type { ScriptFacts, Site } from './facts.ts'
import { snippetOf } from './paths.ts'

// Small pieces of the per-layer collection: sites, fact bookkeeping, shapes it looks for.

const LOOPS = new Set([
  'ForStatement',
  'ForInStatement',
  'ForOfStatement',
  'WhileStatement',
  'DoWhileStatement',
])

/** Shared by every plain literal; nothing appends to a fact's decode kinds. */
export const PLAIN: DecodeKind[] = []
export const ESCAPED: DecodeKind[] = ['escape']

/** A site whose snippet is cut only when a finding shows it: most sites never do. */
export class LazySite implements Site {
  constructor(
    readonly line: number,
    readonly column: number,
    readonly layer: number,
    private readonly source: string,
    readonly node: Node,
  ) {}

  get snippet(): string {
    return snippetOf(this.source, this.node)
  }
}

export function rootName(node: Node): string | undefined {
  const root = rootOf(node)
  return root.type === 'Identifier' ? root.name : undefined
}

/** The innermost object of a member chain: `a` in `a.b[c].d`. */
export function rootOf(node: Node): AnyNode {
  let cur = node as AnyNode
  while (cur.type === 'MemberExpression' && cur.object.type !== 'Super') cur = cur.object as AnyNode
  return cur
}

export function isSizeCheck(n: AnyNode & { type: 'BinaryExpression' }): boolean {
  if (n.left.type !== 'MemberExpression' || n.right.type !== 'MemberExpression') return false
  const a = propertyName(n.left)
  const b = propertyName(n.right)
  return (a === 'outerWidth' && b === 'innerWidth') || (a === 'outerHeight' && b === 'innerHeight')
}

export function collectDebuggerTraps(
  ast: Node,
  facts: ScriptFacts,
  siteOf: (n: Node) => Site,
): void {
  walk.ancestor(ast, {
    DebuggerStatement(node, _state, ancestors) {
      const trapped = ancestors.some((a, i) => {
        if (LOOPS.has(a.type)) return true
        const parent = ancestors[i - 1] as AnyNode | undefined
        if (
          !/Function/.test(a.type) ||
          parent?.type !== 'CallExpression' ||
          parent.callee.type === 'Super'
        )
          return false
        return /^set(Interval|Timeout)$/.test(calleeName(parent.callee) ?? '')
      })
      if (trapped) facts.debuggerTraps.push(siteOf(node))
    },
  })
}

export type Counts = ReturnType<typeof factCounts>

export function factCounts(f: ScriptFacts) {
  return {
    strings: f.strings.length,
    regexes: f.regexes.length,
    calls: f.calls.length,
    assigns: f.assigns.length,
    members: f.members.length,
    sizeChecks: f.sizeChecks.length,
    comparisons: f.comparisons.length,
  }
}

/** Drop the facts collected in [from, to) whose node lies inside one of `spans`. */
export function dropWithin(f: ScriptFacts, from: Counts, to: Counts, spans: Node[]): void {
  const inside = (n: Node): boolean => spans.some((s) => n.start >= s.start && n.end <= s.end)
  const atInside = (site: Site): boolean => site instanceof LazySite && inside(site.node)
  const keep = <T>(list: T[], key: keyof Counts, out: (x: T) => boolean): void => {
    const tail = list.splice(to[key]) // facts added after `to` stay as they are
    const kept = list.splice(from[key]).filter((x) => !out(x))
    list.push(...kept, ...tail)
  }
  keep(f.strings, 'strings', (s) => atInside(s.site))
  keep(f.regexes, 'regexes', (r) => atInside(r.site))
  keep(f.calls, 'calls', (c) => inside(c.node))
  keep(f.assigns, 'assigns', (a) => inside(a.node))
  keep(f.members, 'members', (m) => inside(m.node))
  keep(f.sizeChecks, 'sizeChecks', atInside)
  keep(f.comparisons, 'comparisons', (c) => inside(c.node))
}
