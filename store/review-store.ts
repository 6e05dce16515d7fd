// The review app's view of the store: accounts, decisions, read models and the mails they touch.
import type { Verdict } from '../core/types.ts'
import type { Db } from './db.ts'
import * as decisions from './decisions.ts'
import * as review from './review.ts'
import * as siteView from './site-view.ts'
import * as users from './users.ts'

export type { Role, UserRecord } from './users.ts'
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
  }
}
