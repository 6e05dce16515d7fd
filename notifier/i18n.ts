// The words of the owner emails, per language. Data only: render.ts escapes and lays them out.

export type Lang = 'en' | 'de'

export interface Messages {
  hello: string
  intro(domain: string, certain: boolean): string
  reminderIntro(domain: string, n: number): string
  subject(domain: string, certain: boolean): string
  reminderSubject(domain: string): string
  resolvedSubject(domain: string): string
  resolved(domain: string): string[]
  found: string
  maliciousScript: string
  suspiciousScript: string
  inline: string
  excerpt: string
  sentTo: string
  carriedCard: string
  where: string
  firstSeen: string
  lastSeen: string
  platform: string
  why: string
  whyItems: string[]
  whatToDo: string
  confirmTitle: string
  confirm(domain: string, from: string): string
  optOut(domain: string, url: string | undefined): string
  signature: string
}

const en: Messages = {
  hello: 'Hello,',
  intro: (domain, certain) =>
    `skimwatch is an automated scanner that looks for card-stealing code ("web skimmers", also called Magecart) on online shops. ` +
    `On ${domain} it found code that ${certain ? 'copies' : 'appears to copy'} what customers type into the payment form and sends it to someone else. ` +
    `We typed only a test card number; no real customer data was used by us.`,
  reminderIntro: (domain, n) =>
    `This is reminder ${n}: we wrote about card-stealing code on ${domain} before, and our latest scan still finds it. ` +
    `You receive this because you were listed as a contact for the shop or its hosting. Please pass it on to whoever runs the shop.`,
  subject: (domain, certain) =>
    certain
      ? `[skimwatch] Card-skimming code found on ${domain} — action needed`
      : `[skimwatch] Possible card-skimming code on ${domain} — please check`,
  reminderSubject: (domain) => `[skimwatch] Reminder: card-skimming code still on ${domain}`,
  resolvedSubject: (domain) => `[skimwatch] ${domain} is clean now — thank you`,
  resolved: (domain) => [
    `Our latest scan of ${domain} no longer finds the card-stealing code we told you about. Thank you for removing it.`,
    'Please keep the shop, its extensions and passwords up to date: skimmers often come back through the same hole. We will not write about this case again.',
  ],
  found: 'What we found',
  maliciousScript: 'Malicious script',
  suspiciousScript: 'Suspicious script',
  inline: 'an inline script in the page',
  excerpt: 'Excerpt',
  sentTo: 'Data sent from the page to',
  carriedCard: 'carried the test card number',
  where: 'Where',
  firstSeen: 'First seen',
  lastSeen: 'Last seen',
  platform: 'Shop platform',
  why: 'Why it matters',
  whyItems: [
    'Every customer who pays on this page may have their card number, expiry date, security code, name and address sent to criminals, who sell the cards or use them for fraud.',
    'Shops that accept cards must protect card data (PCI DSS); a skimmer is a breach of that, and your payment provider may need to know.',
    'In the EU and UK (GDPR) and many other places, a breach of customers’ personal data must usually be reported to the data-protection authority within 72 hours of becoming aware of it, and affected customers may need to be told.',
  ],
  whatToDo: 'What to do',
  confirmTitle: 'How to confirm the fix',
  confirm: (domain, from) =>
    `We rescan ${domain} automatically and will write once more when the code is gone. If you have cleaned it and want us to check sooner, reply to this email (${from}).`,
  optOut: (domain, url) =>
    `If you do not want further messages about ${domain}, reply with "STOP"${url ? ` or open ${url}` : ''}.`,
  signature: '— skimwatch',
}

const de: Messages = {
  hello: 'Guten Tag,',
  intro: (domain, certain) =>
    `skimwatch ist ein automatischer Scanner, der Online-Shops nach Code durchsucht, der Kartendaten stiehlt („Web-Skimmer“, auch Magecart genannt). ` +
    `Auf ${domain} hat er Code gefunden, der ${certain ? '' : 'offenbar '}die Eingaben der Kundschaft im Zahlungsformular kopiert und an Dritte sendet. ` +
    `Wir haben nur eine Testkartennummer eingegeben; echte Kundendaten haben wir nicht verwendet.`,
  reminderIntro: (domain, n) =>
    `Dies ist Erinnerung ${n}: Wir haben Ihnen bereits über Code geschrieben, der auf ${domain} Kartendaten stiehlt, und unser letzter Scan findet ihn noch immer. ` +
    `Sie erhalten diese Nachricht, weil Sie als Kontakt für den Shop oder sein Hosting genannt sind. Bitte leiten Sie sie an die Betreiber des Shops weiter.`,
  subject: (domain, certain) =>
    certain
      ? `[skimwatch] Kartendaten-Skimmer auf ${domain} gefunden — bitte handeln Sie`
      : `[skimwatch] Möglicher Kartendaten-Skimmer auf ${domain} — bitte prüfen`,
  reminderSubject: (domain) => `[skimwatch] Erinnerung: Skimmer-Code noch auf ${domain}`,
  resolvedSubject: (domain) => `[skimwatch] ${domain} ist jetzt sauber — vielen Dank`,
  resolved: (domain) => [
    `Unser letzter Scan von ${domain} findet den Code, über den wir Sie informiert haben, nicht mehr. Vielen Dank, dass Sie ihn entfernt haben.`,
    'Bitte halten Sie Shop, Erweiterungen und Passwörter aktuell: Skimmer kommen oft durch dieselbe Lücke zurück. Zu diesem Fall schreiben wir Ihnen nicht mehr.',
  ],
  found: 'Was wir gefunden haben',
  maliciousScript: 'Schädliches Skript',
  suspiciousScript: 'Verdächtiges Skript',
  inline: 'ein in die Seite eingebettetes Skript',
  excerpt: 'Auszug',
  sentTo: 'Daten wurden von der Seite gesendet an',
  carriedCard: 'enthielt die Testkartennummer',
  where: 'Wo',
  firstSeen: 'Zuerst gesehen',
  lastSeen: 'Zuletzt gesehen',
  platform: 'Shop-System',
  why: 'Warum das wichtig ist',
  whyItems: [
    'Bei jeder Zahlung auf dieser Seite können Kartennummer, Ablaufdatum, Prüfnummer, Name und Adresse an Kriminelle gehen, die die Karten verkaufen oder für Betrug nutzen.',
    'Wer Kartenzahlungen annimmt, muss Kartendaten schützen (PCI DSS); ein Skimmer ist ein Verstoß dagegen, und Ihr Zahlungsdienstleister muss es womöglich erfahren.',
    'Nach der DSGVO muss eine Verletzung des Schutzes personenbezogener Daten in der Regel binnen 72 Stunden der Datenschutzaufsicht gemeldet werden, und betroffene Kundinnen und Kunden sind unter Umständen zu informieren.',
  ],
  whatToDo: 'Was zu tun ist',
  confirmTitle: 'So bestätigen Sie die Bereinigung',
  confirm: (domain, from) =>
    `Wir scannen ${domain} automatisch erneut und schreiben Ihnen noch einmal, sobald der Code verschwunden ist. Wenn Sie ihn entfernt haben und eine frühere Prüfung wünschen, antworten Sie auf diese E-Mail (${from}).`,
  optOut: (domain, url) =>
    `Wenn Sie keine weiteren Nachrichten zu ${domain} erhalten möchten, antworten Sie mit „STOP“${url ? ` oder öffnen Sie ${url}` : ''}.`,
  signature: '— skimwatch',
}

export const MESSAGES: Record<Lang, Messages> = { en, de }
export const LANGS = Object.keys(MESSAGES) as Lang[]

/** The first preferred language we have words for (`de-AT` counts as `de`); English otherwise. */
export function chooseLanguage(preferred: readonly string[]): Lang {
  for (const tag of preferred) {
    const base = tag.trim().toLowerCase().split(/[-_]/)[0] ?? ''
    if ((LANGS as string[]).includes(base)) return base as Lang
  }
  return 'en'
}
