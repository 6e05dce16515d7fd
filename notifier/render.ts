// Renders a notice as plain text and HTML. Everything from the site or its scripts is escaped.
import { sha256 } from '../core/hash.ts'
import type { Verdict } from '../core/types.ts'
import { recipientsFor } from './recipients.ts'
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
}

export interface Notice {
  domain: string
  siteUrl: string
  pageUrl: string
  verdict: Verdict
  foundAt: string
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
const SEVERITY_RANK: Record<string, number> = { critical: 0, high: 1, medium: 2, low: 3, info: 4 }

export function unsubscribeUrl(key: string): string {
  return `https://skimwatch.invalid/unsubscribe/${encodeURIComponent(key)}`
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

const scriptName = (s: NoticeScript) => (s.url ? oneLine(s.url) : 'an inline script in the page')
const findingLine = (f: NoticeFinding) =>
  `line ${f.line}, column ${f.column}: ${oneLine(f.message, 200)} (${oneLine(f.rule, 60)}, ${oneLine(f.severity, 20)})`

interface Parts {
  domain: string
  intro: string
  scripts: { name: string; sha256: string; verdict: Verdict; findings: string[] }[]
  exfil: string[]
  where: string
  when: string
  platform: string
  why: string[]
  steps: string[]
  confirm: string
  optOut: string
}

function parts(n: Notice, key: string, from: string): Parts {
  const domain = oneLine(n.domain, 253)
  const template = remediationFor(n.platform)
  const certain = n.verdict === 'malicious'
  return {
    domain,
    intro:
      `skimwatch is an automated scanner that looks for card-stealing code ("web skimmers", also called Magecart) on online shops. ` +
      `On ${domain} it found code that ${certain ? 'copies' : 'appears to copy'} what customers type into the payment form and sends it to someone else. ` +
      `We typed only a test card number; no real customer data was used by us.`,
    scripts: flagged(n).map((s) => ({
      name: scriptName(s),
      sha256: oneLine(s.sha256, 64),
      verdict: s.verdict,
      findings: topFindings(s).map(findingLine),
    })),
    exfil: [...n.exfil]
      .sort((a, b) => Number(b.carriesCard) - Number(a.carriesCard) || a.host.localeCompare(b.host))
      .map(
        (e) =>
          `${oneLine(e.host, 253)}: ${oneLine(e.url)}${e.carriesCard ? ' (carried the test card number)' : ''}`,
      ),
    where: oneLine(n.pageUrl),
    when: oneLine(n.foundAt, 40),
    platform: template.label,
    why: [
      'Every customer who pays on this page may have their card number, expiry date, security code, name and address sent to criminals, who sell the cards or use them for fraud.',
      'Shops that accept cards must protect card data (PCI DSS); a skimmer is a breach of that, and your payment provider may need to know.',
      'In the EU and UK (GDPR) and many other places, a breach of customers’ personal data must usually be reported to the data-protection authority within 72 hours of becoming aware of it, and affected customers may need to be told.',
    ],
    steps: template.steps,
    confirm: `We rescan ${domain} automatically and will write once more when the code is gone. If you have cleaned it and want us to check sooner, reply to this email (${from}).`,
    optOut: `If you do not want further messages about ${domain}, reply with "STOP" or open ${unsubscribeUrl(key)}.`,
  }
}

function subjectFor(n: Notice, domain: string): string {
  return n.verdict === 'malicious'
    ? `[skimwatch] Card-skimming code found on ${domain} — action needed`
    : `[skimwatch] Possible card-skimming code on ${domain} — please check`
}

function renderText(p: Parts): string {
  const out: string[] = ['Hello,', '', p.intro, '', 'WHAT WE FOUND']
  for (const s of p.scripts) {
    out.push(`- ${s.verdict === 'malicious' ? 'Malicious' : 'Suspicious'} script: ${s.name}`)
    out.push(`  SHA-256: ${s.sha256}`)
    for (const f of s.findings) out.push(`  * ${f}`)
  }
  if (p.exfil.length > 0) {
    out.push('- Data sent from the page to:')
    for (const e of p.exfil) out.push(`  * ${e}`)
  }
  out.push('', `WHERE: ${p.where}`, `WHEN: ${p.when}`, `SHOP PLATFORM: ${p.platform}`)
  out.push('', 'WHY IT MATTERS', ...p.why.map((w) => `- ${w}`))
  out.push('', `WHAT TO DO (${p.platform})`, ...p.steps.map((s, i) => `${i + 1}. ${s}`))
  out.push('', 'HOW TO CONFIRM THE FIX', p.confirm, '', p.optOut, '', '— skimwatch', '')
  return out.join('\n')
}

function renderHtml(p: Parts, subject: string): string {
  const e = escapeHtml
  const li = (items: string[]) => items.map((i) => `<li>${e(i)}</li>`).join('')
  const scripts = p.scripts
    .map(
      (s) =>
        `<li><strong>${s.verdict === 'malicious' ? 'Malicious' : 'Suspicious'} script:</strong> <code>${e(s.name)}</code><br>` +
        `SHA-256: <code>${e(s.sha256)}</code>` +
        (s.findings.length > 0 ? `<ul>${li(s.findings)}</ul>` : '') +
        `</li>`,
    )
    .join('')
  const exfil =
    p.exfil.length > 0 ? `<li>Data sent from the page to:<ul>${li(p.exfil)}</ul></li>` : ''
  return [
    '<!doctype html>',
    `<html><head><meta charset="utf-8"><title>${e(subject)}</title></head><body>`,
    '<p>Hello,</p>',
    `<p>${e(p.intro)}</p>`,
    '<h2>What we found</h2>',
    `<ul>${scripts}${exfil}</ul>`,
    `<p><strong>Where:</strong> <code>${e(p.where)}</code><br>`,
    `<strong>When:</strong> ${e(p.when)}<br>`,
    `<strong>Shop platform:</strong> ${e(p.platform)}</p>`,
    '<h2>Why it matters</h2>',
    `<ul>${li(p.why)}</ul>`,
    `<h2>What to do (${e(p.platform)})</h2>`,
    `<ol>${li(p.steps)}</ol>`,
    '<h2>How to confirm the fix</h2>',
    `<p>${e(p.confirm)}</p>`,
    `<p><small>${e(p.optOut)}</small></p>`,
    '<p>— skimwatch</p>',
    '</body></html>',
    '',
  ].join('\n')
}

export function renderNotice(
  n: Notice,
  opts: { from: string; to?: string[] | undefined },
): RenderedEmail {
  const key = noticeKey(n)
  const p = parts(n, key, opts.from)
  const subject = subjectFor(n, p.domain)
  return {
    key,
    to: opts.to ?? recipientsFor(n.domain),
    subject,
    text: renderText(p),
    html: renderHtml(p, subject),
  }
}
