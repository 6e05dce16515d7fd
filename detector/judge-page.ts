import type {
  CapturedRequest,
  CapturedScript,
  PageCapture,
  PageVerdict,
  ScriptKind,
  ScriptVerdict,
  Verdict,
} from '../core/types.ts'
import { hostOf, registrable } from './paths.ts'
import { processorOf } from './processors.ts'
import { sameSiteExfil } from './rules/drop-in-static-folder.ts'

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

// Requests that carry data by design; an unattributed one could be anyone's.
const DATA_SENDS = new Set(['fetch', 'xhr', 'beacon', 'websocket', 'webtransport', 'form'])

/** What the browser saw, in the terms the page verdict needs. */
function observe(capture: PageCapture) {
  const sites = new Set(
    [capture.url, capture.finalUrl].flatMap((u) => {
      const h = hostOf(u)
      return h ? [registrable(h)] : []
    }),
  )
  // The processors the page embeds: it loaded their script or framed one of their pages.
  const embedded = new Set<string>()
  for (const s of capture.scripts) if (s.url) embedded.add(processorOf(s.url)?.name ?? '')
  for (const r of capture.requests)
    if (r.type === 'script' || r.type === 'document') embedded.add(processorOf(r.url)?.name ?? '')
  embedded.delete('')
  const onSite = (r: CapturedRequest): boolean => {
    const h = hostOf(r.url)
    return !r.thirdParty || (h !== undefined && sites.has(registrable(h)))
  }
  /** The embedded processor this request went to, if any. */
  const toProcessor = (r: CapturedRequest): string | undefined => {
    const p = processorOf(r.url)?.name
    return p !== undefined && embedded.has(p) ? p : undefined
  }
  return { onSite, toProcessor }
}

/** Combine script verdicts with what the browser saw leave the page. */
export function judgePage(capture: PageCapture, verdicts: ScriptVerdict[]): PageVerdict {
  const malicious: string[] = []
  const suspicious: string[] = []
  const notes = new Set<string>()
  const names = new Map(capture.scripts.map((s) => [s.sha256, scriptName(s)]))
  const name = (sha: string): string => names.get(sha) ?? `script ${sha.slice(0, 12)}`
  const { onSite, toProcessor } = observe(capture)
  const readers = new Set(capture.cardReaders)
  const sentCard = new Set<string>()
  const encrypted = new Set<string>()
  const personal = new Set<string>()
  for (const r of capture.requests) {
    if (onSite(r)) continue
    const host = hostOfUrl(r.url)
    const reader = r.script !== null && readers.has(r.script)
    const processor = toProcessor(r)
    if (processor !== undefined) {
      if (r.carriesCard || reader)
        notes.add(`card data went to ${host}, the ${processor} origin the page embeds (normal)`)
      continue
    }
    if (r.carriesCard) sentCard.add(host)
    else if (reader && r.script) encrypted.add(`${host} by ${name(r.script)}`)
    if (r.carriesPersonal && !r.carriesCard) personal.add(host)
  }
  const cardLeft = sentCard.size > 0 || encrypted.size > 0
  const anonymousSend = capture.requests.some(
    (r) => r.script === null && DATA_SENDS.has(r.type) && !onSite(r) && !toProcessor(r),
  )
  // A statically suspicious script that had its chance (card typed in) and kept everything on
  // the site or with the processor is not a finding about the page; analysts still see it.
  const quiet = (v: ScriptVerdict): boolean =>
    capture.filledCard &&
    !sameSiteExfil(v.findings) &&
    !cardLeft &&
    !anonymousSend &&
    capture.requests.every(
      (r) => r.script !== v.sha256 || onSite(r) || toProcessor(r) !== undefined,
    )
  for (const v of verdicts) {
    const top = [...v.findings].sort((a, b) => b.points - a.points)[0]
    const why = top ? `: ${top.message}` : ''
    if (v.verdict === 'malicious')
      malicious.push(`${name(v.sha256)} is malicious (score ${v.score})${why}`)
    else if (v.verdict === 'suspicious' && quiet(v))
      notes.add(
        `${name(v.sha256)} is suspicious statically (score ${v.score}) but sent nothing off-site during the visit (kept for analysts)${why}`,
      )
    else if (v.verdict === 'suspicious')
      suspicious.push(`${name(v.sha256)} is suspicious (score ${v.score})${why}`)
  }
  for (const h of sentCard) malicious.push(`card sent to ${h}`)
  for (const h of encrypted)
    malicious.push(`a script that read the card field sent data to ${h} (encrypted exfiltration)`)
  for (const h of personal) suspicious.push(`personal data sent to third party ${h}`)
  const verdict: Verdict =
    malicious.length > 0 ? 'malicious' : suspicious.length > 0 ? 'suspicious' : 'clean'
  const head =
    verdict !== 'clean'
      ? [...malicious, ...suspicious]
      : notes.size === 0
        ? ['no script flagged and no card or personal data left the site']
        : ['no card or personal data left the site for an unexpected host']
  return { verdict, reasons: [...head, ...notes] }
}
