import type { ScriptFacts, Site } from '../facts.ts'
import type { AstClause, SignaturePattern } from './compile.ts'

const cache = new Map<string, RegExp>()
function re(source: string): RegExp {
  let r = cache.get(source)
  if (!r) {
    r = new RegExp(source)
    cache.set(source, r)
  }
  return r
}

/** Where one clause of a JSON AST pattern holds in the script's facts (any layer), if anywhere. */
export function matchClause(facts: ScriptFacts, c: AstClause): Site | undefined {
  if ('call' in c)
    return facts.calls.find(
      (x) =>
        re(c.call).test(x.name) &&
        (c.object === undefined || re(c.object).test(x.object)) &&
        (c.isNew === undefined || c.isNew === x.isNew) &&
        (c.arg === undefined ||
          x.args.some((a) => {
            const s = x.layer.folder.foldString(a)
            return s !== undefined && re(c.arg as string).test(s)
          })),
    )?.site
  if ('assign' in c)
    return facts.assigns.find(
      (x) =>
        re(c.assign).test(x.target) &&
        (c.object === undefined || re(c.object).test(x.object)) &&
        (c.value === undefined || re(c.value).test(x.layer.leadingString(x.value) ?? '')),
    )?.site
  if ('member' in c)
    return facts.members.find(
      (x) => re(c.member).test(x.name) && (c.object === undefined || re(c.object).test(x.object)),
    )?.site
  if ('string' in c)
    return facts.strings.find(
      (x) =>
        x.value.length < 5000 &&
        (c.decoded !== true || x.decoded.length > 0) &&
        re(c.string).test(x.value),
    )?.site
  return facts.sinks.find(
    (x) =>
      re(c.sink).test(x.kind) && (c.destination === undefined || c.destination === x.destination),
  )?.site
}

/** Site of the first clause when every clause of the pattern holds; undefined otherwise. */
export function matchAstPattern(facts: ScriptFacts, p: SignaturePattern): Site | undefined {
  let first: Site | undefined
  for (const clause of p.ast ?? []) {
    const site = matchClause(facts, clause)
    if (!site) return undefined
    first ??= site
  }
  return first
}
