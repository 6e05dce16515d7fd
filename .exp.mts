import { readFileSync } from 'node:fs'
import { analyzeScript } from './detector/index.ts'
import { loadBlind } from './fixtures/blind/load.ts'
import { loadSamples } from './fixtures/samples/load.ts'
import { DRESSES, dress } from './fixtures/samples/dress.ts'
const g = globalThis as { NOEVAL?: boolean }
const sig = (v: any) => v.findings.filter((f: any) => f.points > 0).length + (v.triage?.length ?? 0)
const both = (src: string, ctx: any = { url: null }) => { g.NOEVAL = true; const a = analyzeScript(src, ctx); g.NOEVAL = false; const b = analyzeScript(src, ctx); return [a, b] }
let missMal = 0, totMal = 0
const report = (name: string, src: string, ctx?: any) => {
  const [a, b] = both(src, ctx); totMal++
  if (sig(a) === 0 && b.verdict !== 'clean') { missMal++; console.log('needs-eval-blind-gate:', name, b.verdict) }
}
for (const s of loadBlind() as any[]) if (s.kind === 'malicious') report('blind/' + s.name, s.source, s.expected.ctx ?? { url: null })
for (const s of loadSamples() as any[]) if (s.kind === 'malicious') for (const d of DRESSES) { let code; try { code = await dress(s.source, d) } catch { continue } report(`own/${s.name}/${d}`, code, s.expected.ctx ?? {}) }
console.log('malicious needing eval with no first-pass signal:', missMal, '/', totMal)
process.exit(0)
const c = JSON.parse(readFileSync('fixtures/corpus/npm-bundles.json', 'utf8'))
let gated = 0
for (const f of c.bundles) { g.NOEVAL = true; const a = analyzeScript(readFileSync(f, 'utf8'), { url: null }); if (sig(a) > 0) { gated++; console.log('npm signal:', f, a.findings.filter((x: any)=>x.points>0).map((x: any) => x.rule).join(','), a.triage?.join(',')) } }
console.log('npm bundles with first-pass signal:', gated, '/', c.bundles.length)
