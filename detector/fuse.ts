import type { Finding, Observation, ObservedRequest, ScriptVerdict } from '../core/types.ts'
import { getDomain } from 'tldts'
import { isIpHost } from './paths.ts'
import { processorOf } from './processors.ts'
import { SUSPICIOUS_AT, capModifiers, scoreOf, verdictOf } from './score.ts'
import { inStaticFolder, sameSiteExfil } from './rules/drop-in-static-folder.ts'

// Fusion: the static verdict plus what the script did when it ran alone in the chamber, as
// findings with their evidence. Pure: the observation is a record, the detector never runs code.

/** The synthetic checkout's own site: requests there stay on the shop. */
export const CHAMBER_SITE = 'shop.example'

type Inspect = (source: string) => ScriptVerdict

function hostOf(url: string): string | undefined {
  try {
    return new URL(url).hostname.toLowerCase()
  } catch {
    return undefined
  }
}

/** The site the chamber's checkouts were served at: the shop's own when its page was known. */
function siteOf(obs: Observation): string {
  const host = obs.pages[0] === undefined ? undefined : hostOf(obs.pages[0])
  if (host === undefined) return CHAMBER_SITE
  // a shop on a shared platform (kites.myshopify.com) is its own site, not the platform's
  return isIpHost(host) ? host : (getDomain(host, { allowPrivateDomains: true }) ?? host)
}

interface Places {
  /** a request to the shop's own site */
  onShop(r: { url: string }): boolean
  /** a request that leaves the shop and its processors */
  offSite(r: { url: string }): boolean
}

function placesOf(obs: Observation): Places {
  const site = siteOf(obs)
  const onShop = (r: { url: string }) => {
    const host = hostOf(r.url)
    return host !== undefined && (host === site || host.endsWith(`.${site}`))
  }
  const offSite = (r: { url: string }) => {
    const host = hostOf(r.url)
    if (!host || r.url.startsWith('data:') || r.url.startsWith('blob:')) return false
    return !onShop(r) && processorOf(host) === undefined
  }
  return { onShop, offSite }
}

const CHANNEL: Record<string, string> = {
  image: 'an image request',
  fetch: 'fetch',
  xhr: 'XMLHttpRequest',
  beacon: 'sendBeacon',
  websocket: 'a WebSocket',
  webtransport: 'a WebTransport session',
  form: 'a form post',
  script: 'an injected script',
  css: 'a CSS url()',
  link: 'an injected link',
  iframe: 'an iframe',
  document: 'a navigation',
  other: 'a request',
}

function observed(
  rule: string,
  severity: Finding['severity'],
  points: number,
  message: string,
): Finding {
  return { rule, severity, message, line: 1, column: 0, points }
}

function short(url: string): string {
  return url.length > 120 ? `${url.slice(0, 117)}…` : url
}

// a token no field value typed in the chamber could hide in as plain text: ciphertext, base64,
// hex; a long name spelt in letters alone (an element id, `payment_method_authorize_net_cim…`)
// is none of those, which always carry digits or base64's `+` and `/` over 40 characters
const RUN = /[A-Za-z0-9+/_-]{40,}/g
const BINARY = /[^\t\n\r\x20-\x7e\u00a0-\uffff]/
const blob = (text: string): boolean =>
  BINARY.test(text) || (text.match(RUN) ?? []).some((run) => /[0-9+/]/.test(run))

/**
 * Whether a request could hide the card: a payload that reads as text without a long opaque
 * token (masked replay events, analytics fields) shows the card did not go with it. A body the
 * chamber could not read (binary) might hide anything.
 */
function opaque(r: ObservedRequest): boolean {
  const at = r.url.indexOf('?')
  const query = at >= 0 ? safeDecode(r.url.slice(at + 1)) : ''
  if (r.body === null && r.method !== 'GET') return true
  return blob(r.body ?? '') || blob(query)
}

const carries = (r: ObservedRequest): boolean => r.carriesCard || r.carriesPersonal

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '))
  } catch {
    return s
  }
}

/** Findings for what the chamber saw; run-time code is judged statically as a new layer. */
export function observationFindings(obs: Observation, inspect: Inspect): Finding[] {
  const out: Finding[] = []
  const { onShop, offSite } = placesOf(obs)
  const card = obs.requests.filter((r) => r.carriesCard && offSite(r))
  for (const r of card.slice(0, 3)) {
    const how = r.encodings.length > 0 ? `, ${r.encodings.join('/')},` : ''
    out.push(
      observed(
        'observed-card-exfil',
        'critical',
        card.indexOf(r) === 0 ? 100 : 0,
        `sent the typed card number${how} to ${short(r.url)} through ${CHANNEL[r.type] ?? 'a request'} (seen in the detonation chamber)`,
      ),
    )
  }
  const personal = obs.requests.filter((r) => !r.carriesCard && r.carriesPersonal && offSite(r))
  if (personal[0])
    out.push(
      observed(
        'observed-personal-exfil',
        'high',
        40,
        `sent typed personal data to ${short(personal[0].url)} through ${CHANNEL[personal[0].type] ?? 'a request'} (seen in the detonation chamber)`,
      ),
    )
  const readCard = obs.reads.some((r) => /card|cc|cvv|cvc|number|exp/i.test(r.field))
  // the shop's own site, but a server script among its images and caches: an attacker's drop
  const drop = obs.requests.find(
    (r) => onShop(r) && inStaticFolder(r.url) && (carries(r) || (readCard && opaque(r))),
  )
  if (drop) {
    const what = drop.carriesCard
      ? 'the typed card number'
      : drop.carriesPersonal
        ? 'typed personal data'
        : 'an unreadable payload after reading the card field'
    out.push(
      observed(
        'observed-drop-in-static-folder',
        drop.carriesCard ? 'critical' : 'high',
        drop.carriesCard ? 100 : 45,
        `sent ${what} to ${short(drop.url)}, a server script among the shop's static files, through ${CHANNEL[drop.type] ?? 'a request'} (seen in the detonation chamber)`,
      ),
    )
  }
  const other = obs.requests.filter(
    (r) => !r.carriesCard && !r.carriesPersonal && offSite(r) && opaque(r),
  )
  if (readCard && other[0] && card.length === 0)
    out.push(
      observed(
        'observed-read-and-send',
        'high',
        45,
        `read the card field and then sent data to ${short(other[0].url)} (payload not readable: encrypted or encoded)`,
      ),
    )
  for (const c of obs.compiled.slice(0, 5)) {
    const v = inspect(c.source)
    const top = v.findings.filter((f) => f.points > 0)
    for (const f of top)
      out.push({
        ...f,
        message: `${f.message} (in code made at run time by ${c.how})`,
        line: 1,
        column: 0,
      })
  }
  if (obs.probes.length > 0)
    out.push(
      observed(
        'observed-anti-analysis',
        'low',
        10,
        `probed for analysis: ${obs.probes.slice(0, 5).join(', ')}`,
      ),
    )
  if (obs.status !== 'ok')
    out.push(
      observed(
        'detonation',
        'info',
        0,
        `detonation ${obs.status}: ${obs.reason ?? 'no reason given'}`,
      ),
    )
  return out
}

/** static findings an uneventful run does not clear */
const UNCLEARED: ReadonlySet<string> = new Set(['lookalike-domain', 'known-bad-signature'])

/**
 * A script only suspicious statically that, run with the card typed and pay clicked, read the
 * fields, probed nothing and sent nothing off the shop or its processor (or, when it masks
 * what it reads, only readable data without the card or personal values): its static evidence
 * stays listed for analysts, but it no longer counts towards a verdict.
 */
function clearedBy(v: ScriptVerdict, obs: Observation, added: Finding[]): Finding | undefined {
  if (v.verdict !== 'suspicious' || obs.status !== 'ok' || obs.reads.length === 0) return undefined
  // data sent to a script dropped on the shop itself never leaves the site
  if (sameSiteExfil(v.findings)) return undefined
  // who the script talks to, not what it did in one run: a look-alike of a well-known domain
  // or a known skimmer's text stays evidence however quiet the run (a hook waits for code of
  // the real checkout the chamber's pages may not have)
  if (v.findings.some((f) => f.points > 0 && UNCLEARED.has(f.rule))) return undefined
  const { offSite } = placesOf(obs)
  if (added.some((f) => f.points > 0) || obs.probes.length > 0 || obs.compiled.length > 0)
    return undefined
  // a script that masks what it reads may send its readable events off the shop, the card not
  const masked = v.findings.some((f) => f.rule === 'masks-field-values')
  if (obs.requests.some((r) => offSite(r) && (!masked || carries(r) || opaque(r)))) return undefined
  if (obs.injected.some((e) => e.url !== null && offSite({ url: e.url }))) return undefined
  return observed(
    'observed-inert',
    'info',
    SUSPICIOUS_AT - 1 - v.score,
    `ran on ${obs.pages.length} synthetic checkouts with the card typed, read ${obs.reads.length} field values and sent ${obs.requests.some(offSite) ? 'only masked, readable data without the card' : 'nothing'} off the shop or its processor: the static evidence above is kept for analysts`,
  )
}

/** One verdict from the static findings and the observation. */
export function fuseVerdict(v: ScriptVerdict, obs: Observation, inspect: Inspect): ScriptVerdict {
  // probes the static side already counted (`navigator.webdriver` read in the code) are the
  // same evidence seen twice: the chamber's sighting is listed, not counted again
  const probed = v.findings.some((f) => f.rule === 'anti-analysis' && f.points > 0)
  const added = observationFindings(obs, inspect).map((f) =>
    probed && f.rule === 'observed-anti-analysis'
      ? { ...f, points: 0, severity: 'info' as const }
      : f,
  )
  const cleared = clearedBy(v, obs, added)
  if (cleared) added.push(cleared)
  if (added.length === 0) return v
  const findings = capModifiers([...v.findings, ...added])
  findings.sort((a, b) => b.points - a.points || a.line - b.line)
  const score = scoreOf(findings)
  return { ...v, findings, score, verdict: verdictOf(score) }
}
