import type {
  CapturedScript,
  PageCapture,
  PageVerdict,
  ScriptKind,
  ScriptVerdict,
  Verdict,
} from '../core/types.ts'

const KIND_NAMES: Record<Exclude<ScriptKind, 'external'>, string> = {
  inline: 'inline script',
  handler: 'event-handler attribute',
  eval: 'eval/Function code',
  injected: 'injected script',
}

/** How a reason names a script: its URL when it has one, else its kind (and a short hash). */
export function scriptName(s: Pick<CapturedScript, 'kind' | 'url' | 'sha256'>): string {
  if (s.url) return s.url
  const kind = s.kind === 'external' ? 'script' : KIND_NAMES[s.kind]
  return `${kind} ${s.sha256.slice(0, 12)}`
}

function hostOfUrl(url: string): string {
  try {
    return new URL(url).host
  } catch {
    return url.slice(0, 80)
  }
}

/** Combine script verdicts with what the browser saw leave the page. */
export function judgePage(capture: PageCapture, verdicts: ScriptVerdict[]): PageVerdict {
  const malicious: string[] = []
  const suspicious: string[] = []
  const names = new Map(capture.scripts.map((s) => [s.sha256, scriptName(s)]))
  const name = (sha: string): string => names.get(sha) ?? `script ${sha.slice(0, 12)}`
  for (const v of verdicts) {
    const top = [...v.findings].sort((a, b) => b.points - a.points)[0]
    const why = top ? `: ${top.message}` : ''
    if (v.verdict === 'malicious')
      malicious.push(`${name(v.sha256)} is malicious (score ${v.score})${why}`)
    else if (v.verdict === 'suspicious')
      suspicious.push(`${name(v.sha256)} is suspicious (score ${v.score})${why}`)
  }
  const readers = new Set(capture.cardReaders)
  const sentCard = new Set<string>()
  const encrypted = new Set<string>()
  const personal = new Set<string>()
  for (const r of capture.requests) {
    if (!r.thirdParty) continue
    const host = hostOfUrl(r.url)
    if (r.carriesCard) sentCard.add(host)
    else if (r.script && readers.has(r.script)) encrypted.add(`${host} by ${name(r.script)}`)
    if (r.carriesPersonal && !r.carriesCard) personal.add(host)
  }
  for (const h of sentCard) malicious.push(`card sent to ${h}`)
  for (const h of encrypted)
    malicious.push(`a script that read the card field sent data to ${h} (encrypted exfiltration)`)
  for (const h of personal) suspicious.push(`personal data sent to third party ${h}`)
  const verdict: Verdict =
    malicious.length > 0 ? 'malicious' : suspicious.length > 0 ? 'suspicious' : 'clean'
  const reasons =
    verdict === 'clean'
      ? ['no script flagged and no card or personal data left the site']
      : [...malicious, ...suspicious]
  return { verdict, reasons }
}
