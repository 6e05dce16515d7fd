import type { RemediationTemplate } from './types.ts'

/** Steps that apply to any shop, named so platform templates can pick and reorder them. */
export const step = {
  remove:
    'Remove the injected script: delete the script tag or file named above, wherever it is loaded from (theme files, page templates, CMS blocks, footer or header settings, tag managers).',
  findEntry:
    'Find how it got in before you clean up further, or it will come back: update the shop platform, its theme and every extension or plugin to the latest version, and remove those you do not use.',
  passwords:
    'Change every password and key that could reach the shop: admin accounts, hosting panel, FTP/SFTP/SSH, the database user, and API keys of payment and other integrations.',
  admins:
    'Look for administrator accounts you do not recognise and delete them; turn on two-factor login for the admin area.',
  files:
    'Review files changed recently (for example `find . -mtime -30 -type f` in the shop directory) and database settings that can hold HTML or scripts, such as CMS blocks, footers, headers and "miscellaneous scripts" fields.',
  csp: 'Add a Content-Security-Policy header that allows scripts only from the hosts your shop needs, so injected code cannot load or send data elsewhere.',
  provider:
    'Consider telling your payment provider (acquirer) and, if customers’ card data may have been taken, follow your breach-notification duties (see above).',
}

export const genericSteps: string[] = Object.values(step)

export const generic: RemediationTemplate = {
  platform: 'generic',
  label: 'any shop',
  steps: genericSteps,
}

/** Platform steps go right after "remove the script", before the generic hardening. */
export function withPlatformSteps(specific: string[]): string[] {
  return [step.remove, ...specific, ...genericSteps.filter((s) => s !== step.remove)]
}
