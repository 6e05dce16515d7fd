import type { Finding, Severity } from '../../core/types.ts'
import type { ScriptFacts, Site } from '../facts.ts'
import type { SignatureSet } from './compile.ts'

const SEVERITIES = new Set<Severity>(['info', 'low', 'medium', 'high', 'critical'])
export const DEFAULT_YARA_POINTS = 60
export const DEFAULT_YARA_SEVERITY: Severity = 'high'

/** Run every YARA file over the raw script and each decoded layer; one finding per rule. */
export function yaraFindings(facts: ScriptFacts, set: SignatureSet): Finding[] {
  if (set.yara.length === 0) return []
  const out = sourceFindings(facts, set)
  const seen = new Set(out.map((f) => f.rule))
  facts.layers.forEach((text, i) => scanText(facts, set, text, i + 1, seen, out))
  return out
}

// A file judged twice (before and after the evaluator rewrites it) has the same raw text both
// times: it is scanned once.
let last: { text: string; set: SignatureSet; found: Finding[] } | undefined

function sourceFindings(facts: ScriptFacts, set: SignatureSet): Finding[] {
  if (last?.text !== facts.source || last.set !== set) {
    const found: Finding[] = []
    scanText(facts, set, facts.source, 0, new Set(), found)
    last = { text: facts.source, set, found }
  }
  return last.found.map((f) => ({ ...f }))
}

function scanText(
  facts: ScriptFacts,
  set: SignatureSet,
  text: string,
  layer: number,
  seen: Set<string>,
  out: Finding[],
): void {
  let bytes: Buffer | undefined
  for (const file of set.yara) {
    if (!file.needs(text)) continue
    const buf = (bytes ??= Buffer.from(text, 'utf8'))
    for (const m of file.scanner.scan(buf)) {
      const rule = `yara:${m.ruleIdentifier}`
      if (seen.has(rule)) continue
      seen.add(rule)
      const meta = m.meta as Record<string, unknown>
      const first = m.matches[0]
      const site =
        layer === 0
          ? siteAt(text, buf, first?.offset ?? 0)
          : layerSite(facts, text, first?.data ?? '')
      const description = typeof meta.description === 'string' ? meta.description : undefined
      out.push({
        rule,
        severity: severityOf(meta.severity),
        message: `${description ?? `matches YARA rule ${m.ruleIdentifier}`} (${file.fileOf?.get(m.ruleIdentifier) ?? file.name})${layer > 0 ? ' (in decoded layer)' : ''}`,
        line: site.line,
        column: site.column,
        snippet: site.snippet,
        points: pointsOf(meta.score),
      })
    }
  }
}

function severityOf(v: unknown): Severity {
  const s = typeof v === 'string' ? v.toLowerCase() : ''
  return SEVERITIES.has(s as Severity) ? (s as Severity) : DEFAULT_YARA_SEVERITY
}

function pointsOf(v: unknown): number {
  const n = typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : NaN
  return Number.isFinite(n) ? Math.max(0, Math.min(100, Math.round(n))) : DEFAULT_YARA_POINTS
}

// YARA offsets are bytes of the UTF-8 text; findings speak in lines and UTF-16 columns.
function siteAt(text: string, buf: Buffer, offset: number): Site {
  const index = buf.subarray(0, offset).toString('utf8').length
  let line = 1
  let lineStart = 0
  for (let i = text.indexOf('\n'); i !== -1 && i < index; i = text.indexOf('\n', i + 1)) {
    line++
    lineStart = i + 1
  }
  const snippet = text
    .slice(index, index + 120)
    .replace(/\s+/g, ' ')
    .trim()
  return { line, column: index - lineStart, snippet, layer: 0 }
}

// A decoded layer points back to the expression that decoded it, when the detector kept it.
function layerSite(facts: ScriptFacts, text: string, data: string): Site {
  const origin = facts.strings.find((s) => s.value === text)?.site
  const snippet = data.slice(0, 120).replace(/\s+/g, ' ').trim()
  return origin
    ? { line: origin.line, column: origin.column, snippet, layer: origin.layer + 1 }
    : { line: 1, column: 0, snippet, layer: 1 }
}
