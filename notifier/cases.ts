// A case from first notice to "resolved": which mail to queue, to whom, and sending it once.
// The store is passed in (any object with these methods), so the notifier imports no store code.
import { randomBytes } from 'node:crypto'
import { sha256 } from '../core/hash.ts'
import type { SendOutcome } from '../core/types.ts'
import type { Contact } from './contacts/types.ts'
import { attemptDelivery, type DeliveryOptions, type OutgoingEmail } from './deliver.ts'
import { dueForRescan, nextAction, type CaseState, type FollowUpPolicy } from './followup.ts'
import { chooseLanguage } from './i18n.ts'
import { renderNotice, renderResolved, unsubscribeUrl, type Notice } from './render.ts'

interface OpenCase extends CaseState {
  id: number
}

export interface QueuedMail {
  key: string
  kind: 'notice' | 'reminder' | 'resolved'
  siteId: number
  scanId: number
  caseId: number
  to: string[]
  subject: string
  text: string
  html: string
  unsubscribeToken: string
  unsubscribeUrl: string
  /** waits for an analyst's release before it can be sent */
  held?: boolean
}

export interface CaseStore {
  openCase(siteId: number, scanId: number): Promise<{ case: OpenCase; created: boolean }>
  openCaseOf(siteId: number): Promise<OpenCase | null>
  noteRescan(caseId: number, scanId: number, verdict: string): Promise<void>
  noteReminder(caseId: number, n: number, address: string): Promise<void>
  closeCase(caseId: number, scanId: number): Promise<boolean>
  caseRecipients(caseId: number): Promise<string[]>
  isSuppressed(address: string): Promise<boolean>
  enqueueEmail(msg: QueuedMail): Promise<{ id: number; created: boolean }>
  deliverEmail(
    id: number,
    send: (email: OutgoingEmail) => Promise<SendOutcome>,
    limits?: { perDomainPerHour?: number | undefined },
  ): Promise<{ status: string | null; outcome: SendOutcome | null }>
}

export interface MailSettings {
  delivery: DeliveryOptions
  /** base URL of the web app that answers one-click unsubscribes */
  publicUrl: string
  policy: FollowUpPolicy
  /** emails at most per hour to one recipient domain; unset: no limit */
  perDomainPerHour?: number | undefined
  /** a notice whose confidence (0–100) is below this waits for an analyst's release */
  approveBelow?: number | undefined
}

export interface MailResult {
  emailId: number | null
  status: string | null
  outcome: SendOutcome | null
  /** why no mail was queued */
  reason?: string
}

/** Sends a queued email once; a second call after success sends nothing. */
export function sendQueued(
  store: CaseStore,
  id: number,
  settings: Pick<MailSettings, 'delivery' | 'perDomainPerHour'>,
) {
  return store.deliverEmail(id, (email) => attemptDelivery(email, settings.delivery), {
    perDomainPerHour: settings.perDomainPerHour,
  })
}

async function firstReachable(
  store: CaseStore,
  contacts: Contact[],
  from: number,
): Promise<Contact | null> {
  const usable = contacts.filter((c) => c.skipped === null)
  for (const c of [...usable.slice(from), ...usable.slice(0, from).reverse()]) {
    if (!(await store.isSuppressed(c.address))) return c
  }
  return null
}

const newToken = () => randomBytes(24).toString('base64url')

async function queueAndSend(
  store: CaseStore,
  mail: Omit<QueuedMail, 'unsubscribeToken' | 'unsubscribeUrl'> & { token: string; url: string },
  settings: MailSettings,
): Promise<MailResult> {
  const { token, url, ...rest } = mail
  const queued = await store.enqueueEmail({ ...rest, unsubscribeToken: token, unsubscribeUrl: url })
  const sent = await sendQueued(store, queued.id, settings)
  return { emailId: queued.id, ...sent }
}

/**
 * A scan found the site infected: open its case (a notice to the best contact), or, for a case
 * already open, send a reminder to the next contact when one is due.
 */
export async function notifyInfected(
  store: CaseStore,
  input: {
    siteId: number
    scanId: number
    notice: Notice
    contacts: Contact[]
    /** how sure the verdict is, 0–100; below settings.approveBelow the notice is held */
    confidence?: number
  },
  settings: MailSettings,
  now = new Date(),
): Promise<MailResult> {
  const { case: c, created } = await store.openCase(input.siteId, input.scanId)
  if (!created) await store.noteRescan(c.id, input.scanId, 'malicious')
  const usable = input.contacts.filter((x) => x.skipped === null).length
  const action = created
    ? null
    : nextAction(c, { verdict: 'malicious', complete: true }, settings.policy, now, usable)
  const reminder = action?.kind === 'remind' ? action : null
  const contact = await firstReachable(store, input.contacts, reminder?.contactIndex ?? 0)
  if (!contact)
    return { emailId: null, status: null, outcome: null, reason: 'no reachable contact' }
  const token = newToken()
  const url = unsubscribeUrl(settings.publicUrl, token)
  const email = renderNotice(input.notice, {
    from: settings.delivery.from,
    to: [contact.address],
    unsubscribeUrl: url,
    lang: chooseLanguage(contact.languages),
    reminder: reminder?.n,
  })
  // one notice per (case, finding set), one mail per reminder number
  const key = sha256(reminder ? `${c.id}\nreminder\n${reminder.n}` : `${c.id}\n${email.key}`)
  const result = await queueAndSend(
    store,
    {
      ...email,
      key,
      kind: reminder ? 'reminder' : 'notice',
      siteId: input.siteId,
      scanId: input.scanId,
      caseId: c.id,
      token,
      url,
      held: !reminder && (input.confidence ?? 100) < (settings.approveBelow ?? 0),
    },
    settings,
  )
  if (reminder) await store.noteReminder(c.id, reminder.n, contact.address)
  return result
}

/**
 * A scan of a site not found infected: a clean, complete visit closes its open case and thanks
 * the people who were told, once. Other scans are only recorded in the case's history.
 */
export async function followUpScan(
  store: CaseStore,
  input: { siteId: number; scanId: number; domain: string; verdict: string; complete: boolean },
  settings: MailSettings,
  now = new Date(),
): Promise<MailResult> {
  const none = (reason: string): MailResult => ({
    emailId: null,
    status: null,
    outcome: null,
    reason,
  })
  const c = await store.openCaseOf(input.siteId)
  if (!c) return none('no open case')
  await store.noteRescan(c.id, input.scanId, input.complete ? input.verdict : 'incomplete')
  const action = nextAction(c, input, settings.policy, now, 0)
  if (action.kind !== 'resolve') return none(action.kind === 'none' ? action.reason : action.kind)
  const to = []
  for (const a of await store.caseRecipients(c.id)) if (!(await store.isSuppressed(a))) to.push(a)
  const token = newToken()
  const url = unsubscribeUrl(settings.publicUrl, token)
  const email = renderResolved(input.domain, {
    from: settings.delivery.from,
    to,
    unsubscribeUrl: url,
  })
  // queued before the case closes, so a crash in between cannot lose the thank-you
  const queued =
    to.length > 0
      ? await store.enqueueEmail({
          ...email,
          key: sha256(`${c.id}\nresolved`),
          kind: 'resolved',
          siteId: input.siteId,
          scanId: input.scanId,
          caseId: c.id,
          unsubscribeToken: token,
          unsubscribeUrl: url,
        })
      : null
  await store.closeCase(c.id, input.scanId)
  if (!queued) return none('case closed; nobody to thank')
  const sent = await sendQueued(store, queued.id, settings)
  return { emailId: queued.id, ...sent }
}

/** Sites whose open case is due for a rescan now (for a scheduler to crawl again). */
export async function sitesDueForRescan(
  store: { openCases(): Promise<CaseState[]> },
  policy: FollowUpPolicy,
  now = new Date(),
): Promise<number[]> {
  return dueForRescan(await store.openCases(), policy, now)
}
