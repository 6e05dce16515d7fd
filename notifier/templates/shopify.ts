import { schritt, step } from './generic.ts'
import type { RemediationTemplate } from './types.ts'

export const shopify: RemediationTemplate = {
  platform: 'shopify',
  label: 'Shopify',
  steps: [
    step.remove,
    'In Online Store → Themes → Edit code, check theme.liquid and the snippets it includes for scripts you did not add.',
    'Check Settings → Checkout (additional scripts, order status page) and Settings → Customer events (custom pixels) for unknown code.',
    'Review Settings → Apps and sales channels and remove apps you do not recognise or no longer use; review Settings → Users and permissions, including collaborator access.',
    step.passwords,
    step.admins,
    step.provider,
  ],
  translations: {
    de: {
      label: 'Shopify',
      steps: [
        schritt.remove,
        'Prüfen Sie unter Onlineshop → Themes → Code bearbeiten die Datei theme.liquid und die von ihr eingebundenen Snippets auf Skripte, die Sie nicht hinzugefügt haben.',
        'Prüfen Sie Einstellungen → Checkout (zusätzliche Skripte, Bestellstatusseite) und Einstellungen → Kundenereignisse (benutzerdefinierte Pixel) auf unbekannten Code.',
        'Prüfen Sie Einstellungen → Apps und Vertriebskanäle und entfernen Sie Apps, die Sie nicht kennen oder nicht mehr nutzen; prüfen Sie Einstellungen → Benutzer und Berechtigungen, einschließlich Mitarbeiterzugängen.',
        schritt.passwords,
        schritt.admins,
        schritt.provider,
      ],
    },
  },
}
