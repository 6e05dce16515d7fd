// The notifier's settings, taken from the validated configuration.
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import type { Config } from '../core/config.ts'
import { ConfigError } from '../core/errors.ts'
import type { MailSettings } from './cases.ts'
import type { DiscoveryOptions } from './contacts/discover.ts'
import type { DkimOptions } from './deliver.ts'

async function dkimFrom(config: Config): Promise<DkimOptions | undefined> {
  if (!config.dkimSelector && !config.dkimKeyFile) return undefined
  if (!config.dkimSelector || !config.dkimKeyFile) {
    throw new ConfigError(
      'invalid configuration:\n  SKIMWATCH_DKIM_SELECTOR and SKIMWATCH_DKIM_KEY_FILE go together',
    )
  }
  const privateKey = await readFile(config.dkimKeyFile, 'utf8').catch(() => {
    throw new ConfigError(`cannot read the DKIM key ${config.dkimKeyFile}`)
  })
  const domainName = config.mailFrom.split('@').pop() ?? ''
  return { domainName, keySelector: config.dkimSelector, privateKey }
}

export async function mailSettings(config: Config): Promise<MailSettings> {
  return {
    delivery: {
      smtpUrl: config.smtpUrl,
      outboxDir: path.join(config.home, 'outbox'),
      from: config.mailFrom,
      dkim: await dkimFrom(config),
    },
    publicUrl: config.publicUrl,
    policy: { rescanAfterDays: config.rescanDays, maxReminders: config.maxReminders },
    perDomainPerHour: config.mailPerDomainHour,
    approveBelow: config.approveBelow,
  }
}

export function contactOptions(config: Config): DiscoveryOptions {
  return { rdapUrl: config.rdapUrl, dnsServers: config.dnsServers, certEmail: config.certEmail }
}
