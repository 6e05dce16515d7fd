// Renders a notice as plain text and HTML through the Eta layouts in layouts.ts. Everything from
// the site or its scripts is escaped in HTML and kept on one line in text.
import { sha256 } from '../core/hash.ts'
import type { Verdict } from '../core/types.ts'
import { recipientsFor } from './recipients.ts'
import { MESSAGES, type Lang, type Messages } from './i18n.ts'
import { escapeHtml, renderHtmlLayout, renderTextLayout } from './layouts.ts'
import { remediationFor } from './templates/index.ts'

export { escapeHtml }

export interface NoticeFinding {
  rule: string
  severity: string
  message: string
  line: number
  column: number
}

export interface NoticeScript {
  url: string | null
  sha256: string
  verdict: Verdict
  findings: NoticeFinding[]
  /** the code the most severe finding points at, shown escaped and cut short */
  excerpt?: string | null
}

export interface Notice {
  domain: string
  siteUrl: string
  pageUrl: string
  verdict: Verdict
  foundAt: string
  /** the latest scan that still saw it; foundAt when absent */
  lastSeenAt?: string | null
  platform?: string | null
  scripts: NoticeScript[]
  exfil: { url: string; host: string; carriesCard: boolean }[]
}

export interface RenderedEmail {
  key: string
  to: string[]
  subject: string
  text: string
  html: string
}

const TOP_FINDINGS = 5
const MAX_URL = 300
const MAX_EXCERPT = 160
const SEVERITY_RANK: Record<string, number> = { critical: 0, high: 1, medium: 2, low: 3, info: 4 }

/** The web app's one-click unsubscribe page for a token (RFC 8058). */
export function unsubscribeUrl(publicUrl: string, token: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/unsubscribe/${encodeURIComponent(token)}`
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g

/** Control characters (CR/LF above all) must never reach a header or break a text line. */
function oneLine(s: string, max = MAX_URL): string {
  // Lone surrogates cannot be sent as UTF-8; a cut must not make one out of a pair either.
  const flat = s
    .replace(LONE_SURROGATE, '\ufffd')
    .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ')
    .trim()
  if (flat.length <= max) return flat
  const cut = flat.slice(0, max - 1).replace(/[\ud800-\udbff]$/, '')
  return `${cut}…`
}

function flagged(n: Notice): NoticeScript[] {
  const rank = { malicious: 0, suspicious: 1, clean: 2 }
  return n.scripts
    .filter((s) => s.verdict !== 'clean')
    .sort((a, b) => rank[a.verdict] - rank[b.verdict] || a.sha256.localeCompare(b.sha256))
}

/** Same shop + same flagged scripts + same exfil hosts → same key, whatever the order. */
export function noticeKey(n: Notice): string {
  const shas = [...new Set(flagged(n).map((s) => s.sha256.toLowerCase()))].sort()
  const hosts = [...new Set(n.exfil.map((e) => e.host.toLowerCase()))].sort()
  return sha256(JSON.stringify([n.domain.trim().toLowerCase(), shas, hosts]))
}

function topFindings(s: NoticeScript): NoticeFinding[] {
  return [...s.findings]
    .sort(
      (a, b) =>
        (SEVERITY_RANK[a.severity] ?? 9) - (SEVERITY_RANK[b.severity] ?? 9) || a.line - b.line,
    )
    .slice(0, TOP_FINDINGS)
}

interface Parts {
  m: Messages
  domain: string
  intro: string
  scripts: { name: string; sha256: string; verdict: Verdict; findings: string[]; excerpt: string }[]
  exfil: string[]
  where: string
  firstSeen: string
  lastSeen: string
  platform: string
  steps: string[]
  confirm: string
  optOut: string
}

/** A short excerpt of what the finding pointed at, on one line (shown as text, never as code). */
const excerptOf = (s: NoticeScript) => oneLine(s.excerpt ?? '', MAX_EXCERPT)

function parts(n: Notice, from: string, opts: RenderOptions): Parts {
  const m = MESSAGES[opts.lang ?? 'en']
  const domain = oneLine(n.domain, 253)
  const template = remediationFor(n.platform, opts.lang)
  const findingLine = (f: NoticeFinding) =>
    `line ${f.line}, column ${f.column}: ${oneLine(f.message, 200)} (${oneLine(f.rule, 60)}, ${oneLine(f.severity, 20)})`
  return {
    m,
    domain,
    intro: opts.reminder
      ? m.reminderIntro(domain, opts.reminder)
      : m.intro(domain, n.verdict === 'malicious'),
    scripts: flagged(n).map((s) => ({
      name: s.url ? oneLine(s.url) : m.inline,
      sha256: oneLine(s.sha256, 64),
      verdict: s.verdict,
      findings: topFindings(s).map(findingLine),
      excerpt: excerptOf(s),
    })),
    exfil: [...n.exfil]
      .sort((a, b) => Number(b.carriesCard) - Number(a.carriesCard) || a.host.localeCompare(b.host))
      .map(
        (e) =>
          `${oneLine(e.host, 253)}: ${oneLine(e.url)}${e.carriesCard ? ` (${m.carriedCard})` : ''}`,
      ),
    where: oneLine(n.pageUrl),
    firstSeen: oneLine(n.foundAt, 40),
    lastSeen: oneLine(n.lastSeenAt ?? n.foundAt, 40),
    platform: template.label,
    steps: template.steps,
    confirm: m.confirm(domain, from),
    optOut: m.optOut(domain, opts.unsubscribeUrl),
  }
}

/** The data the layouts show: every value already on one line and cut to length. */
function layoutData(p: Parts, lang: Lang, subject: string) {
  const title = (v: Verdict) => (v === 'malicious' ? p.m.maliciousScript : p.m.suspiciousScript)
  return { ...p, lang, subject, scripts: p.scripts.map((s) => ({ ...s, title: title(s.verdict) })) }
}

export interface RenderOptions {
  from: string
  to?: string[] | undefined
  /** the one-click unsubscribe link shown in the body (and sent as List-Unsubscribe) */
  unsubscribeUrl?: string | undefined
  lang?: Lang | undefined
  /** the reminder's number; absent for the first notice */
  reminder?: number | undefined
}

export function renderNotice(n: Notice, opts: RenderOptions): RenderedEmail {
  const key = noticeKey(n)
  const lang = opts.lang ?? 'en'
  const p = parts(n, opts.from, opts)
  const subject = opts.reminder
    ? p.m.reminderSubject(p.domain)
    : p.m.subject(p.domain, n.verdict === 'malicious')
  return {
    key,
    to: opts.to ?? recipientsFor(n.domain),
    subject,
    text: renderTextLayout('notice', layoutData(p, lang, subject)),
    html: renderHtmlLayout('notice', layoutData(p, lang, subject)),
  }
}

/** The short "resolved, thank you" mail that closes a case. */
export function renderResolved(domain: string, opts: RenderOptions): Omit<RenderedEmail, 'key'> {
  const lang = opts.lang ?? 'en'
  const m = MESSAGES[lang]
  const d = oneLine(domain, 253)
  const subject = m.resolvedSubject(d)
  const data = { m, lang, subject, body: m.resolved(d), optOut: m.optOut(d, opts.unsubscribeUrl) }
  return {
    to: opts.to ?? recipientsFor(domain),
    subject,
    text: renderTextLayout('resolved', data),
    html: renderHtmlLayout('resolved', data),
  }
}
