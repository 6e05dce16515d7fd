/** Remediation steps for one shop platform, as plain sentences (escaped when rendered). */
export interface RemediationTemplate {
  platform: string
  /** how the platform is named in the email */
  label: string
  steps: string[]
}
