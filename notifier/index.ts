// The notifier: who to tell, what to say, how to send it, and when to write again.
export { recipientsFor, mailDomain } from './recipients.ts'
export {
  renderNotice,
  renderResolved,
  noticeKey,
  escapeHtml,
  unsubscribeUrl,
  type Notice,
  type NoticeScript,
  type NoticeFinding,
  type RenderedEmail,
  type RenderOptions,
} from './render.ts'
export {
  deliver,
  attemptDelivery,
  messageIdFor,
  type DeliveryOptions,
  type DkimOptions,
  type OutgoingEmail,
} from './deliver.ts'
export { remediationFor, PLATFORMS, type RemediationTemplate } from './templates/index.ts'
export { chooseLanguage, LANGS, type Lang } from './i18n.ts'
export { dueForRescan, nextAction, type FollowUpPolicy, type FollowUpAction } from './followup.ts'
export {
  notifyInfected,
  followUpScan,
  sendQueued,
  sitesDueForRescan,
  type CaseStore,
  type MailSettings,
  type MailResult,
} from './cases.ts'
export type { Contact, ContactSource } from './contacts/types.ts'
export { discoverContacts, type DiscoveryOptions } from './contacts/discover.ts'
export { parseSecurityTxt, expiredReason } from './contacts/security-txt.ts'
export { mailSettings, contactOptions } from './settings.ts'
export { sampleEmails, sampleNotice, type SampleEmail } from './samples.ts'
