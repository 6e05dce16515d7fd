import { withPlatformSteps } from './generic.ts'
import type { RemediationTemplate } from './types.ts'

export const magento: RemediationTemplate = {
  platform: 'magento',
  label: 'Magento / Adobe Commerce',
  steps: withPlatformSteps([
    'In the admin, check Content → Design → Configuration (HTML Head "Scripts and Style Sheets" and Footer "Miscellaneous HTML"), Content → Blocks and Content → Widgets for scripts you did not add; in the database, look at core_config_data rows for design/head/includes and design/footer/absolute_footer, and at cms_block.',
    'Apply the latest Magento / Adobe Commerce security patches and update every extension; abandoned extensions are a frequent way in.',
    'Check System → Permissions → All Users for unknown admins, and look for unexpected files under pub/, app/code/ and vendor/ (compare against a clean copy with `composer install`).',
    'Flush the caches (bin/magento cache:flush) after cleaning so the injected code is no longer served.',
  ]),
  translations: {
    de: {
      label: 'Magento / Adobe Commerce',
      steps: withPlatformSteps(
        [
          'Prüfen Sie im Admin-Bereich Inhalt → Design → Konfiguration (HTML-Kopf „Scripts and Style Sheets“ und Fußzeile „Miscellaneous HTML“), Inhalt → Blöcke und Inhalt → Widgets auf Skripte, die Sie nicht hinzugefügt haben; in der Datenbank die Zeilen von core_config_data für design/head/includes und design/footer/absolute_footer sowie cms_block.',
          'Spielen Sie die neuesten Sicherheits-Patches von Magento / Adobe Commerce ein und aktualisieren Sie jede Erweiterung; verwaiste Erweiterungen sind ein häufiges Einfallstor.',
          'Prüfen Sie System → Berechtigungen → Alle Benutzer auf unbekannte Admins und suchen Sie nach unerwarteten Dateien unter pub/, app/code/ und vendor/ (Vergleich mit einer sauberen Kopie per `composer install`).',
          'Leeren Sie nach der Bereinigung die Caches (bin/magento cache:flush), damit der eingeschleuste Code nicht mehr ausgeliefert wird.',
        ],
        'de',
      ),
    },
  },
}
