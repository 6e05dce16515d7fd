// Renders a notice as plain text and HTML. Everything from the site or its scripts is escaped.
import { sha256 } from '../core/hash.ts'
import type { Verdict } from '../core/types.ts'
import { recipientsFor } from './recipients.ts'
import { MESSAGES, type Lang, type Messages } from './i18n.ts'
import { remediationFor } from './templates/index.ts'

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

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"'`]/g, (c) => `&#${c.charCodeAt(0)};`)
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

const scriptTitle = (p: Parts, v: Verdict) =>
  v === 'malicious' ? p.m.maliciousScript : p.m.suspiciousScript

function renderText(p: Parts): string {
  const { m } = p
  const out: string[] = [m.hello, '', p.intro, '', m.found.toUpperCase()]
  for (const s of p.scripts) {
    out.push(`- ${scriptTitle(p, s.verdict)}: ${s.name}`)
    out.push(`  SHA-256: ${s.sha256}`)
    if (s.excerpt) out.push(`  ${m.excerpt}: ${s.excerpt}`)
    for (const f of s.findings) out.push(`  * ${f}`)
  }
  if (p.exfil.length > 0) {
    out.push(`- ${m.sentTo}:`)
    for (const e of p.exfil) out.push(`  * ${e}`)
  }
  out.push('', `${m.where.toUpperCase()}: ${p.where}`)
  out.push(
    `${m.firstSeen.toUpperCase()}: ${p.firstSeen}`,
    `${m.lastSeen.toUpperCase()}: ${p.lastSeen}`,
  )
  out.push(`${m.platform.toUpperCase()}: ${p.platform}`)
  out.push('', m.why.toUpperCase(), ...m.whyItems.map((w) => `- ${w}`))
  out.push(
    '',
    `${m.whatToDo.toUpperCase()} (${p.platform})`,
    ...p.steps.map((s, i) => `${i + 1}. ${s}`),
  )
  out.push('', m.confirmTitle.toUpperCase(), p.confirm, '', p.optOut, '', m.signature, '')
  return out.join('\n')
}

const li = (items: string[]) => items.map((i) => `<li>${escapeHtml(i)}</li>`).join('')

function htmlPage(lang: Lang, subject: string, body: string[]): string {
  return [
    '<!doctype html>',
    `<html lang="${lang}"><head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head><body>`,
    ...body,
    '</body></html>',
    '',
  ].join('\n')
}

function renderHtml(p: Parts, lang: Lang, subject: string): string {
  const e = escapeHtml
  const { m } = p
  const scripts = p.scripts
    .map(
      (s) =>
        `<li><strong>${e(scriptTitle(p, s.verdict))}:</strong> <code>${e(s.name)}</code><br>` +
        `SHA-256: <code>${e(s.sha256)}</code>` +
        (s.excerpt ? `<br>${e(m.excerpt)}: <code>${e(s.excerpt)}</code>` : '') +
        (s.findings.length > 0 ? `<ul>${li(s.findings)}</ul>` : '') +
        `</li>`,
    )
    .join('')
  const exfil = p.exfil.length > 0 ? `<li>${e(m.sentTo)}:<ul>${li(p.exfil)}</ul></li>` : ''
  return htmlPage(lang, subject, [
    `<p>${e(m.hello)}</p>`,
    `<p>${e(p.intro)}</p>`,
    `<h2>${e(m.found)}</h2>`,
    `<ul>${scripts}${exfil}</ul>`,
    `<p><strong>${e(m.where)}:</strong> <code>${e(p.where)}</code><br>`,
    `<strong>${e(m.firstSeen)}:</strong> ${e(p.firstSeen)}<br>`,
    `<strong>${e(m.lastSeen)}:</strong> ${e(p.lastSeen)}<br>`,
    `<strong>${e(m.platform)}:</strong> ${e(p.platform)}</p>`,
    `<h2>${e(m.why)}</h2>`,
    `<ul>${li(m.whyItems)}</ul>`,
    `<h2>${e(m.whatToDo)} (${e(p.platform)})</h2>`,
    `<ol>${li(p.steps)}</ol>`,
    `<h2>${e(m.confirmTitle)}</h2>`,
    `<p>${e(p.confirm)}</p>`,
    `<p><small>${e(p.optOut)}</small></p>`,
    `<p>${e(m.signature)}</p>`,
  ])
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
    text: renderText(p),
    html: renderHtml(p, lang, subject),
  }
}

/** The short "resolved, thank you" mail that closes a case. */
export function renderResolved(domain: string, opts: RenderOptions): Omit<RenderedEmail, 'key'> {
  const lang = opts.lang ?? 'en'
  const m = MESSAGES[lang]
  const d = oneLine(domain, 253)
  const subject = m.resolvedSubject(d)
  const body = m.resolved(d)
  const optOut = m.optOut(d, opts.unsubscribeUrl)
  return {
    to: opts.to ?? recipientsFor(domain),
    subject,
    text: [m.hello, '', ...body.flatMap((b) => [b, '']), optOut, '', m.signature, ''].join('\n'),
    html: htmlPage(lang, subject, [
      `<p>${escapeHtml(m.hello)}</p>`,
      ...body.map((b) => `<p>${escapeHtml(b)}</p>`),
      `<p><small>${escapeHtml(optOut)}</small></p>`,
      `<p>${escapeHtml(m.signature)}</p>`,
    ]),
  }
}
