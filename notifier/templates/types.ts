/** Remediation steps for one shop platform, as plain sentences (escaped when rendered). */
export interface RemediationTemplate {
  platform: string
  /** how the platform is named in the email */
  label: string
  steps: string[]
  /** label and steps in other languages, by language code */
  translations?: Record<string, { label: string; steps: string[] }>
}
