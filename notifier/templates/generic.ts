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

/** The same steps in German, key for key. */
export const schritt: typeof step = {
  remove:
    'Entfernen Sie das eingeschleuste Skript: Löschen Sie das oben genannte Skript-Tag oder die Datei, wo immer es geladen wird (Theme-Dateien, Seitenvorlagen, CMS-Blöcke, Kopf- oder Fußzeilen-Einstellungen, Tag-Manager).',
  findEntry:
    'Finden Sie heraus, wie es hineingelangt ist, sonst kommt es zurück: Aktualisieren Sie das Shop-System, das Theme und jede Erweiterung bzw. jedes Plugin auf die neueste Version und entfernen Sie, was Sie nicht nutzen.',
  passwords:
    'Ändern Sie jedes Passwort und jeden Schlüssel, mit dem man an den Shop gelangt: Admin-Konten, Hosting-Panel, FTP/SFTP/SSH, den Datenbank-Benutzer und die API-Schlüssel von Zahlungs- und anderen Anbindungen.',
  admins:
    'Suchen Sie nach Administrator-Konten, die Sie nicht kennen, und löschen Sie sie; schalten Sie die Zwei-Faktor-Anmeldung für den Admin-Bereich ein.',
  files:
    'Prüfen Sie kürzlich geänderte Dateien (zum Beispiel `find . -mtime -30 -type f` im Shop-Verzeichnis) und Datenbank-Einstellungen, die HTML oder Skripte enthalten können, etwa CMS-Blöcke, Fuß- und Kopfzeilen und Felder für „sonstige Skripte“.',
  csp: 'Setzen Sie einen Content-Security-Policy-Header, der Skripte nur von den Hosts erlaubt, die Ihr Shop braucht, damit eingeschleuster Code nichts anderswo laden oder hinsenden kann.',
  provider:
    'Informieren Sie Ihren Zahlungsdienstleister (Acquirer) und erfüllen Sie, falls Kartendaten der Kundschaft abgeflossen sein können, Ihre Meldepflichten (siehe oben).',
}

const STEPS: Record<string, typeof step> = { en: step, de: schritt }

export const genericSteps: string[] = Object.values(step)

export const generic: RemediationTemplate = {
  platform: 'generic',
  label: 'any shop',
  steps: genericSteps,
  translations: { de: { label: 'jeder Shop', steps: Object.values(schritt) } },
}

/** Platform steps go right after "remove the script", before the generic hardening. */
export function withPlatformSteps(specific: string[], lang = 'en'): string[] {
  const s = STEPS[lang] ?? step
  return [s.remove, ...specific, ...Object.values(s).filter((x) => x !== s.remove)]
}
