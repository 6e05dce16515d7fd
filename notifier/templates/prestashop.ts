import { withPlatformSteps } from './generic.ts'
import type { RemediationTemplate } from './types.ts'

export const prestashop: RemediationTemplate = {
  platform: 'prestashop',
  label: 'PrestaShop',
  steps: withPlatformSteps([
    'Update PrestaShop and every module; check the PrestaShop security advisories for the modules you use, as vulnerable modules are a common way in.',
    'Look for modules you did not install under modules/, and for changed files in themes/, override/ and classes/ (compare against a clean copy of your version).',
    'Check Advanced Parameters → Team (employees) for unknown accounts, and make sure the install/ folder is gone and the admin folder has a non-default name.',
    'Clear the cache (Advanced Parameters → Performance) after cleaning.',
  ]),
  translations: {
    de: {
      label: 'PrestaShop',
      steps: withPlatformSteps(
        [
          'Aktualisieren Sie PrestaShop und jedes Modul; prüfen Sie die PrestaShop-Sicherheitshinweise für Ihre Module, denn verwundbare Module sind ein häufiges Einfallstor.',
          'Suchen Sie unter modules/ nach Modulen, die Sie nicht installiert haben, und nach geänderten Dateien in themes/, override/ und classes/ (Vergleich mit einer sauberen Kopie Ihrer Version).',
          'Prüfen Sie Erweiterte Parameter → Team (Mitarbeiter) auf unbekannte Konten und stellen Sie sicher, dass der Ordner install/ gelöscht ist und der Admin-Ordner keinen Standardnamen trägt.',
          'Leeren Sie nach der Bereinigung den Cache (Erweiterte Parameter → Leistung).',
        ],
        'de',
      ),
    },
  },
}
