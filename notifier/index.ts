// The notifier: who to tell, what to say, how to send it.
export { recipientsFor, mailDomain } from './recipients.ts'
export {
  renderNotice,
  noticeKey,
  escapeHtml,
  unsubscribeUrl,
  type Notice,
  type NoticeScript,
  type NoticeFinding,
  type RenderedEmail,
} from './render.ts'
export { deliver, type DeliveryOptions } from './deliver.ts'
export { remediationFor, type RemediationTemplate } from './templates/index.ts'
