import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { analyzeScript } from '../../detector/index.ts'

const jquery = readFileSync(
  join(import.meta.dirname, '../../node_modules/jquery/dist/jquery.min.js'),
  'utf8',
)

function timed<T>(f: () => T): [T, number] {
  const t0 = performance.now()
  const r = f()
  return [r, performance.now() - t0]
}

describe('detector budgets', () => {
  it('jquery.min.js is clean, without findings above info, and fast', () => {
    analyzeScript(jquery)
    const [v, ms] = timed(() => analyzeScript(jquery))
    expect(v.verdict).toBe('clean')
    expect(v.score).toBeLessThan(30)
    expect(v.findings.filter((f) => f.severity !== 'info')).toEqual([])
    expect(ms).toBeLessThan(1500)
  })

  it('HTML and binary input are reported as not-javascript', () => {
    for (const input of [
      '<!doctype html><html><body><p>Shop</p></body></html>',
      '\u0000\u0001\u0002PNG\u0000\u0000\u0003\u0004'.repeat(50),
    ]) {
      const v = analyzeScript(input)
      expect(v.verdict).toBe('clean')
      expect(v.findings.map((f) => f.rule)).toEqual(['not-javascript'])
    }
  })

  it('10,000-deep nesting returns an analysis-budget finding or a verdict, without throwing', () => {
    const deep = '('.repeat(10_000) + '1' + ')'.repeat(10_000)
    const arrays = '['.repeat(10_000) + ']'.repeat(10_000)
    for (const src of [deep, arrays]) {
      const [v, ms] = timed(() => analyzeScript(src))
      expect(v.verdict).toBe('clean')
      expect(ms).toBeLessThan(5000)
    }
  })

  it('a 1 MB single line is analysed within bounded time', () => {
    const line = Array.from({ length: 45_000 }, (_, i) => `a${i}=b(${i},"x${i}")`).join(';')
    expect(line.length).toBeGreaterThan(1_000_000)
    const [v, ms] = timed(() => analyzeScript(line))
    expect(v.verdict).toBe('clean')
    expect(ms).toBeLessThan(5000)
  })

  it('a long constant concatenation chain folds without overflowing the stack', () => {
    const chain = 'var u = ' + Array.from({ length: 50_000 }, () => "'ab'").join(' + ')
    const [v, ms] = timed(() => analyzeScript(chain))
    expect(v.verdict).toBe('clean')
    expect(ms).toBeLessThan(5000)
  })

  it('inputs over the size budget get an analysis-budget finding', () => {
    const v = analyzeScript('x'.repeat(5 * 1024 * 1024 + 1))
    expect(v.findings.map((f) => f.rule)).toEqual(['analysis-budget'])
  })
})
