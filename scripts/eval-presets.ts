// `npm run eval:presets`: the blind samples (written from technique descriptions, never used to
// shape the obfuscation support) dressed with javascript-obfuscator's medium and high presets,
// with releases 1 and 2 at every option of their day, and with js-confuser's low preset, and
// judged statically: how much of a skimmer's meaning survives the obfuscation a skimmer's author
// is most likely to pick, and how much of what does not is still sent to the chamber. HTML
// samples and samples appended to a library are left out, and so are those a release cannot
// read (syntax newer than it).
import { analyzeScript } from '../detector/index.ts'
import { confuser, legacy, preset } from '../fixtures/samples/dress.ts'
import { loadBlind } from '../fixtures/blind/load.ts'

const LEVELS = ['medium', 'high', 'release-1', 'release-2', 'confuser-low'] as const

async function dressed(
  source: string,
  level: (typeof LEVELS)[number],
): Promise<string | undefined> {
  if (level === 'medium' || level === 'high') return preset(source, level, 3)
  if (level === 'confuser-low') return confuser(source, 'low', 3)
  try {
    return legacy(source, level === 'release-1' ? 1 : 2, 'rc4', 3)
  } catch {
    return undefined
  }
}
type Tally = { files: number; malicious: number; suspicious: number; triaged: number }
const tally = new Map<string, Tally>()
const samples = loadBlind().filter((s) => !s.html && !s.expected.appendTo)
let done = 0
for (const s of samples) {
  for (const level of LEVELS) {
    const ctx = {
      url: s.expected.ctx?.url ?? null,
      ...(s.expected.ctx?.pageUrl ? { pageUrl: s.expected.ctx.pageUrl } : {}),
    }
    const code = await dressed(s.source, level)
    if (code === undefined) continue
    const v = analyzeScript(code, ctx)
    const key = `${s.kind} ${level}`
    const t = tally.get(key) ?? { files: 0, malicious: 0, suspicious: 0, triaged: 0 }
    t.files++
    if (v.verdict === 'malicious') t.malicious++
    if (v.verdict === 'suspicious') t.suspicious++
    // not malicious, but sent to the chamber by `analyze`
    if (v.verdict !== 'malicious' && (v.triage?.length ?? 0) > 0) t.triaged++
    tally.set(key, t)
  }
  if (++done % 50 === 0) process.stderr.write(`${done}/${samples.length} samples\n`)
}
const pct = (n: number, of: number): string => `${n}/${of} (${((100 * n) / of).toFixed(1)}%)`
console.log(
  'group                   files  malicious          detected (malicious or suspicious)  malicious or sent to the chamber',
)
for (const [key, t] of tally)
  console.log(
    `${key.padEnd(22)}  ${String(t.files).padStart(5)}  ${pct(t.malicious, t.files).padEnd(17)}  ${pct(t.malicious + t.suspicious, t.files).padEnd(34)}  ${pct(t.malicious + t.triaged, t.files)}`,
  )
