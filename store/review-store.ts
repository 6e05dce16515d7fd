// The review app's view of the store: accounts, decisions, read models and the mails they touch.
import type { Verdict } from '../core/types.ts'
import type { Db } from './db.ts'
import * as decisions from './decisions.ts'
import * as partners from './partners.ts'
import * as shares from './shares.ts'
import * as review from './review.ts'
import * as siteView from './site-view.ts'
import * as users from './users.ts'

export type { Role, UserRecord } from './users.ts'
export { TLP_LEVELS } from './partners.ts'
export type { Tlp, PartnerRecord, NewPartner } from './partners.ts'
export type { SharedIndicator, Delivery } from './shares.ts'
export type { DecisionKind, DecisionRecord, NewDecision } from './decisions.ts'
export type {
  FlaggedScript,
  ScriptView,
  Sighting,
  ExfilRequest,
  PreviousVersion,
} from './review.ts'
export type { SiteView, DashboardCounts, SearchHit, MailSummary, MailTarget } from './site-view.ts'

export interface ReviewStore {
  upsertUser(u: {
    name: string
    role: users.Role
    passwordHash: string
  }): Promise<{ id: number; created: boolean }>
  findUserByName(name: string): Promise<users.UserRecord | null>
  countUsers(): Promise<number>
  listUsers(): Promise<users.UserRecord[]>
  createSession(s: {
    idHash: string
    userId: number
    csrfToken: string
    ttlSeconds: number
  }): Promise<void>
  getSession(idHash: string): Promise<{ user: users.UserRecord; csrfToken: string } | null>
  deleteSession(idHash: string): Promise<void>
  createApiToken(t: { tokenHash: string; userId: number; label: string }): Promise<void>
  userForApiToken(tokenHash: string): Promise<users.UserRecord | null>
  addDecision(d: decisions.NewDecision): Promise<decisions.DecisionRecord>
  getDecision(id: number): Promise<decisions.DecisionRecord | null>
  revokeDecision(id: number, userId: number): Promise<boolean>
  activeDecisions(): Promise<decisions.DecisionRecord[]>
  listDecisions(filter?: { sha256?: string }): Promise<decisions.DecisionRecord[]>
  flaggedScripts(): Promise<review.FlaggedScript[]>
  scriptView(sha256: string): Promise<review.ScriptView | null>
  previousVersions(sha256: string): Promise<review.PreviousVersion[]>
  latestScansServing(match: { sha256s: string[]; hosts: string[] }): Promise<number[]>
  setPageVerdict(scanId: number, page: { verdict: Verdict; reasons: string[] }): Promise<void>
  siteView(id: number): Promise<siteView.SiteView | null>
  dashboard(): Promise<siteView.DashboardCounts>
  search(q: string): Promise<siteView.SearchHit[]>
  /** pending and failed mails of a site, or one mail, set aside from delivery */
  withdrawMails(target: siteView.MailTarget): Promise<number>
  restoreMails(target: siteView.MailTarget): Promise<number>
  addPartner(p: partners.NewPartner): Promise<partners.PartnerRecord | null>
  listPartners(): Promise<partners.PartnerRecord[]>
  revokePartner(id: number): Promise<boolean>
  partnerForToken(tokenHash: string): Promise<partners.PartnerRecord | null>
  shareConfirmed(s: {
    sha256: string
    decisionId: number
    tlp: partners.Tlp
  }): Promise<shares.SharedIndicator>
  shareRevoked(sha256: string): Promise<shares.SharedIndicator | null>
  setShareTlp(sha256: string, tlp: partners.Tlp): Promise<shares.SharedIndicator | null>
  getShare(sha256: string): Promise<shares.SharedIndicator | null>
  listShares(tlps: readonly partners.Tlp[]): Promise<shares.SharedIndicator[]>
  enqueueDelivery(d: Parameters<typeof shares.enqueueDelivery>[1]): Promise<boolean>
  claimDeliveries(limit: number, leaseSeconds: number): Promise<shares.Delivery[]>
  markDelivered(id: number): Promise<void>
  markDeliveryFailed(f: Parameters<typeof shares.markFailed>[1]): Promise<void>
  listDeliveries(partnerId?: number): Promise<shares.Delivery[]>
}

export function reviewStore(db: Db): ReviewStore {
  return {
    upsertUser: (u) => users.upsertUser(db, u),
    findUserByName: (name) => users.findUserByName(db, name),
    countUsers: () => users.countUsers(db),
    listUsers: () => users.listUsers(db),
    createSession: (s) => users.createSession(db, s),
    getSession: (idHash) => users.getSession(db, idHash),
    deleteSession: (idHash) => users.deleteSession(db, idHash),
    createApiToken: (t) => users.createApiToken(db, t),
    userForApiToken: (tokenHash) => users.userForApiToken(db, tokenHash),
    addDecision: (d) => decisions.addDecision(db, d),
    getDecision: (id) => decisions.getDecision(db, id),
    revokeDecision: (id, userId) => decisions.revokeDecision(db, id, userId),
    activeDecisions: () => decisions.activeDecisions(db),
    listDecisions: (filter) => decisions.listDecisions(db, filter),
    flaggedScripts: () => review.flaggedScripts(db),
    scriptView: (sha256) => review.scriptView(db, sha256),
    previousVersions: (sha256) => review.previousVersions(db, sha256),
    latestScansServing: (match) => review.latestScansServing(db, match),
    setPageVerdict: (scanId, page) => review.setPageVerdict(db, scanId, page),
    siteView: (id) => siteView.siteView(db, id),
    dashboard: () => siteView.dashboardCounts(db),
    search: (q) => siteView.search(db, q),
    withdrawMails: (target) => siteView.withdrawMails(db, target),
    restoreMails: (target) => siteView.restoreMails(db, target),
    addPartner: (p) => partners.addPartner(db, p),
    listPartners: () => partners.listPartners(db),
    revokePartner: (id) => partners.revokePartner(db, id),
    partnerForToken: (tokenHash) => partners.partnerForToken(db, tokenHash),
    shareConfirmed: (s) => shares.shareConfirmed(db, s),
    shareRevoked: (sha256) => shares.shareRevoked(db, sha256),
    setShareTlp: (sha256, tlp) => shares.setShareTlp(db, sha256, tlp),
    getShare: (sha256) => shares.getShare(db, sha256),
    listShares: (tlps) => shares.listShares(db, tlps),
    enqueueDelivery: (d) => shares.enqueueDelivery(db, d),
    claimDeliveries: (limit, lease) => shares.claimDeliveries(db, limit, lease),
    markDelivered: (id) => shares.markDelivered(db, id),
    markDeliveryFailed: (f) => shares.markFailed(db, f),
    listDeliveries: (partnerId) => shares.listDeliveries(db, partnerId),
  }
}
