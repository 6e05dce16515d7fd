import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { analyzeScript } from '../../detector/index.ts'
import { LOADED_MACHINE } from './detector/slow.ts'

const jquery = readFileSync(
  join(import.meta.dirname, '../../node_modules/jquery/dist/jquery.min.js'),
  'utf8',
)

// deterministic bytes that are mostly not valid UTF-8
function randomish(n: number): Uint8Array {
  const out = new Uint8Array(n)
  let x = 2463534242
  for (let i = 0; i < n; i++) {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    out[i] = x & 0xff
  }
  return out
}

// "Bounded time" is the test timeout: a hang fails it; speed itself is measured by the bench.
describe('detector budgets', LOADED_MACHINE, () => {
  it('jquery.min.js is clean, without findings above info', () => {
    const v = analyzeScript(jquery)
    expect(v.verdict).toBe('clean')
    expect(v.score).toBeLessThan(30)
    expect(v.findings.filter((f) => f.severity !== 'info')).toEqual([])
  })

  it('binary input is reported as not-javascript', () => {
    const v = analyzeScript('\u0000\u0001\u0002PNG\u0000\u0000\u0003\u0004'.repeat(50))
    expect(v.verdict).toBe('clean')
    expect(v.findings.map((f) => f.rule)).toEqual(['not-javascript'])
  })

  it('HTML without code is read as HTML and is clean', () => {
    const v = analyzeScript('<!doctype html><html><body><p>Shop</p></body></html>')
    expect(v.verdict).toBe('clean')
    expect(v.findings.map((f) => f.rule)).toEqual(['html-input'])
  })

  const N = 10_000
  const DEEP: [string, string][] = [
    ['parentheses', '('.repeat(N) + '1' + ')'.repeat(N)],
    ['arrays', '['.repeat(N) + ']'.repeat(N)],
    ['right-nested sums', 'x=' + '1+('.repeat(N) + '1' + ')'.repeat(N)],
    ['unary chain', 'x=' + '!'.repeat(N) + 'y'],
    ['nested calls', 'f('.repeat(N) + ')'.repeat(N)],
    ['nested functions', 'function a(){'.repeat(N) + '}'.repeat(N)],
    ['nested objects', 'x=' + '{a:'.repeat(N) + '1' + '}'.repeat(N)],
    ['member chain', 'x=a' + '.b'.repeat(N)],
    ['call chain', 'x=f' + '()'.repeat(N)],
    ['nested atob', 'x=' + 'atob('.repeat(N) + "'YQ=='" + ')'.repeat(N)],
  ]

  it.each(DEEP)(
    'an expression nested 10,000 deep (%s) gets a verdict or an analysis-budget finding',
    (_name, src) => {
      const v = analyzeScript(src)
      expect(v.verdict).toBe('clean')
      const budget = v.findings.filter((f) => f.rule === 'analysis-budget')
      for (const f of budget) expect(f.message).toMatch(/nested too deeply|stack|budget/)
    },
  )

  it('a 10 MB minified file gets an analysis-budget finding without being parsed', () => {
    let big = ''
    while (big.length < 10 * 1024 * 1024) big += jquery + ';\n'
    const v = analyzeScript(big)
    expect(v.findings.map((f) => f.rule)).toContain('analysis-budget')
    expect(v.verdict).toBe('clean')
  })

  it.each([
    ['prose', 'Dear customer, thank you for your order. It ships tomorrow.\n'.repeat(200)],
    ['CSS', 'body { margin: 0 } .cart > li { color: #333 }\n'.repeat(200)],
    ['PNG bytes', '\u0089PNG\r\n\u001a\n\u0000\u0000\u0000\rIHDR\u0000\u0001'.repeat(100)],
    ['random bytes decoded as UTF-8', Buffer.from(randomish(8192)).toString('utf8')],
  ])('%s is not JavaScript, and says so', (_name, input) => {
    const v = analyzeScript(input)
    expect(v.verdict).toBe('clean')
    expect(v.findings.map((f) => f.rule)).toContain('not-javascript')
  })

  it('a string array whose rotation never checks out is given up on, not spun forever', () => {
    const arr = Array.from({ length: 20_000 }, (_, i) => `'s${i}'`).join(',')
    const src = `function A(){var a=[${arr}];A=function(){return a};return A()}
function D(i,k){i=i-0x10;var a=A();return a[i]}
(function(f,t){var a=f();while(!![]){try{var x=parseInt(D(0x10))/1+parseInt(D(0x11));if(x===t)break;else a.push(a.shift())}catch(e){a.push(a.shift())}}})(A,-1);
document.querySelector(D(0x12)).value`
    const v = analyzeScript(src)
    expect(v.verdict).toBe('clean')
  })

  it('a 1 MB single line is analysed within bounded time', () => {
    const line = Array.from({ length: 45_000 }, (_, i) => `a${i}=b(${i},"x${i}")`).join(';')
    expect(line.length).toBeGreaterThan(1_000_000)
    const v = analyzeScript(line)
    expect(v.verdict).toBe('clean')
  })

  it('a long constant concatenation chain folds without overflowing the stack', () => {
    const chain = 'var u = ' + Array.from({ length: 50_000 }, () => "'ab'").join(' + ')
    const v = analyzeScript(chain)
    expect(v.verdict).toBe('clean')
  })

  it('inputs over the size budget get an analysis-budget finding', () => {
    const v = analyzeScript('x'.repeat(5 * 1024 * 1024 + 1))
    expect(v.findings.map((f) => f.rule)).toEqual(['analysis-budget'])
  })
})
