import type { Finding } from '../core/types.ts'
import type { ScriptFacts, Site } from './facts.ts'
import { DECODERS, type Focus } from './deobfuscate/partial.ts'
import { lineStarts } from './deobfuscate/splice.ts'
import { CARD_FIELD } from './patterns.ts'
import {
  CODE_PROPS,
  CODE_RUNNERS,
  FIELD_QUERIES,
  MARKUP_PROPS,
  SENDERS,
  TIMERS,
  URL_PROPS,
} from './triage.ts'

// In a large file (a library, a bundle, a skimmer injected into one) the partial evaluator
// resolves only the functions where a first look saw something: what the file hides still
// shows there (a sink, a decoder, a code runner, card field names, a finding). Every other
// function is left as written; the program's own run is still simulated as a whole.

/** Files larger than this get a focused evaluation; smaller ones are resolved everywhere. */
export const FOCUS_BYTES = 100 * 1024

/** Calls whose arguments the evaluator may have to work out: triage's senders, runners and
 * field queries, the evaluator's decoders, and the elements and storage a skimmer works with. */
const WORTH_RESOLVING = new Set([
  ...SENDERS,
  ...CODE_RUNNERS,
  ...TIMERS,
  ...FIELD_QUERIES,
  'get',
  'getJSON',
  'getScript',
  'EventSource',
  'Audio',
  'createElement',
  'setAttribute',
  'appendChild',
  'insertAdjacentHTML',
  'write',
  'writeln',
  'importScripts',
  ...DECODERS,
  'apply',
  'call',
  'btoa',
  'charCodeAt',
  'setItem',
  'getItem',
  // handlers: what they compare typed fields against may be hidden too
  'addEventListener',
  'attachEvent',
  'on',
])

/** Assigned properties that fetch or run what they are given (triage's own lists). */
const fetchingProp = (target: string): boolean =>
  URL_PROPS.test(target) || MARKUP_PROPS.test(target) || CODE_PROPS.test(target)

/**
 * Which functions of a large file are worth resolving, by their place in the file: those that
 * hold one of the places the first look found something. Undefined (resolve everything) for
 * small files, and when the first look read decoded layers, whose places are not the file's.
 */
export function focusOf(facts: ScriptFacts, findings: readonly Finding[]): Focus | undefined {
  const source = facts.source
  if (source.length <= FOCUS_BYTES || facts.layers.length > 0 || facts.packed.length > 0)
    return undefined
  const starts = lineStarts(source)
  const at: number[] = []
  const add = (line: number, column: number): void => {
    const lineStart = starts[line - 1]
    if (lineStart !== undefined) at.push(lineStart + column)
  }
  const addSite = (site: Site): void => {
    if (site.layer === 0) add(site.line, site.column)
  }
  for (const f of findings) if (f.points > 0) add(f.line, f.column)
  for (const s of facts.sinks) addSite(s.site)
  for (const c of facts.calls) if (WORTH_RESOLVING.has(c.name)) addSite(c.site)
  for (const a of facts.assigns) if (fetchingProp(a.target)) addSite(a.site)
  for (const s of facts.strings) if (CARD_FIELD.test(s.value.slice(0, 2000))) addSite(s.site)
  for (const r of facts.regexes) if (CARD_FIELD.test(r.pattern)) addSite(r.site)
  for (const k of facts.keyCalls) at.push(k.start)
  for (const site of [...facts.debuggerTraps, ...facts.sizeChecks, ...facts.coercions])
    addSite(site)
  at.sort((a, b) => a - b)
  return (start, end) => {
    // the first place at or after `start`
    let lo = 0
    let hi = at.length
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if ((at[mid] as number) < start) lo = mid + 1
      else hi = mid
    }
    return lo < at.length && (at[lo] as number) < end
  }
}
