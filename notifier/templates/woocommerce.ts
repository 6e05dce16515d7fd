import { withPlatformSteps } from './generic.ts'
import type { RemediationTemplate } from './types.ts'

export const woocommerce: RemediationTemplate = {
  platform: 'woocommerce',
  label: 'WordPress / WooCommerce',
  steps: withPlatformSteps([
    'Update WordPress, WooCommerce, the theme and every plugin; delete plugins and themes you do not use.',
    'Check Users for administrators you do not recognise, and wp-content/mu-plugins for files you did not put there.',
    'Look for injected code in the active theme (header.php, footer.php, functions.php), in "custom code"/header-footer plugins, and in the database (wp_options, wp_posts); reinstall WordPress core from Dashboard → Updates → Re-install.',
    'Change the authentication keys and salts in wp-config.php so stolen logins stop working.',
  ]),
  translations: {
    de: {
      label: 'WordPress / WooCommerce',
      steps: withPlatformSteps(
        [
          'Aktualisieren Sie WordPress, WooCommerce, das Theme und jedes Plugin; löschen Sie Plugins und Themes, die Sie nicht nutzen.',
          'Prüfen Sie unter Benutzer auf Administratoren, die Sie nicht kennen, und wp-content/mu-plugins auf Dateien, die Sie nicht abgelegt haben.',
          'Suchen Sie eingeschleusten Code im aktiven Theme (header.php, footer.php, functions.php), in Plugins für „eigenen Code“ in Kopf- und Fußzeile und in der Datenbank (wp_options, wp_posts); installieren Sie den WordPress-Kern über Dashboard → Aktualisierungen → Erneut installieren neu.',
          'Ändern Sie die Authentifizierungsschlüssel und Salts in wp-config.php, damit gestohlene Anmeldungen nicht mehr funktionieren.',
        ],
        'de',
      ),
    },
  },
}
