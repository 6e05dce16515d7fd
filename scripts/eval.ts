// `npm run eval`: recall and false positives of the detector over fixtures, dresses and the npm corpus.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { ScriptVerdict, Verdict } from '../core/types.ts'
import { analyzeScript } from '../detector/index.ts'
import { DRESSES, dress, type Dress } from '../fixtures/samples/dress.ts'
import { loadSamples } from '../fixtures/samples/load.ts'
import { checkoutFiles, firstSeen, judge, judgeBlind, openChamber, rulesOf } from './eval-groups.ts'

const ROOT = join(import.meta.dirname, '..')
// Obfuscated variants are measured and printed but owned by the deobfuscation work: not gated.
const GATED: readonly Dress[] = ['plain', 'minified', 'appended', 'packed']
// Dresses static analysis only triages: judged as `analyze` judges them, with the chamber.
const CHAMBERED: readonly Dress[] = ['confuser']

interface Row {
  name: string
  dress: Dress | 'corpus'
  kind: 'malicious' | 'benign'
  expected: Verdict
  v: ScriptVerdict
}

function table(rows: Row[]): void {
  const w = Math.max(...rows.map((r) => r.name.length), 10)
  console.log(`${'sample'.padEnd(w)}  dress          expected    got         score  rules`)
  for (const r of rows) {
    const bad =
      r.kind === 'malicious' ? r.v.verdict === 'clean' : r.v.verdict === 'malicious' ? true : false
    console.log(
      `${r.name.padEnd(w)}  ${r.dress.padEnd(13)}  ${r.expected.padEnd(10)}  ${r.v.verdict.padEnd(10)}  ${String(r.v.score).padStart(5)}  ${rulesOf(r.v)}${bad ? '   <-- MISS' : ''}`,
    )
  }
}

function pct(n: number, d: number): string {
  return d === 0 ? '-' : `${((100 * n) / d).toFixed(1)}%`
}

const chamber = await openChamber()
const rows: Row[] = []
for (const s of loadSamples()) {
  for (const how of DRESSES) {
    if (how !== 'plain' && how !== 'appended' && how !== 'packed' && s.expected.breaks) continue
    let code: string
    try {
      code = await dress(s.source, how)
    } catch (err) {
      console.error(`cannot dress ${s.name} as ${how}: ${(err as Error).message}`)
      continue
    }
    const ctx = s.expected.ctx ?? {}
    rows.push({
      name: s.name,
      dress: how,
      kind: s.kind,
      expected: s.expected.verdict,
      v: CHAMBERED.includes(how) ? (await judge(code, ctx, chamber)).v : analyzeScript(code, ctx),
    })
  }
}
console.log('\n== fixture samples ==')
table(rows)

const bundles = (
  JSON.parse(readFileSync(join(ROOT, 'fixtures/corpus/npm-bundles.json'), 'utf8')) as {
    bundles: string[]
  }
).bundles
console.log('\n== npm corpus (anything not clean) ==')
const corpus: { file: string; v: ScriptVerdict }[] = []
for (const file of bundles) {
  const v = analyzeScript(readFileSync(join(ROOT, file), 'utf8'), { url: null })
  corpus.push({ file, v })
  if (v.verdict !== 'clean') console.log(`${file}  ${v.verdict}  ${v.score}  ${rulesOf(v)}`)
}

console.log('\n== totals ==')
let ok = true
console.log(
  'dress          malicious  detected        strict          benign  benign-malicious  benign-suspicious',
)
for (const how of DRESSES) {
  const mal = rows.filter((r) => r.dress === how && r.kind === 'malicious')
  const ben = rows.filter((r) => r.dress === how && r.kind === 'benign')
  const detected = mal.filter((r) => r.v.verdict !== 'clean').length
  const strict = mal.filter((r) => r.v.verdict === 'malicious').length
  const benMal = ben.filter((r) => r.v.verdict === 'malicious').length
  const benSus = ben.filter((r) => r.v.verdict === 'suspicious').length
  console.log(
    `${how.padEnd(13)}  ${String(mal.length).padStart(9)}  ${`${detected} ${pct(detected, mal.length)}`.padEnd(14)}  ${`${strict} ${pct(strict, mal.length)}`.padEnd(14)}  ${String(ben.length).padStart(6)}  ${String(benMal).padStart(16)}  ${String(benSus).padStart(17)}${GATED.includes(how) ? '' : '  (not gated)'}${CHAMBERED.includes(how) && chamber ? ' (with the chamber)' : ''}`,
  )
  const met = detected === mal.length && strict >= 0.9 * mal.length && benMal === 0
  if (GATED.includes(how) && !met) console.log(`  ^ targets missed on the ${how} dress`)
  if (GATED.includes(how)) ok &&= met
}
const blind = await judgeBlind(chamber)
const first = firstSeen()
console.log('\n== blind samples (written from technique descriptions; first seen vs now) ==')
for (const b of blind)
  console.log(
    `${b.name.padEnd(55)}  first ${(first.samples[b.name]?.verdict ?? '-').padEnd(10)}  now ${b.v.verdict.padEnd(10)} ${String(b.v.score).padStart(3)}${b.detonated ? ' (detonated)' : ''}  ${rulesOf(b.v)}`,
  )
const bMal = blind.filter((b) => b.kind === 'malicious')
const bBen = blind.filter((b) => b.kind === 'benign')
const firstMal = bMal.filter((b) => first.samples[b.name])
const firstDet = firstMal.filter((b) => first.samples[b.name]?.verdict !== 'clean').length
const firstStrict = firstMal.filter((b) => first.samples[b.name]?.verdict === 'malicious').length
const nowDet = bMal.filter((b) => b.v.verdict !== 'clean').length
const nowStrict = bMal.filter((b) => b.v.verdict === 'malicious').length
const benMal = bBen.filter((b) => b.v.verdict === 'malicious').length
const benSus = bBen.filter((b) => b.v.verdict === 'suspicious').length

console.log('\n== real checkout code (anything not clean) ==')
const checkout: { file: string; v: ScriptVerdict }[] = []
for (const file of checkoutFiles()) {
  const v = analyzeScript(readFileSync(join(ROOT, file), 'utf8'), { url: null })
  checkout.push({ file, v })
  if (v.verdict !== 'clean') console.log(`${file}  ${v.verdict}  ${v.score}  ${rulesOf(v)}`)
}
await chamber?.close()

const cMal = corpus.filter((c) => c.v.verdict === 'malicious').length
const cSus = corpus.filter((c) => c.v.verdict === 'suspicious').length
const triaged = corpus.filter((c) => (c.v.triage?.length ?? 0) > 0).length
const kMal = checkout.filter((c) => c.v.verdict === 'malicious').length
const kSus = checkout.filter((c) => c.v.verdict === 'suspicious').length
const pctOf = (n: number, d: number): string => `${n}/${d} (${pct(n, d)})`
console.log('\ngroup                      files  detected          malicious         suspicious')
console.log(
  `blind malicious, first    ${String(firstMal.length).padStart(6)}  ${pctOf(firstDet, firstMal.length).padEnd(16)}  ${pctOf(firstStrict, firstMal.length)}   (${first.summary})`,
)
console.log(
  `blind malicious, now      ${String(bMal.length).padStart(6)}  ${pctOf(nowDet, bMal.length).padEnd(16)}  ${pctOf(nowStrict, bMal.length)}${chamber ? '' : '   (static only)'}`,
)
console.log(
  `benign look-alikes        ${String(bBen.length).padStart(6)}  -                 ${String(benMal).padEnd(16)}  ${benSus}`,
)
console.log(
  `npm bundles               ${String(corpus.length).padStart(6)}  -                 ${String(cMal).padEnd(16)}  ${pctOf(cSus, corpus.length)}; triaged for detonation ${pctOf(triaged, corpus.length)}`,
)
console.log(
  `real checkout code        ${String(checkout.length).padStart(6)}  -                 ${String(kMal).padEnd(16)}  ${pctOf(kSus, checkout.length)}`,
)
const blindMet =
  nowDet === bMal.length && nowStrict >= 0.85 * bMal.length && benMal === 0 && benSus <= 1
if (!blindMet)
  console.log(
    '  ^ blind targets missed: every sample detected, >= 85% malicious, look-alikes 0 malicious and <= 1 suspicious',
  )
const realMet =
  cMal === 0 && kMal === 0 && cSus <= 0.02 * corpus.length && kSus <= 0.02 * checkout.length
if (!realMet) console.log('  ^ real-code targets missed: 0 malicious, <= 2% suspicious')
ok &&= cMal === 0 && cSus <= 2 && blindMet && realMet
console.log(
  ok
    ? 'targets met: every malicious sample detected (>= 90% strictly), 0 benign or npm malicious, <= 2 npm suspicious'
    : 'TARGETS MISSED',
)
process.exitCode = ok ? 0 : 1
