import { describe, expect, it } from 'vitest'
import { analyzeScript } from '../../detector/index.ts'
import { getLineInfo } from 'acorn'
import { obfuscatorShape, shapeWatch } from '../../detector/deobfuscate/obfuscator.ts'
import { lineStarts, positionIn } from '../../detector/deobfuscate/splice.ts'
import { parseStrict, readSource, type Parsed } from '../../detector/parse.ts'
import { obfuscated } from '../../fixtures/samples/dress.ts'
import { loadSamples } from '../../fixtures/samples/load.ts'

/** Nodes with children reachable from the root, and how many times a tree walk reaches one. */
function census(root: unknown): { visits: number; unique: number } {
  const unique = new Set<object>()
  let visits = 0
  const stack: unknown[] = [root]
  while (stack.length > 0) {
    const n = stack.pop()
    if (Array.isArray(n)) stack.push(...(n as unknown[]))
    else if (n && typeof n === 'object' && typeof (n as { type?: unknown }).type === 'string') {
      if ((n as { type: string }).type !== 'Identifier') {
        visits++
        unique.add(n)
      }
      for (const [k, v] of Object.entries(n))
        if (k !== 'loc' && v && typeof v === 'object') stack.push(v)
    }
  }
  return { visits, unique: unique.size }
}

// Broken code that makes acorn-loose reuse a node as both key and value of a property.
function tangled(depth: number): string {
  const cycle: [string, string][] = [
    ['[', ']'],
    ['[', ']'],
    ['eval(', ')'],
    ['if(a){', '}'],
  ]
  let open = 'x='
  let close = ''
  for (let i = 0; i < depth; i++) {
    const [o, c] = cycle[i % cycle.length] ?? ['(', ')']
    open += o
    close = c + close
  }
  return `${open}x${close}`
}

function parsed(source: string): Parsed {
  const got = readSource(source)
  if (typeof got === 'string') throw new Error(`acorn-loose could not read it: ${got}`)
  return got
}

describe('parsing', () => {
  it('gives walkers a tree even where acorn-loose shares nodes', () => {
    const p = parsed(tangled(40))
    expect(p.loose).toBe(true)
    const { visits, unique } = census(p.ast)
    expect(unique).toBeGreaterThan(40)
    expect(visits).toBe(unique)
  })

  it('a few hundred bytes of such code are judged in bounded time (they used to exhaust memory)', () => {
    const started = performance.now()
    const v = analyzeScript(tangled(200))
    expect(v.verdict).toBe('clean')
    expect(performance.now() - started).toBeLessThan(20_000)
  })

  it('gives an unterminated regex an empty pattern, so no rule trips over it', () => {
    for (const src of ['*/ == ', 'x = a /= b', ')/']) {
      const v = analyzeScript(src)
      expect(
        v.findings.filter((f) => f.rule === 'analysis-error'),
        src,
      ).toEqual([])
    }
  })

  it('code not even acorn-loose can read is not JavaScript, and YARA still reads it', () => {
    const src = '??\tdelete/[a-z]+/gi\\u0061\nbreak\t'
    expect(typeof readSource(src)).toBe('string')
    const v = analyzeScript(src)
    expect(v.findings.map((f) => f.rule)).toEqual(['not-javascript'])
    expect(v.findings[0]?.message).toMatch(/no parser can read/)
  })

  it('keeps shared leaves, which carry meaning (shorthand properties)', () => {
    const p = parsed('var o = {card}; )(')
    expect(p.loose).toBe(true)
    expect(JSON.stringify(p.ast)).toContain('"value":{"type":"Identifier","start":9,"end":13')
  })
})

describe('facts the parser gathers as it goes', () => {
  const sources = loadSamples().map((s) => s.source)

  it('sees javascript-obfuscator’s layout exactly where a walk of the finished tree does', () => {
    const texts = [...sources, ...sources.slice(0, 12).map((s) => obfuscated(s))]
    let shaped = 0
    for (const text of texts) {
      const watch = shapeWatch()
      const ast = parseStrict(text, watch.watch)
      if (!ast) continue
      expect(watch.found()).toBe(obfuscatorShape(ast))
      if (watch.found()) shaped++
    }
    // the comparison means something only when both answers occur
    expect(shaped).toBeGreaterThanOrEqual(12)
    expect(shaped).toBeLessThan(texts.length)
  })

  it('numbers lines from offsets as acorn would, with every line break JavaScript knows', () => {
    const text = 'a = 1\r\nb = 2\rc = 3\u2028d = 4\u2029e = "x"\nf = 6'
    const starts = lineStarts(text)
    // a node never starts on a line break: compare where code can be
    for (let offset = 0; offset < text.length; offset++)
      if (!/[\r\n\u2028\u2029]/.test(text[offset] ?? ''))
        expect(positionIn(starts, offset)).toEqual(getLineInfo(text, offset))
  })
})
