// The store: the only code that writes SQL. PostgreSQL with DATABASE_URL, else embedded PGlite.
import type {
  Observation,
  PageCapture,
  PageVerdict,
  ScriptVerdict,
  SendOutcome,
} from '../core/types.ts'
import * as cases from './cases.ts'
import * as contacts from './contacts.ts'
import { openPg, openPglite, type Db } from './db.ts'
import { releaseHostSlots, tryTakeHostSlots } from './host-slots.ts'
import { migrate } from './migrate.ts'
import * as observations from './observations.ts'
import * as outbox from './outbox.ts'
import { report, type SiteReport } from './report.ts'
import { reviewStore, type ReviewStore } from './review-store.ts'
import * as scans from './scans.ts'
import { countScripts, getScriptSource } from './scripts.ts'
import * as sites from './sites.ts'
import * as verdicts from './verdicts.ts'
import { storageBytes } from './usage.ts'

export type { SiteRecord } from './sites.ts'
export type { SiteReport } from './report.ts'
export type { OutboxRecord, OutboxStatus, NewEmail, MailKind, DeliveryResult } from './outbox.ts'
export type { CaseRecord, CaseEvent, CaseHistory } from './cases.ts'
export type { StoredContact } from './contacts.ts'
export type { StoredCapture } from './scans.ts'
export type * from './review-store.ts'
export { TLP_LEVELS } from './partners.ts'

export interface StoreOptions {
  /** PostgreSQL server; without it the embedded store lives in `${home}/db` */
  databaseUrl?: string | undefined
  home: string
  /** keeps tables in their own schema (tests, several deployments in one database) */
  schema?: string | undefined
}

export interface Store {
  addSites(
    entries: { domain: string; url: string }[],
    onChunk?: (done: number, total: number) => void,
  ): Promise<{ added: number; merged: number }>
  listSites(): Promise<sites.SiteRecord[]>
  getSite(id: number): Promise<sites.SiteRecord | null>
  setSitePlatform(id: number, platform: string | null): Promise<void>
  /** records why a site cannot be crawled; its next stored scan clears it */
  setSiteFailure(id: number, reason: string): Promise<void>
  latestScanBySite(ids: number[]): Promise<Map<number, number>>
  /** of `ids`, the sites with a visit that started at `since` or later */
  scannedSince(ids: number[], since: Date): Promise<Set<number>>
  infectedSiteIds(): Promise<number[]>
  saveCapture(siteId: number | null, capture: PageCapture): Promise<number>
  getCapture(scanId: number): Promise<scans.StoredCapture | null>
  getScriptSource(sha256: string): Promise<string | null>
  saveVerdicts(scanId: number, page: PageVerdict, scripts: ScriptVerdict[]): Promise<void>
  getScanResult(scanId: number): Promise<{ page: PageVerdict; scripts: ScriptVerdict[] } | null>
  cachedVerdict(sha256: string, rulesVersion: string): Promise<ScriptVerdict | null>
  latestScanIds(): Promise<number[]>
  enqueueEmail(msg: outbox.NewEmail): Promise<{ id: number; created: boolean }>
  /** sends a pending or failed email once, holding it locked until the outcome is recorded */
  deliverEmail(
    id: number,
    send: (email: outbox.OutboxRecord) => Promise<SendOutcome>,
    limits?: outbox.DeliveryLimits,
  ): Promise<outbox.DeliveryResult>
  /** ids of emails whose first or next attempt is due */
  dueEmails(): Promise<number[]>
  suppress(address: string, reason: 'unsubscribed' | 'bounced' | 'manual'): Promise<void>
  isSuppressed(address: string): Promise<boolean>
  /** one-click unsubscribe by the token of an email; the suppressed addresses, null if unknown */
  unsubscribe(token: string): Promise<string[] | null>
  saveContacts(siteId: number, found: contacts.StoredContact[]): Promise<void>
  getContacts(siteId: number): Promise<contacts.StoredContact[]>
  openCase(siteId: number, scanId: number): Promise<{ case: cases.CaseRecord; created: boolean }>
  openCaseOf(siteId: number): Promise<cases.CaseRecord | null>
  openCases(): Promise<cases.CaseRecord[]>
  noteRescan(caseId: number, scanId: number, verdict: string): Promise<void>
  noteReminder(caseId: number, n: number, address: string): Promise<void>
  caseRecipients(caseId: number): Promise<string[]>
  closeCase(caseId: number, scanId: number): Promise<boolean>
  caseHistory(): Promise<cases.CaseHistory[]>
  pendingEmails(): Promise<outbox.OutboxRecord[]>
  getEmail(id: number): Promise<outbox.OutboxRecord | null>
  report(): Promise<SiteReport[]>
  countScripts(): Promise<number>
  /** a detonation seen before under this key (sha256 + rules version + chamber version) */
  getObservation(key: string): Promise<Observation | null>
  putObservation(key: string, obs: Observation): Promise<void>
  /** per-host politeness shared by every worker on this database (see host-slots.ts) */
  tryTakeHostSlots(slots: string[], next: string, token: string, ttlMs: number): Promise<number>
  releaseHostSlots(slots: string[], next: string, token: string, pauseMs: number): Promise<void>
  /** bytes the store's tables take, for the capture quota */
  storageBytes(): Promise<number>
  /** accounts, decisions and read models of the review app */
  review: ReviewStore
  close(): Promise<void>
}

/** Opens the store and applies pending migrations; throws ServiceUnavailableError when unreachable. */
export async function openStore(opts: StoreOptions): Promise<Store> {
  const db = opts.databaseUrl
    ? await openPg(opts.databaseUrl, opts.schema)
    : await openPglite(opts.home, opts.schema)
  try {
    await migrate(db)
  } catch (err) {
    await db.close().catch(() => {})
    throw err
  }
  return storeOn(db)
}

function storeOn(db: Db): Store {
  let closed: Promise<void> | null = null
  return {
    addSites: (entries, onChunk) => sites.addSites(db, entries, onChunk),
    listSites: () => sites.listSites(db),
    getSite: (id) => sites.getSite(db, id),
    setSitePlatform: (id, platform) => sites.setSitePlatform(db, id, platform),
    setSiteFailure: (id, reason) => sites.setSiteFailure(db, id, reason),
    latestScanBySite: (ids) => sites.latestScanBySite(db, ids),
    scannedSince: (ids, since) => sites.scannedSince(db, ids, since),
    infectedSiteIds: () => sites.infectedSiteIds(db),
    saveCapture: (siteId, capture) =>
      db.transaction((tx) => scans.insertCapture(tx, siteId, capture)),
    getCapture: (scanId) => scans.getCapture(db, scanId),
    getScriptSource: (sha256) => getScriptSource(db, sha256),
    saveVerdicts: (scanId, page, scripts) =>
      db.transaction((tx) => verdicts.saveVerdicts(tx, scanId, page, scripts)),
    getScanResult: (scanId) => verdicts.getScanResult(db, scanId),
    cachedVerdict: (sha256, rulesVersion) => verdicts.cachedVerdict(db, sha256, rulesVersion),
    latestScanIds: () => scans.latestScanIds(db),
    enqueueEmail: (msg) => outbox.enqueueEmail(db, msg),
    deliverEmail: (id, send, limits) => outbox.deliverEmail(db, id, send, limits),
    dueEmails: () => outbox.dueEmails(db),
    suppress: (address, reason) => outbox.suppress(db, address, reason, null),
    isSuppressed: (address) => outbox.isSuppressed(db, address),
    unsubscribe: (token) => outbox.unsubscribe(db, token),
    saveContacts: (siteId, found) => contacts.saveContacts(db, siteId, found),
    getContacts: (siteId) => contacts.getContacts(db, siteId),
    openCase: (siteId, scanId) => cases.openCase(db, siteId, scanId),
    openCaseOf: (siteId) => cases.openCaseOf(db, siteId),
    openCases: () => cases.openCases(db),
    noteRescan: (caseId, scanId, verdict) => cases.noteRescan(db, caseId, scanId, verdict),
    noteReminder: (caseId, n, address) => cases.noteReminder(db, caseId, n, address),
    caseRecipients: (caseId) => cases.caseRecipients(db, caseId),
    closeCase: (caseId, scanId) => cases.closeCase(db, caseId, scanId),
    caseHistory: () => cases.caseHistory(db),
    pendingEmails: () => outbox.pendingEmails(db),
    getEmail: (id) => outbox.getEmail(db, id),
    report: () => report(db),
    countScripts: () => countScripts(db),
    getObservation: (key) => observations.getObservation(db, key),
    putObservation: (key, obs) => observations.putObservation(db, key, obs),
    storageBytes: () => storageBytes(db),
    tryTakeHostSlots: (slots, next, token, ttl) => tryTakeHostSlots(db, slots, next, token, ttl),
    releaseHostSlots: (slots, next, token, pause) =>
      releaseHostSlots(db, slots, next, token, pause),
    review: reviewStore(db),
    // closing twice (signal handler + finally) must not throw
    close: () => (closed ??= db.close()),
  }
}
