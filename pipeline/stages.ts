// The stage functions: records in, records out. Both runners (embedded, BullMQ) call exactly these.
import type { Config } from '../core/config.ts'
import {
  BadInputError,
  CrawlError,
  ExcludedSiteError,
  ServiceUnavailableError,
} from '../core/errors.ts'
import type { Logger } from '../core/logger.ts'
import type {
  CapturedScript,
  PageCapture,
  PageVerdict,
  ScriptVerdict,
  Verdict,
} from '../core/types.ts'
import { assertTargetAllowed, type BrowserSession, type CrawlOptions } from '../crawler/index.ts'
import { decisionFor, overlay } from '../detector/decisions.ts'
import { failedVerdict, judgePage, type Detector } from '../detector/index.ts'
import {
  contactOptions,
  discoverContacts,
  followUpScan,
  mailSettings,
  notifyInfected,
  type Contact,
  type MailResult,
  type Notice,
} from '../notifier/index.ts'
import type { Store } from '../store/index.ts'
import { excludedBy } from './exclusions.ts'
import { selectExfil } from './page-record.ts'
import { assertCaptureRoom } from './quota.ts'

export interface StageDeps {
  store: Store
  config: Config
  logger: Logger
  crawl: CrawlOptions
  detector: Detector
  /** opened on first use: detect and notify never need a browser */
  browser: () => Promise<BrowserSession>
  /** runs a script static analysis could not clear in the detonation chamber; off when absent */
  detonate?: (
    source: string,
    v: ScriptVerdict,
    /** where the script was served and the page it was seen on */
    where: { url: string | null; pageUrl: string },
  ) => Promise<ScriptVerdict>
  /** the operators' exclusion list as it stands now (read again before each crawl) */
  exclusions?: () => Promise<string[]>
}

export interface CrawlJob {
  siteId: number
}
export interface ScanJob {
  scanId: number
}
export interface DetectResult {
  scanId: number
  verdict: Verdict
  /** why the visit did not complete (timeout, budget, unreachable); null when it did */
  incomplete: string | null
}
export interface NotifyResult {
  scanId: number
  emailId: number | null
  path: string | null
}

export interface CrawlControl {
  /** wraps the browser visit (politeness limits); runs it as is when absent */
  around?: (url: string, visit: () => Promise<PageCapture>) => Promise<PageCapture>
  /** when false, a visit that failed for a passing reason throws (to be retried) instead of being stored */
  lastAttempt?: boolean
}

/** Chromium and guard errors a later attempt can get past: time-outs, resets, resolver hiccups. */
const TRANSIENT =
  /timeout|timed out|ERR_TIMED_OUT|ERR_CONNECTION_(RESET|CLOSED|ABORTED|TIMED_OUT)|ERR_NETWORK_CHANGED|ERR_NAME_RESOLUTION_FAILED|EAI_AGAIN|browser (closed|crashed|disconnected)/i

export function isTransientFailure(reason: string | null): boolean {
  return reason !== null && TRANSIENT.test(reason)
}

export async function crawlStage(
  deps: StageDeps,
  job: CrawlJob,
  control: CrawlControl = {},
): Promise<ScanJob> {
  const site = await deps.store.getSite(job.siteId)
  if (!site) throw new BadInputError(`site ${job.siteId} does not exist (was the store reset?)`)
  const excluded = excludedBy(site.url, (await deps.exclusions?.()) ?? [])
  if (excluded) throw new ExcludedSiteError(`excluded by the operators' list (${excluded})`)
  await assertTargetAllowed(site.url, deps.crawl)
  await assertCaptureRoom(deps.store, deps.config)
  // the browser opens inside the visit: a host that is busy or does not exist never needs one
  const visit = async (): Promise<PageCapture> => (await deps.browser()).visit(site.url)
  const capture = await (control.around ? control.around(site.url, visit) : visit())
  if (
    capture.status === 'error' &&
    control.lastAttempt === false &&
    isTransientFailure(capture.reason)
  )
    throw new CrawlError(`visit of ${site.url} failed, will retry: ${capture.reason}`)
  const scanId = await deps.store.saveCapture(site.id, capture)
  if (capture.platform) await deps.store.setSitePlatform(site.id, capture.platform.name)
  deps.logger.info({ site: site.domain, scanId, status: capture.status }, 'crawled')
  return { scanId }
}

/** Judges every script of a scan and the page as a whole. */
export async function detectStage(deps: StageDeps, job: ScanJob): Promise<DetectResult> {
  const capture = await deps.store.getCapture(job.scanId)
  if (!capture) throw new BadInputError(`scan ${job.scanId} does not exist`)
  // the detector's own cache knows when a verdict depends on the page, the store's does not
  const verdicts = await judgeScripts(deps, capture.scripts)
  // analysts' decisions (false positive, allowlist, confirm) speak for the page as they do in
  // the review app; the stored script verdicts stay the detector's own
  const decisions = await deps.store.review.activeDecisions()
  const decided = verdicts.map((v) => overlay(v, decisionFor(v, capture, decisions)))
  const page: PageVerdict = judgePage(capture, decided)
  await deps.store.saveVerdicts(job.scanId, page, verdicts)
  deps.logger.info({ scanId: job.scanId, verdict: page.verdict }, 'judged')
  const incomplete = capture.status === 'ok' ? null : (capture.reason ?? capture.status)
  return { scanId: job.scanId, verdict: page.verdict, incomplete }
}

/** Static verdicts, then the chamber for the scripts triage could not clear (never malicious ones). */
export async function judgeScripts(
  deps: Pick<StageDeps, 'detector' | 'detonate' | 'logger'>,
  scripts: CapturedScript[],
): Promise<ScriptVerdict[]> {
  const out: ScriptVerdict[] = []
  for (const script of scripts) {
    const v = judgeScript(deps.detector, script)
    if (!deps.detonate || v.verdict === 'malicious' || !v.triage?.length) out.push(v)
    else
      out.push(
        await deps
          .detonate(script.source, v, { url: script.url, pageUrl: script.pageUrl })
          .catch((err: unknown) => {
            deps.logger.warn({ sha256: v.sha256, err }, 'detonation failed: judged statically')
            return v
          }),
      )
  }
  return out
}

/** A script's verdict; one whose analysis threw keeps its place with the error as a finding. */
export function judgeScript(detector: Detector, script: CapturedScript): ScriptVerdict {
  try {
    return detector.analyze(script.source, { url: script.url, pageUrl: script.pageUrl })
  } catch (err) {
    return failedVerdict(script.sha256, err)
  }
}

/** Emails the owner of a site found malicious: a notice, or a reminder when one is due. */
export async function notifyStage(deps: StageDeps, job: ScanJob): Promise<NotifyResult> {
  const none = { scanId: job.scanId, emailId: null, path: null }
  const capture = await deps.store.getCapture(job.scanId)
  const result = await deps.store.getScanResult(job.scanId)
  if (!capture || !result || result.page.verdict !== 'malicious' || capture.siteId === null) {
    return none
  }
  const site = await deps.store.getSite(capture.siteId)
  if (!site) return none
  const notice = buildNotice(site.domain, site.url, site.platform, capture, result.scripts)
  const contacts = await siteContacts(deps, site)
  // a card seen leaving the page is certain; otherwise the strongest script verdict speaks
  const flaggedScores = result.scripts.filter((v) => v.verdict !== 'clean').map((v) => v.score)
  const confidence = notice.exfil.some((e) => e.carriesCard) ? 100 : Math.max(0, ...flaggedScores)
  const mail = await notifyInfected(
    deps.store,
    { siteId: site.id, scanId: job.scanId, notice, contacts, confidence },
    await mailSettings(deps.config),
  )
  return mailResult(deps, job.scanId, site.domain, mail)
}

/** A scan not found malicious: closes the site's open case with a thank-you when it is clean. */
export async function followUpStage(deps: StageDeps, job: DetectResult): Promise<NotifyResult> {
  const capture = await deps.store.getCapture(job.scanId)
  const site = capture?.siteId != null ? await deps.store.getSite(capture.siteId) : null
  if (!site) return { scanId: job.scanId, emailId: null, path: null }
  const mail = await followUpScan(
    deps.store,
    {
      siteId: site.id,
      scanId: job.scanId,
      domain: site.domain,
      verdict: job.verdict,
      complete: job.incomplete === null,
    },
    await mailSettings(deps.config),
  )
  return mailResult(deps, job.scanId, site.domain, mail)
}

function mailResult(deps: StageDeps, scanId: number, domain: string, mail: MailResult) {
  // a 4xx answer or an unreachable server: the job is retried and sends the same message
  if (mail.outcome?.kind === 'retry') {
    throw new ServiceUnavailableError(`mail about ${domain} deferred: ${mail.outcome.error}`)
  }
  const path = mail.outcome?.kind === 'sent' ? mail.outcome.path : null
  deps.logger.info({ site: domain, status: mail.status, reason: mail.reason, path }, 'mail')
  return { scanId, emailId: mail.emailId, path }
}

/** The site's contacts, found once and kept; every fetch passes the crawler's target check. */
async function siteContacts(deps: StageDeps, site: { id: number; domain: string; url: string }) {
  const known = await deps.store.getContacts(site.id)
  if (known.length > 0) return known as Contact[]
  const found = await discoverContacts(site.domain, site.url, {
    ...contactOptions(deps.config),
    checkUrl: (url) => assertTargetAllowed(url, deps.crawl),
  })
  await deps.store.saveContacts(site.id, found)
  return found
}

function buildNotice(
  domain: string,
  siteUrl: string,
  platform: string | null,
  capture: NonNullable<Awaited<ReturnType<Store['getCapture']>>>,
  verdicts: ScriptVerdict[],
): Notice {
  const bySha = new Map(verdicts.map((v) => [v.sha256, v]))
  const sent = selectExfil(capture)
  // a script seen sending the data away is named even when its code looks harmless (encrypted payloads)
  const senders = new Set(sent.flatMap((r) => (r.script ? [r.script] : [])))
  const scripts = capture.scripts.flatMap((s) => {
    const v = bySha.get(s.sha256)
    if (!v || (v.verdict === 'clean' && !senders.has(s.sha256))) return []
    const verdict = senders.has(s.sha256) ? 'malicious' : v.verdict
    const excerpt = v.findings.find((f) => f.snippet)?.snippet ?? null
    return [{ url: s.url, sha256: s.sha256, verdict, findings: v.findings, excerpt }]
  })
  const exfil = sent.map((r) => ({
    url: r.url,
    host: new URL(r.url).hostname,
    carriesCard: r.carriesCard,
  }))
  return {
    domain,
    siteUrl,
    // the page the skimmer ran on, not where the test payment landed
    pageUrl:
      capture.scripts.find((s) => bySha.get(s.sha256)?.verdict === 'malicious')?.pageUrl ??
      capture.finalUrl,
    verdict: 'malicious',
    foundAt: capture.startedAt,
    platform,
    scripts,
    exfil,
  }
}
