// The detector's collected facts for a snippet, for tests that look below the verdict.
import { collectLayer } from '../../../detector/collect.ts'
import { emptyFacts, type ScriptFacts } from '../../../detector/facts.ts'
import { parseSource } from '../../../detector/parse.ts'
import { findSinks } from '../../../detector/sinks.ts'

export function factsOf(source: string, opts: { sinks?: boolean } = {}): ScriptFacts {
  const facts = emptyFacts(source, '')
  const { ast } = parseSource(source)
  collectLayer({ ast, source, depth: 0, outer: undefined }, facts, { bytesLeft: 1 << 20 })
  if (opts.sinks) facts.sinks = findSinks(facts, {})
  return facts
}
